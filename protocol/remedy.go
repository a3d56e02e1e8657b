package protocol

import (
	"encoding/json"
	"fmt"
)

// Remedy proposes a fix for a problem found in a protocol, such as adding a
// restriction or substituting a label claim. It is one of
// *RestrictionRemedy, *LinkRemedy, *SubstituteLabelClaimRemedy,
// *PromiseRemedy or *JSONRemedy, written with its VCPR "_type".
type Remedy interface {
	// TypeName returns the VCPR discriminator, such as
	// "models.RestrictionRemedy".
	TypeName() string
	// Summary returns the remedy's title and message.
	Summary() (title, message string)
	remedy()
}

// VCPR discriminators of the Remedy variants.
const (
	TypeRestrictionRemedy          = "models.RestrictionRemedy"
	TypeLinkRemedy                 = "models.LinkRemedy"
	TypeSubstituteLabelClaimRemedy = "models.SubstituteLabelClaimRemedy"
	TypePromiseRemedy              = "models.PromiseRemedy"
	TypeJSONRemedy                 = "models.JsonRemedy"
)

// RestrictionRemedy adds Detail to the Restrictions section of the
// protocol's instructions.
type RestrictionRemedy struct {
	Title   string `json:"title"`
	Message string `json:"message"`
	Detail  string `json:"detail"`
}

// LinkRemedy points to further information (Detail, typically a URL).
type LinkRemedy struct {
	Title   string `json:"title"`
	Message string `json:"message"`
	Detail  string `json:"detail"`
}

// SubstituteLabelClaimRemedy proposes label claims (by id) that would make
// the treatment on-label.
type SubstituteLabelClaimRemedy struct {
	Title       string  `json:"title"`
	Message     string  `json:"message"`
	Substitutes []int64 `json:"substitutes"`
}

// PromiseRemedy adds Promise to the protocol, such as an extended
// withdrawal affirmation signed by the veterinarian.
type PromiseRemedy struct {
	Title   string  `json:"title"`
	Message string  `json:"message"`
	Promise Promise `json:"promise"`
}

// JSONRemedy carries a structured Detail the client knows how to apply.
type JSONRemedy struct {
	Title   string          `json:"title"`
	Message string          `json:"message"`
	Detail  json.RawMessage `json:"detail"`
}

func (*RestrictionRemedy) remedy()          {}
func (*LinkRemedy) remedy()                 {}
func (*SubstituteLabelClaimRemedy) remedy() {}
func (*PromiseRemedy) remedy()              {}
func (*JSONRemedy) remedy()                 {}

// TypeName implements Remedy.
func (*RestrictionRemedy) TypeName() string { return TypeRestrictionRemedy }

// TypeName implements Remedy.
func (*LinkRemedy) TypeName() string { return TypeLinkRemedy }

// TypeName implements Remedy.
func (*SubstituteLabelClaimRemedy) TypeName() string { return TypeSubstituteLabelClaimRemedy }

// TypeName implements Remedy.
func (*PromiseRemedy) TypeName() string { return TypePromiseRemedy }

// TypeName implements Remedy.
func (*JSONRemedy) TypeName() string { return TypeJSONRemedy }

// Summary implements Remedy.
func (r *RestrictionRemedy) Summary() (string, string) { return r.Title, r.Message }

// Summary implements Remedy.
func (r *LinkRemedy) Summary() (string, string) { return r.Title, r.Message }

// Summary implements Remedy.
func (r *SubstituteLabelClaimRemedy) Summary() (string, string) { return r.Title, r.Message }

// Summary implements Remedy.
func (r *PromiseRemedy) Summary() (string, string) { return r.Title, r.Message }

// Summary implements Remedy.
func (r *JSONRemedy) Summary() (string, string) { return r.Title, r.Message }

// MarshalJSON writes the remedy with its "_type".
func (r *RestrictionRemedy) MarshalJSON() ([]byte, error) {
	type plain RestrictionRemedy
	return marshalTyped(r.TypeName(), (*plain)(r))
}

// MarshalJSON writes the remedy with its "_type".
func (r *LinkRemedy) MarshalJSON() ([]byte, error) {
	type plain LinkRemedy
	return marshalTyped(r.TypeName(), (*plain)(r))
}

// MarshalJSON writes the remedy with its "_type".
func (r *SubstituteLabelClaimRemedy) MarshalJSON() ([]byte, error) {
	type plain SubstituteLabelClaimRemedy
	return marshalTyped(r.TypeName(), (*plain)(r))
}

// MarshalJSON writes the remedy with its "_type".
func (r *PromiseRemedy) MarshalJSON() ([]byte, error) {
	type plain PromiseRemedy
	return marshalTyped(r.TypeName(), (*plain)(r))
}

// MarshalJSON writes the remedy with its "_type".
func (r *JSONRemedy) MarshalJSON() ([]byte, error) {
	type plain JSONRemedy
	return marshalTyped(r.TypeName(), (*plain)(r))
}

// DecodeRemedy reads a Remedy from its VCPR JSON, choosing the variant by
// "_type". JSON null yields nil.
func DecodeRemedy(data []byte) (Remedy, error) {
	if isNull(data) {
		return nil, nil
	}
	typ, err := peekType(data)
	if err != nil {
		return nil, fmt.Errorf("remedy: %w", err)
	}
	ctor, ok := remedyTypes[typ]
	if !ok {
		return nil, fmt.Errorf("remedy: %w %q", ErrUnknownType, typ)
	}
	r := ctor()
	err = json.Unmarshal(data, r)
	if err != nil {
		return nil, fmt.Errorf("remedy %s: %w", typ, err)
	}
	return r, nil
}

// Tag is a keyword attached to a protocol or treatment, such as "OFFLABEL"
// or "EXTWDT", with the remedies that would resolve what it flags.
type Tag struct {
	ID    int64    `json:"id"`
	Color string   `json:"color"`
	Name  string   `json:"name"`
	Fixes []Remedy `json:"fixes,omitzero"`
}

// UnmarshalJSON reads a Tag, decoding its polymorphic fixes.
func (t *Tag) UnmarshalJSON(data []byte) error {
	var w struct {
		ID    int64             `json:"id"`
		Color string            `json:"color"`
		Name  string            `json:"name"`
		Fixes []json.RawMessage `json:"fixes"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	out := Tag{ID: w.ID, Color: w.Color, Name: w.Name}
	if w.Fixes != nil {
		out.Fixes = make([]Remedy, 0, len(w.Fixes))
	}
	for i, raw := range w.Fixes {
		r, err := DecodeRemedy(raw)
		if err != nil {
			return fmt.Errorf("tag %q fixes[%d]: %w", w.Name, i, err)
		}
		out.Fixes = append(out.Fixes, r)
	}
	*t = out
	return nil
}

// remedyTypes maps each VCPR discriminator to a constructor of its variant.
// The variants decode with plain encoding/json; "_type" is ignored.
var remedyTypes = map[string]func() Remedy{
	TypeRestrictionRemedy:          func() Remedy { return new(RestrictionRemedy) },
	TypeLinkRemedy:                 func() Remedy { return new(LinkRemedy) },
	TypeSubstituteLabelClaimRemedy: func() Remedy { return new(SubstituteLabelClaimRemedy) },
	TypePromiseRemedy:              func() Remedy { return new(PromiseRemedy) },
	TypeJSONRemedy:                 func() Remedy { return new(JSONRemedy) },
}
