package protocol

import (
	"encoding/json"
	"fmt"
)

// SequenceFunction computes when the doses of a Treatment are given,
// relative to the initiation of the case. It is one of *SeqSingleDose,
// *SeqPerDay, *SeqPerDayRange, *SeqInterval or *SeqSeries, written in JSON
// with its VCPR "_type" discriminator ("models.SeqPerDay"…).
//
// Use DecodeSequenceFunction to read one from JSON and Offsets to evaluate
// one.
type SequenceFunction interface {
	// TypeName returns the VCPR discriminator, such as "models.SeqPerDay".
	TypeName() string
	sequenceFunction()
}

// VCPR discriminators of the SequenceFunction variants.
const (
	TypeSeqSingleDose  = "models.SeqSingleDose"
	TypeSeqPerDay      = "models.SeqPerDay"
	TypeSeqPerDayRange = "models.SeqPerDayRange"
	TypeSeqInterval    = "models.SeqInterval"
	TypeSeqSeries      = "models.SeqSeries"
)

// SeqSingleDose is one dose at initiation.
type SeqSingleDose struct{}

// SeqPerDay is TotalDoses doses, Frequency per day, equally spaced from
// initiation (Frequency 2 means every 12 hours).
type SeqPerDay struct {
	Frequency  int `json:"frequency"`
	TotalDoses int `json:"totalDoses"`
}

// SeqPerDayRange is like SeqPerDay with a number of doses the user chooses
// in [MinDoses, MaxDoses] when the case is enrolled.
type SeqPerDayRange struct {
	Frequency int `json:"frequency"`
	MinDoses  int `json:"minDoses"`
	MaxDoses  int `json:"maxDoses"`
}

// SeqInterval is TotalDoses doses, Interval apart, the first at initiation.
type SeqInterval struct {
	TotalDoses int      `json:"totalDoses"`
	Interval   Duration `json:"interval"`
}

// SeqSeries is one dose at each offset in Intervals, every offset measured
// from initiation (not from the previous dose): [PT0S, PT3H, PT24H] doses
// at initiation, 3 hours and 24 hours later. No dose is implied at
// initiation: list PT0S for one. (The VCPR schema's own example pairs
// ["PT6H","PT24H"] with the text "starting at initiation", which would
// need an implicit first dose; vetlink does not guess, and DoseText
// renders such a series as "at 6 hours and 24 hours after initiation".)
type SeqSeries struct {
	Intervals []Duration `json:"intervals"`
}

func (*SeqSingleDose) sequenceFunction()  {}
func (*SeqPerDay) sequenceFunction()      {}
func (*SeqPerDayRange) sequenceFunction() {}
func (*SeqInterval) sequenceFunction()    {}
func (*SeqSeries) sequenceFunction()      {}

// TypeName implements SequenceFunction.
func (*SeqSingleDose) TypeName() string { return TypeSeqSingleDose }

// TypeName implements SequenceFunction.
func (*SeqPerDay) TypeName() string { return TypeSeqPerDay }

// TypeName implements SequenceFunction.
func (*SeqPerDayRange) TypeName() string { return TypeSeqPerDayRange }

// TypeName implements SequenceFunction.
func (*SeqInterval) TypeName() string { return TypeSeqInterval }

// TypeName implements SequenceFunction.
func (*SeqSeries) TypeName() string { return TypeSeqSeries }

// MarshalJSON writes the function with its "_type".
func (f *SeqSingleDose) MarshalJSON() ([]byte, error) {
	type plain SeqSingleDose
	return marshalTyped(f.TypeName(), (*plain)(f))
}

// MarshalJSON writes the function with its "_type".
func (f *SeqPerDay) MarshalJSON() ([]byte, error) {
	type plain SeqPerDay
	return marshalTyped(f.TypeName(), (*plain)(f))
}

// MarshalJSON writes the function with its "_type".
func (f *SeqPerDayRange) MarshalJSON() ([]byte, error) {
	type plain SeqPerDayRange
	return marshalTyped(f.TypeName(), (*plain)(f))
}

// MarshalJSON writes the function with its "_type".
func (f *SeqInterval) MarshalJSON() ([]byte, error) {
	type plain SeqInterval
	return marshalTyped(f.TypeName(), (*plain)(f))
}

// MarshalJSON writes the function with its "_type".
func (f *SeqSeries) MarshalJSON() ([]byte, error) {
	type plain SeqSeries
	return marshalTyped(f.TypeName(), (*plain)(f))
}

// DecodeSequenceFunction reads a SequenceFunction from its VCPR JSON,
// choosing the variant by "_type". JSON null yields nil.
func DecodeSequenceFunction(data []byte) (SequenceFunction, error) {
	if isNull(data) {
		return nil, nil
	}
	typ, err := peekType(data)
	if err != nil {
		return nil, fmt.Errorf("sequenceFunction: %w", err)
	}
	ctor, ok := sequenceFunctionTypes[typ]
	if !ok {
		return nil, fmt.Errorf("sequenceFunction: %w %q", ErrUnknownType, typ)
	}
	f := ctor()
	err = json.Unmarshal(data, f)
	if err != nil {
		return nil, fmt.Errorf("sequenceFunction %s: %w", typ, err)
	}
	return f, nil
}

// sequenceFunctionTypes maps each VCPR discriminator to a constructor of its variant.
// The variants decode with plain encoding/json; "_type" is ignored.
var sequenceFunctionTypes = map[string]func() SequenceFunction{
	TypeSeqSingleDose:  func() SequenceFunction { return new(SeqSingleDose) },
	TypeSeqPerDay:      func() SequenceFunction { return new(SeqPerDay) },
	TypeSeqPerDayRange: func() SequenceFunction { return new(SeqPerDayRange) },
	TypeSeqInterval:    func() SequenceFunction { return new(SeqInterval) },
	TypeSeqSeries:      func() SequenceFunction { return new(SeqSeries) },
}
