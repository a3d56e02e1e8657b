// Package labels holds a few real FDA label claims for food animals, each
// with the 21 CFR section it comes from and a note of what was checked.
//
// The claims were written by hand from the sources each note names (the
// Code of Federal Regulations, FDA structured product labels, sponsors'
// labels and data sheets). The notes are part of the data: they say which
// figures were checked against which source, which were corrected, and,
// under UNCERTAIN, what was not read or could not be verified. Read the
// note before relying on a claim; where a note says a figure rests on
// sponsor material rather than on the regulation, the claim is only as
// good as that material. They are reference data to start from, not a
// substitute for the current label.
//
// The same file is the fixture of the protocol package's label tests.
package labels

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vetlink/vetlink/protocol"
)

//go:embed labels.json
var labelsJSON []byte

// Cited is a label claim with its citation.
type Cited struct {
	// CFR is the 21 CFR section of the claim's conditions of use.
	CFR string `json:"cfr"`
	// Note says what was checked, against which source, and what was not.
	Note string `json:"note"`
	// Terms, when set, are the withdrawal terms the claim's wtMeatHrs and
	// wtMilkHrs cannot express, such as a dry-cow product's milk held
	// until calving; use Rule rather than the hours then.
	Terms *Terms `json:"terms,omitempty"`
	// Claim is the label claim in the VCPR form. Its id and dxId number
	// the claims and indications of this file only.
	Claim protocol.LabelClaim `json:"claim"`
}

// Terms are withdrawal terms for meat and milk counted from an event.
type Terms struct {
	Meat []Term `json:"meat"`
	Milk []Term `json:"milk"`
}

// Term is a withdrawal period in hours after Event, or after the last
// administration when Event is empty.
type Term struct {
	Event protocol.EventKind `json:"event,omitempty"`
	Hours int64              `json:"hours"`
}

// Rule returns the withdrawal rule of the claim: its Terms when it has
// them, else its wtMeatHrs and wtMilkHrs after the last dose.
func (c Cited) Rule() (protocol.WithdrawalRule, error) {
	if c.Terms == nil {
		meat, milk := c.Claim.WtMeatHrs, c.Claim.WtMilkHrs
		return protocol.HoursRule(&meat, &milk)
	}
	var r protocol.WithdrawalRule
	for _, t := range c.Terms.Meat {
		r.Meat = append(r.Meat, protocol.Term{Event: t.Event, Period: time.Duration(t.Hours) * time.Hour})
	}
	for _, t := range c.Terms.Milk {
		r.Milk = append(r.Milk, protocol.Term{Event: t.Event, Period: time.Duration(t.Hours) * time.Hour})
	}
	return r, nil
}

// All returns the claims of labels.json in file order, decoded afresh at
// each call so the caller may change them.
func All() ([]Cited, error) {
	var out []Cited
	dec := json.NewDecoder(bytes.NewReader(labelsJSON))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("labels: labels.json: %w", err)
	}
	return out, nil
}
