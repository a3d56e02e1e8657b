// Package labels holds FDA label claims of food-animal drugs, each with
// the 21 CFR section or application number it comes from, the sources it
// was checked against and a note of what was checked.
//
// Two sets are kept. [All] is a handful of hand-checked claims, the
// fixture of the protocol and store tests. [Approved] is the shipped set of
// the label claims most used on cattle, swine, sheep, goat and poultry
// farms, and [Default] its verified part, which the reference server loads
// into rx.Service.Labels so that a lawful on-label use is classified
// ONLABEL rather than refused as extra-label. A claim of the shipped set
// whose figures could not all be checked against a source lists the fields
// in Cited.Unverified and is left out of Default.
//
// The shipped set (approved.json) covers the injectable, oral, pour-on and
// intramammary claims of the common antibiotics, NSAIDs, parasiticides and
// reproductive hormones for cattle, swine, sheep, goats, chickens and
// turkeys. Its figures were checked against the 2015 annual edition of
// 21 CFR Parts 520 to 529 (the GPO text mirrored by 18F/allregs) unless a
// claim's note names another source; paragraph letters are those of that
// edition and some have since been renumbered. Later amendments were
// spot-checked only where a note says so, so a claim is reference data to
// start from, not a substitute for the current label. Not encoded: feed
// claims of Part 558 and drinking-water claims written per gallon, whose
// amounts are not a dose per animal; regimens with variable intervals
// (gonadorelin and dinoprost programs); sponsor variants whose figures
// differ from the encoded one (named in the notes).
//
// Each claim says, in LabelClaim.Prevention, whether its indication covers
// the prevention or control of disease (BRD control in high-risk cattle,
// "treatment and control" of parasites or respiratory disease); control of
// a fever in a sick animal is treatment. A withdrawal of 0 for an animal
// class the label excludes (wtMilkHrs of a claim not approved for female
// dairy cattle 20 months or older) means "no claim", not "safe"; the wtNote
// says so.
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

//go:embed approved.json
var approvedJSON []byte

// FirstID is the id of the first claim of the shipped set (Approved); its
// claims are numbered upwards from it, and their indications (DxID) from
// FirstDxID. The ranges keep the shipped ids apart from the small ids a
// library store assigns, so a treatment that names a store claim is not
// compared with an unrelated shipped claim of the same number.
const (
	FirstID   = 100001
	FirstDxID = 200001
)

// Cited is a label claim with its citation.
type Cited struct {
	// CFR is the 21 CFR section of the claim's conditions of use.
	CFR string `json:"cfr"`
	// Sources are the documents the figures were checked against: the
	// regulation (a copy of the CFR text with its edition), the label or
	// the Federal Register notice.
	Sources []string `json:"sources,omitempty"`
	// Note says what was checked, against which source, and what was not.
	Note string `json:"note"`
	// Unverified names the claim fields (JSON names, such as "wtMilkHrs")
	// that could not be checked against a source. A claim with any is
	// kept out of Default.
	Unverified []string `json:"unverified,omitempty"`
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

// Verified reports whether every field of the claim was checked against
// one of its sources.
func (c Cited) Verified() bool { return len(c.Unverified) == 0 }

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

// Approved returns the shipped label-claim set (approved.json) in file
// order, verified and unverified alike, decoded afresh at each call.
func Approved() ([]Cited, error) {
	var out []Cited
	dec := json.NewDecoder(bytes.NewReader(approvedJSON))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("labels: approved.json: %w", err)
	}
	return out, nil
}

// Default returns the verified claims of the shipped set as the approved
// label claims for protocol.Classify and rx.Service.Labels: every claim of
// Approved whose Unverified list is empty. A use whose label claim is not
// here counts as extra-label, which errs on the side of checking the
// prohibitions of 21 CFR 530.41.
func Default() ([]protocol.LabelClaim, error) {
	cs, err := Approved()
	if err != nil {
		return nil, err
	}
	out := make([]protocol.LabelClaim, 0, len(cs))
	for _, c := range cs {
		if c.Verified() {
			out = append(out, c.Claim)
		}
	}
	return out, nil
}
