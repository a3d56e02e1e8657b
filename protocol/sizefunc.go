package protocol

import (
	"encoding/json"
	"fmt"
)

// SizeFunction computes the size of each dose of a Treatment. It is one of
// *FixedDoseFunction, *DoseByWeightFunction, *LoadingDoseByWeightFunction,
// *DoseRangeFunction, *DoseRangeByWeightFunction or *DoseByClass, written
// in JSON with its VCPR "_type" discriminator ("models.FixedDoseFunction"…).
//
// Use DecodeSizeFunction to read one from JSON, Size to evaluate one for a
// case, and Validate to check it without a case.
type SizeFunction interface {
	// TypeName returns the VCPR discriminator, such as
	// "models.DoseByWeightFunction".
	TypeName() string
	sizeFunction()
}

// VCPR discriminators of the SizeFunction variants.
const (
	TypeFixedDose           = "models.FixedDoseFunction"
	TypeDoseByWeight        = "models.DoseByWeightFunction"
	TypeLoadingDoseByWeight = "models.LoadingDoseByWeightFunction"
	TypeDoseRange           = "models.DoseRangeFunction"
	TypeDoseRangeByWeight   = "models.DoseRangeByWeightFunction"
	TypeDoseByClass         = "models.DoseByClass"
)

// FixedDoseFunction gives every dose the same amount.
type FixedDoseFunction struct {
	Dose DrugQuantity `json:"dose"`
}

// DoseByWeightFunction gives Dose for every PerUnit of body weight, such as
// 2.2 mg per 1 kg or 1 ml per 100 lb.
type DoseByWeightFunction struct {
	Dose    DrugQuantity `json:"dose"`
	PerUnit Quantity     `json:"perUnit"`
}

// Rate returns the function's dose rate in its declared basis.
func (f *DoseByWeightFunction) Rate() DoseRate {
	return DoseRate{Dose: f.Dose.Quantity, Per: f.PerUnit}
}

// LoadingDoseByWeightFunction gives FirstDose per PerUnit of body weight for
// the first dose and FollowDose for every later one.
type LoadingDoseByWeightFunction struct {
	FirstDose  DrugQuantity `json:"firstDose"`
	FollowDose DrugQuantity `json:"followDose"`
	PerUnit    Quantity     `json:"perUnit"`
}

// DoseRangeFunction lets the user choose any amount in Range, inclusive.
// The case supplies the choice as its preferred dose.
type DoseRangeFunction struct {
	Range DrugQuantityRange `json:"range"`
}

// DoseRangeByWeightFunction lets the user choose any rate in Range per
// PerUnit of body weight, inclusive. The case supplies the chosen rate (the
// amount per PerUnit) and the weight.
type DoseRangeByWeightFunction struct {
	Range   DrugQuantityRange `json:"range"`
	PerUnit Quantity          `json:"perUnit"`
}

// DoseByClass chooses a SizeFunction by the case's animal class, such as
// "Calves" and "Adult cattle".
type DoseByClass struct {
	AnimalClasses []AnimalClass `json:"animalClasses"`
}

// AnimalClass is a named class of animals and the SizeFunction that doses
// it.
type AnimalClass struct {
	AnimalClass  string       `json:"animalClass"`
	SizeFunction SizeFunction `json:"sizeFunction"`
}

func (*FixedDoseFunction) sizeFunction()           {}
func (*DoseByWeightFunction) sizeFunction()        {}
func (*LoadingDoseByWeightFunction) sizeFunction() {}
func (*DoseRangeFunction) sizeFunction()           {}
func (*DoseRangeByWeightFunction) sizeFunction()   {}
func (*DoseByClass) sizeFunction()                 {}

// TypeName implements SizeFunction.
func (*FixedDoseFunction) TypeName() string { return TypeFixedDose }

// TypeName implements SizeFunction.
func (*DoseByWeightFunction) TypeName() string { return TypeDoseByWeight }

// TypeName implements SizeFunction.
func (*LoadingDoseByWeightFunction) TypeName() string { return TypeLoadingDoseByWeight }

