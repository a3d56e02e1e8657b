package protocol

import (
	"encoding/json"
	"fmt"
)

// CaseData is the data a case supplies to a SizeFunction: one of *NoData,
// *WeightData, *PreferredDoseData, *PrefDoseRateData or *AnimalClassData,
// written in JSON with its VCPR "_type" ("models.WeightData"…). CaseInput.Apply
// copies it into the typed inputs of Plan.
type CaseData interface {
	// TypeName returns the VCPR discriminator, such as "models.WeightData".
	TypeName() string
	caseData()
}

// VCPR discriminators of the CaseData variants.
const (
	TypeNoData            = "models.NoData"
	TypeWeightData        = "models.WeightData"
	TypePreferredDoseData = "models.PreferredDoseData"
	TypePrefDoseRateData  = "models.PrefDoseRateData"
	TypeAnimalClassData   = "models.AnimalClassData"
)

// NoData is a case without data: enough for fixed doses.
type NoData struct{}

// WeightData is the animal's body weight.
type WeightData struct {
	Weight Quantity `json:"weight"`
}

// PreferredDoseData is the dose chosen inside a DoseRangeFunction.
type PreferredDoseData struct {
	PreferredDose DrugQuantity `json:"preferredDose"`
}

// PrefDoseRateData is the animal's weight and the rate chosen inside a
// DoseRangeByWeightFunction (an amount per the function's perUnit).
type PrefDoseRateData struct {
	Weight        Quantity     `json:"weight"`
	PreferredDose DrugQuantity `json:"preferredDose"`
}

// AnimalClassData names the case's class for a DoseByClass function.
type AnimalClassData struct {
	AnimalClass AnimalClass `json:"animalClass"`
}

func (*NoData) caseData()            {}
func (*WeightData) caseData()        {}
func (*PreferredDoseData) caseData() {}
func (*PrefDoseRateData) caseData()  {}
func (*AnimalClassData) caseData()   {}

// TypeName implements CaseData.
func (*NoData) TypeName() string { return TypeNoData }

// TypeName implements CaseData.
func (*WeightData) TypeName() string { return TypeWeightData }

// TypeName implements CaseData.
func (*PreferredDoseData) TypeName() string { return TypePreferredDoseData }

// TypeName implements CaseData.
func (*PrefDoseRateData) TypeName() string { return TypePrefDoseRateData }

// TypeName implements CaseData.
func (*AnimalClassData) TypeName() string { return TypeAnimalClassData }

// MarshalJSON writes the data with its "_type".
func (d *NoData) MarshalJSON() ([]byte, error) {
	type plain NoData
	return marshalTyped(d.TypeName(), (*plain)(d))
}

// MarshalJSON writes the data with its "_type".
func (d *WeightData) MarshalJSON() ([]byte, error) {
	type plain WeightData
	return marshalTyped(d.TypeName(), (*plain)(d))
}

// MarshalJSON writes the data with its "_type".
func (d *PreferredDoseData) MarshalJSON() ([]byte, error) {
	type plain PreferredDoseData
	return marshalTyped(d.TypeName(), (*plain)(d))
}

// MarshalJSON writes the data with its "_type".
func (d *PrefDoseRateData) MarshalJSON() ([]byte, error) {
	type plain PrefDoseRateData
	return marshalTyped(d.TypeName(), (*plain)(d))
}

// MarshalJSON writes the data with its "_type".
func (d *AnimalClassData) MarshalJSON() ([]byte, error) {
	type plain AnimalClassData
	return marshalTyped(d.TypeName(), (*plain)(d))
}

// DecodeCaseData reads CaseData from its VCPR JSON, choosing the variant by
// "_type". JSON null yields nil.
func DecodeCaseData(data []byte) (CaseData, error) {
	if isNull(data) {
		return nil, nil
	}
	typ, err := peekType(data)
	if err != nil {
		return nil, fmt.Errorf("caseData: %w", err)
	}
	ctor, ok := caseDataTypes[typ]
	if !ok {
		return nil, fmt.Errorf("caseData: %w %q", ErrUnknownType, typ)
	}
	d := ctor()
	err = json.Unmarshal(data, d)
	if err != nil {
		return nil, fmt.Errorf("caseData %s: %w", typ, err)
	}
	return d, nil
}

// caseDataTypes maps each VCPR discriminator to a constructor of its variant.
// The variants decode with plain encoding/json; "_type" is ignored.
var caseDataTypes = map[string]func() CaseData{
	TypeNoData:            func() CaseData { return new(NoData) },
	TypeWeightData:        func() CaseData { return new(WeightData) },
	TypePreferredDoseData: func() CaseData { return new(PreferredDoseData) },
	TypePrefDoseRateData:  func() CaseData { return new(PrefDoseRateData) },
	TypeAnimalClassData:   func() CaseData { return new(AnimalClassData) },
}
