package protocol

import (
	"encoding/json"
	"reflect"
	"time"
)

// ProtocolStatus is where a protocol is in its life: designed, prescribed,
// in use, recalled…
type ProtocolStatus string

// The protocol statuses of the VCPR API.
const (
	StatusUnknown    ProtocolStatus = "UNKNOWN"
	StatusValidated  ProtocolStatus = "VALIDATED"
	StatusPrescribed ProtocolStatus = "PRESCRIBED"
	StatusInitiated  ProtocolStatus = "INITIATED"
	StatusRecalled   ProtocolStatus = "RECALLED"
	StatusDeprecated ProtocolStatus = "DEPRECATED"
	StatusDeclined   ProtocolStatus = "DECLINED"
)

// Valid reports whether s is a VCPR protocol status.
func (s ProtocolStatus) Valid() bool {
	switch s {
	case StatusUnknown, StatusValidated, StatusPrescribed, StatusInitiated, StatusRecalled, StatusDeprecated, StatusDeclined:
		return true
	}
	return false
}

// AmducaClass says whether a treatment follows its label (ONLABEL), is an
// extra-label use under AMDUCA (OFFLABEL), or has not been classified.
type AmducaClass string

// The AMDUCA classes of the VCPR API.
const (
	OnLabel      AmducaClass = "ONLABEL"
	OffLabel     AmducaClass = "OFFLABEL"
	Unclassified AmducaClass = "UNIDENTIFIED"
)

// Protocol is a veterinary treatment protocol: what to give (Treatments),
// to which animals (Eligibilities), what must be done (Promises), and the
// meat and milk withdrawal that applies after the last treatment.
//
// It round-trips the VCPR Protocol JSON: members this package does not
// model are kept in Extra. JSON null and an absent member decode the same.
type Protocol struct {
	ID             int64           `json:"id,omitempty"`
	OwnerID        int64           `json:"ownerId"`
	OwnerName      string          `json:"ownerName,omitempty"`
	Name           string          `json:"name"`
	Shortname      string          `json:"shortname,omitempty"`
	Created        *time.Time      `json:"created,omitempty"`
	Edited         *time.Time      `json:"edited,omitempty"`
	Status         ProtocolStatus  `json:"status"`
	VetNote        string          `json:"vetNote,omitempty"`
	WtMeatHrs      *Number         `json:"wtMeatHrs,omitempty"`
	WtMilkHrs      *Number         `json:"wtMilkHrs,omitempty"`
	Instructions   *Instructions   `json:"instructions,omitempty"`
	ShareAll       bool            `json:"shareAll"`
	ShareClonable  bool            `json:"shareClonable"`
	CaseDefinition *CaseDefinition `json:"caseDefinition,omitempty"`
	Treatments     []Treatment     `json:"treatments,omitzero"`
	Tags           []Tag           `json:"tags,omitzero"`
	Diagnoses      []Diagnosis     `json:"diagnoses,omitzero"`
	Eligibilities  []Eligibility   `json:"eligibilities,omitzero"`
	Promises       []Promise       `json:"promises,omitzero"`
	Metadata       []Metadata      `json:"metadata,omitzero"`

	// Extra holds members of the JSON object that Protocol does not model,
	// written back unchanged (after the known members, sorted by name).
	Extra map[string]json.RawMessage `json:"-"`
}

// MarshalJSON writes the VCPR Protocol, including Extra.
func (p Protocol) MarshalJSON() ([]byte, error) {
	type plain Protocol
	b, err := json.Marshal(plain(p))
	if err != nil {
		return nil, err
	}
	return appendExtra(b, p.Extra), nil
}

// UnmarshalJSON reads the VCPR Protocol, keeping unknown members in Extra.
func (p *Protocol) UnmarshalJSON(data []byte) error {
	type plain Protocol
	var v plain
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	extra, err := splitExtra(data, reflect.TypeFor[plain]())
	if err != nil {
		return err
	}
	v.Extra = extra
	*p = Protocol(v)
	return nil
}

// Instructions are the free-form (HTML) sections a protocol shows to the
// people executing it.
type Instructions struct {
	Considerations string `json:"considerations,omitempty"`
	Restrictions   string `json:"restrictions,omitempty"`
	DoThis         string `json:"dothis,omitempty"`
	RecordThis     string `json:"recordthis,omitempty"`
	Success        string `json:"success,omitempty"`
	Failure        string `json:"failure,omitempty"`
	References     string `json:"references,omitempty"`
}