// TypeName implements SizeFunction.
func (*DoseRangeFunction) TypeName() string { return TypeDoseRange }

// TypeName implements SizeFunction.
func (*DoseRangeByWeightFunction) TypeName() string { return TypeDoseRangeByWeight }

// TypeName implements SizeFunction.
func (*DoseByClass) TypeName() string { return TypeDoseByClass }

// MarshalJSON writes the function with its "_type".
func (f *FixedDoseFunction) MarshalJSON() ([]byte, error) {
	type plain FixedDoseFunction
	return marshalTyped(f.TypeName(), (*plain)(f))
}

// MarshalJSON writes the function with its "_type".
func (f *DoseByWeightFunction) MarshalJSON() ([]byte, error) {
	type plain DoseByWeightFunction
	return marshalTyped(f.TypeName(), (*plain)(f))
}

// MarshalJSON writes the function with its "_type".
func (f *LoadingDoseByWeightFunction) MarshalJSON() ([]byte, error) {
	type plain LoadingDoseByWeightFunction
	return marshalTyped(f.TypeName(), (*plain)(f))
}

// MarshalJSON writes the function with its "_type".
func (f *DoseRangeFunction) MarshalJSON() ([]byte, error) {
	type plain DoseRangeFunction
	return marshalTyped(f.TypeName(), (*plain)(f))
}

// MarshalJSON writes the function with its "_type".
func (f *DoseRangeByWeightFunction) MarshalJSON() ([]byte, error) {
	type plain DoseRangeByWeightFunction
	return marshalTyped(f.TypeName(), (*plain)(f))
}

// MarshalJSON writes the function with its "_type".
func (f *DoseByClass) MarshalJSON() ([]byte, error) {
	type plain DoseByClass
	return marshalTyped(f.TypeName(), (*plain)(f))
}

// UnmarshalJSON reads an AnimalClass, decoding its polymorphic
// sizeFunction.
func (c *AnimalClass) UnmarshalJSON(data []byte) error {
	var w struct {
		AnimalClass  string          `json:"animalClass"`
		SizeFunction json.RawMessage `json:"sizeFunction"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	sf, err := DecodeSizeFunction(w.SizeFunction)
	if err != nil {
		return fmt.Errorf("animalClass %q: %w", w.AnimalClass, err)
	}
	*c = AnimalClass{AnimalClass: w.AnimalClass, SizeFunction: sf}
	return nil
}

// DecodeSizeFunction reads a SizeFunction from its VCPR JSON, choosing the
// variant by "_type". JSON null yields a nil SizeFunction.
func DecodeSizeFunction(data []byte) (SizeFunction, error) {
	if isNull(data) {
		return nil, nil
	}
	typ, err := peekType(data)
	if err != nil {
		return nil, fmt.Errorf("sizeFunction: %w", err)
	}
	ctor, ok := sizeFunctionTypes[typ]
	if !ok {
		return nil, fmt.Errorf("sizeFunction: %w %q", ErrUnknownType, typ)
	}
	f := ctor()
	err = json.Unmarshal(data, f)
	if err != nil {
		return nil, fmt.Errorf("sizeFunction %s: %w", typ, err)
	}
	return f, nil
}

// sizeFunctionTypes maps each VCPR discriminator to a constructor of its variant.
// The variants decode with plain encoding/json; "_type" is ignored.
var sizeFunctionTypes = map[string]func() SizeFunction{
	TypeFixedDose:           func() SizeFunction { return new(FixedDoseFunction) },
	TypeDoseByWeight:        func() SizeFunction { return new(DoseByWeightFunction) },
	TypeLoadingDoseByWeight: func() SizeFunction { return new(LoadingDoseByWeightFunction) },
	TypeDoseRange:           func() SizeFunction { return new(DoseRangeFunction) },
	TypeDoseRangeByWeight:   func() SizeFunction { return new(DoseRangeByWeightFunction) },
	TypeDoseByClass:         func() SizeFunction { return new(DoseByClass) },
}
