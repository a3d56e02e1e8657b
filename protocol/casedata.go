package protocol

import (
	"encoding/json"
	"errors"
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

// UnmarshalJSON reads WeightData; the weight is read with DecodeWeight, so
// a float from another system (1322.7735731092084 lb) is rounded to 1 g
// rather than refused.
func (d *WeightData) UnmarshalJSON(data []byte) error {
	var w struct {
		Weight json.RawMessage `json:"weight"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	q, err := DecodeWeight(w.Weight)
	if err != nil {
		return err
	}
	*d = WeightData{Weight: q}
	return nil
}

// UnmarshalJSON reads PrefDoseRateData; the weight is read with
// DecodeWeight, the preferred rate exactly.
func (d *PrefDoseRateData) UnmarshalJSON(data []byte) error {
	var w struct {
		Weight        json.RawMessage `json:"weight"`
		PreferredDose DrugQuantity    `json:"preferredDose"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	q, err := DecodeWeight(w.Weight)
	if err != nil {
		return err
	}
	*d = PrefDoseRateData{Weight: q, PreferredDose: w.PreferredDose}
	return nil
}

// WeightResolution is the precision a body weight is kept to: 1 g. Scales
// on farms read to 0.5 kg at best, so nothing real is lost, and doses by
// weight stay exact Numbers.
var WeightResolution = Q(Int(1), Gram)

// weightPlaces is the number of decimal places of unit u whose step is at
// most WeightResolution: 3 for kg and lb (0.001 lb is 0.45 g), 2 for oz, 0
// for g and mg, 6 for a tonne.
func weightPlaces(u Unit) (int, error) {
	if u.Dimension() != Mass {
		return 0, fmt.Errorf("%w: %s is not a unit of mass", ErrDimension, u)
	}
	f, err := u.Factor()
	if err != nil {
		return 0, err
	}
	step := f // mg per unit
	limit := Int(1000)
	for p := 0; p <= 9; p++ {
		if step.Cmp(limit) <= 0 {
			return p, nil
		}
		if step, err = step.Quo(Int(10)); err != nil {
			return 0, err
		}
	}
	return 9, nil
}

// RoundWeight rounds w once, half-up, to WeightResolution in its own unit
// (600.0004 kg is 600 kg; 1322.7735731 lb is 1322.774 lb). Keeping the
// unit keeps a label's "per 100 lb" basis exact. A weight already on the
// grid is returned unchanged.
func RoundWeight(w Quantity) (Quantity, error) {
	p, err := weightPlaces(w.Unit)
	if err != nil {
		return Quantity{}, fmt.Errorf("protocol: weight %s: %w", w, err)
	}
	v, err := w.Value.Round(p, HalfUp)
	if err != nil {
		return Quantity{}, fmt.Errorf("protocol: weight %s: %w", w, err)
	}
	out := w
	out.Value = v
	return out, nil
}

// DecodeWeight reads a body weight in the VCPR quantity form. Unlike a dose
// (read exactly by Quantity.UnmarshalJSON), the value may be any finite
// decimal a JSON number can carry: weights come from scales and other
// systems as floats, so the value is rounded once to WeightResolution (see
// RoundWeight) instead of failing with ErrOverflow. It must be a positive
// mass no larger than MaxWeight(""), 12000 kg; Plan checks the limit of
// the animal's own class.
func DecodeWeight(data []byte) (Quantity, error) {
	if isNull(data) || len(data) == 0 {
		return Quantity{}, nil
	}
	var w quantityWire
	if err := json.Unmarshal(data, &w); err != nil {
		return Quantity{}, fmt.Errorf("protocol: weight: %w", err)
	}
	if len(w.Value) == 0 {
		return Quantity{}, errors.New("protocol: weight: missing value")
	}
	out := Quantity{}
	if w.Dimension != nil {
		d, ok := parseDimension(*w.Dimension)
		if !ok || d != Mass {
			return Quantity{}, fmt.Errorf("protocol: weight dimension %q: %w: a weight is a Mass", *w.Dimension, ErrDimension)
		}
		out.wireDim, out.hasDim = *w.Dimension, true
	}
	u, err := ParseUnit(w.Symbol, Mass)
	if err != nil {
		return Quantity{}, fmt.Errorf("protocol: weight symbol: %w", err)
	}
	p, err := weightPlaces(u)
	if err != nil {
		return Quantity{}, fmt.Errorf("protocol: weight %s %s: %w", w.Value, w.Symbol, err)
	}
	v, err := RoundDecimal(string(w.Value), p)
	if err != nil {
		// Only a value far beyond any animal overflows after rounding.
		return Quantity{}, fieldErr("weight", string(w.Value)+" "+w.Symbol,
			"exceeds "+MaxWeight(OtherSpecies).String()+", the largest body weight accepted for any class", ErrOutOfRange)
	}
	out.Value, out.Unit = v, u
	if err := CheckWeight(out, ""); err != nil {
		return Quantity{}, err
	}
	return out, nil
}

// Generous upper bounds on body weight per FDA class, so that only a data
// error (a 1e15 kg cow, grams sent as kilograms) is refused, never a heavy
// animal. The cattle bound was checked against the heaviest bovines
// reported (the Chianina bull Donetto, 1740 kg; the steer Field Marshall,
// 1670 kg). The others are round figures well above the mature weight of
// the heaviest breeds of each kind, not checked against a record: a
// refused weight names its class and the bound, and raising a bound is a
// one-line change. Classes not listed, and DecodeWeight before the class
// is known, get 12000 kg.
var maxWeightKg = map[Species]int64{
	BeefCattle: 2000, Calves: 2000, CalvesNotVeal: 2000, DairyCalves: 2000, DairyHeifers: 2000,
	DairyCattle: 2000, DairyCattleNonLactating: 2000, Bison: 2000,
	Swine: 1200, SwineBreeding: 1200,
	Horses: 1600,
	Sheep:  300, Goats: 250, Llamas: 300,
	Chickens: 20, ChickensBroilers: 20, ChickensNotLaying: 20, ChickensReplacements: 20, Gamebirds: 20,
	Turkeys: 50, TurkeysGrowing: 50, TurkeysMeatProducing: 50, TurkeysNotLaying: 50,
	Emus: 100,
	Fish: 350, Catfish: 350, Salmon: 350,
	Dogs: 160, Cats: 25,
}

// MaxWeight returns the largest body weight accepted for an animal of
// class s (see maxWeightKg for the sources). An unknown class gets the
// bound of OtherSpecies, 12000 kg.
func MaxWeight(s Species) Quantity {
	if kg, ok := maxWeightKg[s]; ok {
		return Q(Int(kg), Kilogram)
	}
	return Q(Int(12000), Kilogram)
}

// CheckWeight requires w to be a positive mass no larger than MaxWeight(s).
// The error is a *FieldError on "case.weight" naming the class and the
// limit, wrapping ErrOutOfRange for an absurd weight and ErrInvalid for one
// that is not a positive mass.
func CheckWeight(w Quantity, s Species) error {
	if w.IsZero() || w.Dimension() != Mass || w.Value.Sign() <= 0 {
		return fieldErr("case.weight", w.String(), "must be a positive mass", ErrInvalid)
	}
	limit := MaxWeight(s)
	// Compare in the weight's own unit: converting an absurd weight to mg
	// could overflow, converting the limit cannot.
	lim, err := limit.In(w.Unit)
	if err != nil {
		return fieldErr("case.weight", w.String(), err.Error(), ErrInvalid)
	}
	if w.Value.Cmp(lim.Value) > 0 {
		class := string(s)
		if class == "" {
			class = "any class"
		}
		return fieldErr("case.weight", w.String(), fmt.Sprintf("exceeds %s, the largest body weight accepted for %s", limit, class), ErrOutOfRange)
	}
	return nil
}
