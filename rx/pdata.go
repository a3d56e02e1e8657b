package rx

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/vetlink/vetlink/protocol"
)

// PDataKind is the kind of answer that fulfils a promise (VCPR PData).
type PDataKind string

// The PData kinds, spelled as the VCPR subtype schemas spell their _type.
// The discriminator mapping of the same document spells them PData…; both
// spellings are read, and the one read is written back.
const (
	PDataNone    PDataKind = "models.PdataNone"
	PDataString  PDataKind = "models.PdataString"
	PDataNumber  PDataKind = "models.PdataNumber"
	PDataBoolean PDataKind = "models.PDataBoolean"
	PDataMass    PDataKind = "models.PdataMass"
)

// PData is the data recorded when a promise task is executed: nothing, a
// text, a number, a yes/no, or a mass. Exactly the member of its Kind is
// meaningful.
type PData struct {
	Kind      PDataKind
	PromiseID int64
	Text      string
	Number    protocol.Number
	Bool      bool
	Mass      protocol.Quantity

	// spelling is the _type as read, written back unchanged.
	spelling string
}

// canonicalPData maps either spelling of a PData _type to its kind.
func canonicalPData(s string) (PDataKind, bool) {
	for _, k := range []PDataKind{PDataNone, PDataString, PDataNumber, PDataBoolean, PDataMass} {
		if strings.EqualFold(s, string(k)) {
			return k, true
		}
	}
	return "", false
}

// fits reports whether data of kind k answers a promise of kind p.
func (k PDataKind) fits(p protocol.PromiseKind) bool {
	switch p {
	case protocol.AffirmationPromise:
		return k == PDataNone || k == PDataBoolean
	case protocol.BooleanPromise:
		return k == PDataBoolean
	case protocol.StringPromise, protocol.CategoryPromise:
		return k == PDataString
	case protocol.NumberPromise:
		return k == PDataNumber
	case protocol.MassPromise:
		return k == PDataMass
	}
	return false
}

// String renders the data for records: the text, number, yes/no or mass.
func (d *PData) String() string {
	if d == nil {
		return ""
	}
	switch d.Kind {
	case PDataString:
		return d.Text
	case PDataNumber:
		return d.Number.String()
	case PDataBoolean:
		if d.Bool {
			return "yes"
		}
		return "no"
	case PDataMass:
		return d.Mass.String()
	}
	return ""
}

// MarshalJSON writes the VCPR PData variant.
func (d PData) MarshalJSON() ([]byte, error) {
	typ := d.spelling
	if typ == "" {
		typ = string(d.Kind)
	}
	v := map[string]any{"_type": typ, "promiseId": d.PromiseID}
	switch d.Kind {
	case PDataNone:
	case PDataString:
		v["dat"] = d.Text
	case PDataNumber:
		v["dat"] = d.Number
	case PDataBoolean:
		v["dat"] = d.Bool
	case PDataMass:
		v["dat"] = d.Mass
	default:
		return nil, fmt.Errorf("rx: PData kind %q unknown", d.Kind)
	}
	return json.Marshal(v)
}

// UnmarshalJSON reads a VCPR PData, choosing the variant by "_type". "dat"
// is required except for PdataNone.
func (d *PData) UnmarshalJSON(b []byte) error {
	var w struct {
		Type      string          `json:"_type"`
		PromiseID int64           `json:"promiseId"`
		Dat       json.RawMessage `json:"dat"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	kind, ok := canonicalPData(w.Type)
	if !ok {
		return fail("", "data._type "+quote(w.Type), "unknown PData type", ErrInvalid)
	}
	v := PData{Kind: kind, PromiseID: w.PromiseID, spelling: w.Type}
	missing := len(bytes.TrimSpace(w.Dat)) == 0 || bytes.Equal(bytes.TrimSpace(w.Dat), []byte("null"))
	if kind != PDataNone && missing {
		return fail("", "data.dat", "is required for "+w.Type, ErrInvalid)
	}
	var err error
	switch kind {
	case PDataString:
		err = json.Unmarshal(w.Dat, &v.Text)
	case PDataNumber:
		err = json.Unmarshal(w.Dat, &v.Number)
	case PDataBoolean:
		err = json.Unmarshal(w.Dat, &v.Bool)
	case PDataMass:
		err = json.Unmarshal(w.Dat, &v.Mass)
		if err == nil && v.Mass.Dimension() != protocol.Mass {
			err = fmt.Errorf("%s is not a mass", v.Mass)
		}
	}
	if err != nil {
		return fail("", "data.dat", err.Error(), ErrInvalid)
	}
	*d = v
	return nil
}