// CaseDefinition says which cases a protocol may be used for.
type CaseDefinition struct {
	PxID              *Number `json:"pxId,omitempty"`
	RequireID         bool    `json:"requireID,omitempty"`
	RequireMOR        bool    `json:"requireMOR,omitempty"`
	Contraindications string  `json:"contraindications,omitempty"`
	Medical           string  `json:"medical,omitempty"`
	Economic          string  `json:"economic,omitempty"`
	Note              string  `json:"note,omitempty"`
}

// Diagnosis is a diagnosis a protocol treats.
type Diagnosis struct {
	ID   int64  `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
}

// Eligibility is a class of animals a protocol or treatment may be used
// for, tied to an FDA class.
type Eligibility struct {
	ID         int64   `json:"id,omitempty"`
	Name       string  `json:"name"`
	FDASpecies Species `json:"fdaSpecies"`
}

// Metadata is a key/value pair attached to a protocol.
type Metadata struct {
	Key   string `json:"key,omitempty"`
	Value string `json:"value,omitempty"`
}

// Treatment is one product given as a series of doses: SizeFunction says
// how much, SequenceFunction when. Dosage is the VCPR dosage member, kept as
// it came: a DoseId or the same two functions again. A treatment sent with
// only a dosage has its functions read from it; when both are present they
// must agree (Validate and Plan refuse a treatment whose dosage names a
// different dose or schedule). WtMeatHrs and WtMilkHrs are its
// withdrawal periods in hours after its last dose.
//
// ID is a string in the VCPR schema but VCPR also sends numbers; either
// form is read and written back as it came.
type Treatment struct {
	ID               string           `json:"-"`
	OwnerID          *int64           `json:"ownerId,omitempty"`
	LabelID          *int64           `json:"labelId,omitempty"`
	Description      string           `json:"description,omitempty"`
	Note             string           `json:"note,omitempty"`
	Eligibilities    []Eligibility    `json:"eligibilities,omitzero"`
	Tags             []Tag            `json:"tags,omitzero"`
	Product          string           `json:"product"`
	Dose             string           `json:"_dose,omitempty"`
	Dosage           json.RawMessage  `json:"dosage,omitempty"`
	Route            string           `json:"route"`
	SequenceFunction SequenceFunction `json:"sequenceFunction"`
	SizeFunction     SizeFunction     `json:"sizeFunction"`
	WtMeatHrs        *Number          `json:"wtMeatHrs,omitempty"`
	WtMilkHrs        *Number          `json:"wtMilkHrs,omitempty"`
	WtNote           string           `json:"wtNote,omitempty"`
	NDC              string           `json:"ndc,omitempty"`
	Amduca           AmducaClass      `json:"amduca,omitempty"`

	// Extra holds members Treatment does not model, written back unchanged.
	Extra map[string]json.RawMessage `json:"-"`

	idNumeric bool
}

// treatmentWire is Treatment with the polymorphic members left raw.
type treatmentWire struct {
	ID               json.RawMessage `json:"id,omitempty"`
	OwnerID          *int64          `json:"ownerId,omitempty"`
	LabelID          *int64          `json:"labelId,omitempty"`
	Description      string          `json:"description,omitempty"`
	Note             string          `json:"note,omitempty"`
	Eligibilities    []Eligibility   `json:"eligibilities,omitzero"`
	Tags             []Tag           `json:"tags,omitzero"`
	Product          string          `json:"product"`
	Dose             string          `json:"_dose,omitempty"`
	Dosage           json.RawMessage `json:"dosage,omitempty"`
	Route            string          `json:"route"`
	SequenceFunction json.RawMessage `json:"sequenceFunction"`
	SizeFunction     json.RawMessage `json:"sizeFunction"`
	WtMeatHrs        *Number         `json:"wtMeatHrs,omitempty"`
	WtMilkHrs        *Number         `json:"wtMilkHrs,omitempty"`
	WtNote           string          `json:"wtNote,omitempty"`
	NDC              string          `json:"ndc,omitempty"`
	Amduca           AmducaClass     `json:"amduca,omitempty"`
}

// MarshalJSON writes the VCPR Treatment, including Extra.
func (t Treatment) MarshalJSON() ([]byte, error) {
	w := treatmentWire{
		OwnerID: t.OwnerID, LabelID: t.LabelID, Description: t.Description, Note: t.Note,
		Eligibilities: t.Eligibilities, Tags: t.Tags, Product: t.Product, Dose: t.Dose,
		Dosage: t.Dosage, Route: t.Route, WtMeatHrs: t.WtMeatHrs, WtMilkHrs: t.WtMilkHrs,
		WtNote: t.WtNote, NDC: t.NDC, Amduca: t.Amduca,
	}
	var err error
	switch {
	case t.idNumeric:
		w.ID = json.RawMessage(t.ID)
	case t.ID != "":
		if w.ID, err = json.Marshal(t.ID); err != nil {
			return nil, err
		}
	}
	if w.SequenceFunction, err = json.Marshal(t.SequenceFunction); err != nil {
		return nil, err
	}
	if w.SizeFunction, err = json.Marshal(t.SizeFunction); err != nil {
		return nil, err
	}
	b, err := json.Marshal(w)
	if err != nil {
		return nil, err
	}
	return appendExtra(b, t.Extra), nil
}

// UnmarshalJSON reads the VCPR Treatment, decoding its size and sequence
// functions by "_type" and keeping unknown members in Extra.
func (t *Treatment) UnmarshalJSON(data []byte) error {
	var w treatmentWire
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	out := Treatment{
		OwnerID: w.OwnerID, LabelID: w.LabelID, Description: w.Description, Note: w.Note,
		Eligibilities: w.Eligibilities, Tags: w.Tags, Product: w.Product, Dose: w.Dose,
		Dosage: w.Dosage, Route: w.Route, WtMeatHrs: w.WtMeatHrs, WtMilkHrs: w.WtMilkHrs,
		WtNote: w.WtNote, NDC: w.NDC, Amduca: w.Amduca,
	}
	if isNull(w.Dosage) {
		out.Dosage = nil
	}
	if !isNull(w.ID) {
		if w.ID[0] == '"' {
			if err := json.Unmarshal(w.ID, &out.ID); err != nil {
				return err
			}
		} else {
			var n json.Number
			if err := json.Unmarshal(w.ID, &n); err != nil {
				return err
			}
			out.ID, out.idNumeric = n.String(), true
		}
	}
	var err error
	if out.SequenceFunction, err = DecodeSequenceFunction(w.SequenceFunction); err != nil {
		return err
	}
	if out.SizeFunction, err = DecodeSizeFunction(w.SizeFunction); err != nil {
		return err
	}
	// A treatment that has only the VCPR dosage member is read from it. A
	// malformed dosage is kept as it came; Validate and Plan report it, as
	// they report a dosage that disagrees with the top-level functions.
	if out.SizeFunction == nil || out.SequenceFunction == nil {
		if size, seq, err := dosageFunctions(out.Dosage); err == nil {
			if out.SizeFunction == nil {
				out.SizeFunction = size
			}
			if out.SequenceFunction == nil {
				out.SequenceFunction = seq
			}
		}
	}
	if out.Extra, err = splitExtra(data, reflect.TypeFor[treatmentWire]()); err != nil {
		return err
	}
	*t = out
	return nil
}

// LabelClaim is one indication on an FDA-approved label: the classes of
// animals, diagnosis, product, route, dose (as structured functions) and the
// label's withdrawal periods. AMDUCA classification compares treatments
// against label claims.
type LabelClaim struct {
	ID               int64            `json:"id"`
	FDASpecies       SpeciesList      `json:"fdaSpecies"`
	Diagnosis        string           `json:"diagnosis"`
	DxID             int64            `json:"dxId"`
	Product          string           `json:"product"`
	ProductID        int64            `json:"productId,omitempty"`
	Dose             string           `json:"_dose,omitempty"`
	Route            string           `json:"route"`
	SequenceFunction SequenceFunction `json:"sequenceFunction,omitempty"`
	SizeFunction     SizeFunction     `json:"sizeFunction,omitempty"`
	DoseNote         string           `json:"doseNote,omitempty"`
	WtMeatHrs        Number           `json:"wtMeatHrs"`
	WtMilkHrs        Number           `json:"wtMilkHrs"`
	WtNote           string           `json:"wtNote,omitempty"`
	NDC              string           `json:"ndc,omitempty"`
	Generic          string           `json:"generic,omitempty"`
	IsRx             bool             `json:"isRx"`
	// Prevention reports that the indication covers prevention or control
	// of disease, not only treatment. A cephalosporin given for prevention
	// is extra-label (and prohibited in major food species) unless a claim
	// with Prevention set covers it.
	Prevention bool `json:"prevention,omitempty"`
}

// UnmarshalJSON reads a VCPR LabelClaim, decoding its size and sequence
// functions by "_type".
func (c *LabelClaim) UnmarshalJSON(data []byte) error {
	type plain LabelClaim
	var w struct {
		plain
		SequenceFunction json.RawMessage `json:"sequenceFunction"`
		SizeFunction     json.RawMessage `json:"sizeFunction"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	out := LabelClaim(w.plain)
	var err error
	if out.SequenceFunction, err = DecodeSequenceFunction(w.SequenceFunction); err != nil {
		return err
	}
	if out.SizeFunction, err = DecodeSizeFunction(w.SizeFunction); err != nil {
		return err
	}
	*c = out
	return nil
}
