package protocol

import (
	"errors"
	"strings"
)

// Sentinel errors classifying a FieldError. Test with errors.Is.
var (
	// ErrInvalid means a protocol, treatment or function breaks a rule of
	// its own (a negative dose, min above max, an unknown unit).
	ErrInvalid = errors.New("protocol: invalid")
	// ErrMissingInput means the case lacks data a function needs, such as
	// the weight for a dose by weight.
	ErrMissingInput = errors.New("protocol: missing case input")
	// ErrOutOfRange means a chosen value lies outside what the protocol
	// allows, such as a preferred dose outside its range.
	ErrOutOfRange = errors.New("protocol: out of range")
	// ErrNotEligible means the animal is not in a class the protocol may be
	// used for.
	ErrNotEligible = errors.New("protocol: not eligible")
	// ErrBelowLabel means a withdrawal period is shorter than the label's.
	ErrBelowLabel = errors.New("protocol: withdrawal below label")
)

// FieldError is a problem with one input. Field is a path into the VCPR
// JSON ("treatments[1].sizeFunction.range.min") or into the case input
// ("case.weight"); Value is the offending value as text (may be empty);
// Rule says what was required. Err classifies it for errors.Is.
//
// Error() reads "protocol: treatments[0].wtMeatHrs -85044115: must be
// between 0 and 87600".
type FieldError struct {
	Field string
	Value string
	Rule  string
	Err   error
}

// Error reads "protocol: <field> <value>: <rule>".
func (e *FieldError) Error() string {
	var b strings.Builder
	b.WriteString("protocol: ")
	b.WriteString(e.Field)
	if e.Value != "" {
		b.WriteByte(' ')
		b.WriteString(e.Value)
	}
	b.WriteString(": ")
	b.WriteString(e.Rule)
	return b.String()
}

// Unwrap returns the classifying sentinel.
func (e *FieldError) Unwrap() error { return e.Err }

// Problems is every problem found by a validation, in the order found. It
// is returned as an error only when non-empty; errors.Is and errors.As see
// each element.
type Problems []*FieldError

// Error joins the problems, one per line.
func (p Problems) Error() string {
	switch len(p) {
	case 0:
		return "protocol: no problems"
	case 1:
		return p[0].Error()
	}
	var b strings.Builder
	b.WriteString(p[0].Error())
	for _, e := range p[1:] {
		b.WriteString("\n")
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap returns the individual problems.
func (p Problems) Unwrap() []error {
	out := make([]error, len(p))
	for i, e := range p {
		out[i] = e
	}
	return out
}

// err returns p as an error, or nil when empty.
func (p Problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return p
}

func (p *Problems) add(field, value, rule string, kind error) {
	*p = append(*p, &FieldError{Field: field, Value: value, Rule: rule, Err: kind})
}

func fieldErr(field, value, rule string, kind error) *FieldError {
	return &FieldError{Field: field, Value: value, Rule: rule, Err: kind}
}
