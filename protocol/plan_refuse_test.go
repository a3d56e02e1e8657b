package protocol

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Tests for issue 11, "Planning refuses what it cannot compute".

var (
	flunixinName = "Banamine (flunixin meglumine) 50 mg/mL"
	fifty        = Concentration{Amount: Q(Int(50), Milligram), Per: Q(Int(1), Milliliter)}
)

func flunixinCase(t testing.TB) CaseInput {
	return CaseInput{
		Initiation: mustTime(t, "2024-03-01T06:00:00Z"),
		Weight:     Q(Int(600), Kilogram),
		Products:   map[string]Product{flunixinName: {Concentration: fifty}},
	}
}

func TestPlanRefusesLoadingDoseMixedDimensions(t *testing.T) {
	p := loadProtocol(t, "protocol_flunixin.json")
	p.Treatments[0].SizeFunction = &LoadingDoseByWeightFunction{
		FirstDose:  DrugQuantity{Q(Int(60), Milligram)},
		FollowDose: DrugQuantity{Q(Int(30), Milliliter)},
		PerUnit:    Q(Int(1), Kilogram),
	}
	// Validate refuses it…
	err := Validate(p, nil)
	require.ErrorIs(t, err, ErrInvalid)
	require.ErrorContains(t, err, "treatments[0].sizeFunction 60 mg, 30 ml: first and follow doses must have the same dimension")
	// …and so does Plan, with the same words, instead of planning 36000 mg
	// then 18000 ml.
	_, err = Plan(p, flunixinCase(t))
	require.ErrorIs(t, err, ErrInvalid)
	require.EqualError(t, err, "protocol: treatments[0].sizeFunction 60 mg, 30 ml: first and follow doses must have the same dimension")
	_, err = PlanTreatment(&p.Treatments[0], flunixinCase(t))
	require.ErrorIs(t, err, ErrInvalid)
}

func TestPlanRunsValidateFunctionChecks(t *testing.T) {
	tests := []struct {
		name string
		size SizeFunction
		seq  SequenceFunction
		want string
	}{
		{"range min above max", &DoseRangeFunction{Range: DrugQuantityRange{Min: DrugQuantity{Q(Int(5), Milliliter)}, Max: DrugQuantity{Q(Int(2), Milliliter)}}}, &SeqSingleDose{},
			"protocol: treatments[0].sizeFunction.range [5 ml, 2 ml]: min must not exceed max"},
		{"per unit not a mass", &DoseByWeightFunction{Dose: DrugQuantity{Q(Int(2), Milligram)}, PerUnit: Q(Int(1), Milliliter)}, &SeqSingleDose{},
			"protocol: treatments[0].sizeFunction.perUnit 1 ml: must be a positive mass"},
		{"missing size", nil, &SeqSingleDose{}, "protocol: treatments[0].sizeFunction: is required"},
		{"missing sequence", &FixedDoseFunction{Dose: DrugQuantity{Q(Int(2), Milliliter)}}, nil, "protocol: treatments[0].sequenceFunction: is required"},
		{"empty class list", &DoseByClass{}, &SeqSingleDose{}, "protocol: treatments[0].sizeFunction.animalClasses []: must list at least one class"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := loadProtocol(t, "protocol_flunixin.json")
			p.Treatments[0].SizeFunction, p.Treatments[0].SequenceFunction = tt.size, tt.seq
			c := flunixinCase(t)
			c.AnimalClass = "Adult"
			_, err := Plan(p, c)
			require.ErrorIs(t, err, ErrInvalid)
			require.EqualError(t, err, tt.want)
		})
	}
}

func TestPlanRefusesNoTreatments(t *testing.T) {
	p := loadProtocol(t, "protocol_flunixin.json")
	p.Treatments = nil
	_, err := Plan(p, flunixinCase(t))
	require.ErrorIs(t, err, ErrInvalid)
	require.EqualError(t, err, "protocol: treatments []: must list at least one treatment")
}

func TestPlanChecksConcentration(t *testing.T) {
	units := &FixedDoseFunction{Dose: DrugQuantity{Q(Int(3_000_000), UnitActivity)}}
	tests := []struct {
		name string
		size SizeFunction // nil: the protocol's 2.2 mg/kg
		prod *Product     // nil: no entry at all
		want string       // "" for success
		kind error
		vol  string
	}{
		{name: "mg per ml", prod: &Product{Concentration: fifty}, vol: "26.4 ml"},
		{name: "g per L converts", prod: &Product{Concentration: Concentration{Amount: Q(Int(50), Gram), Per: Q(Int(1), Liter)}}, vol: "0.0264 L"},
		{name: "missing for a mass dose", prod: nil, kind: ErrMissingInput,
			want: `protocol: case.products "Banamine (flunixin meglumine) 50 mg/mL": has no concentration, needed to turn treatments[0]'s dose of 1320 mg into a volume (key it "ndc:NADA 101-479")`},
		{name: "entry without concentration", prod: &Product{MaxPerSite: Q(Int(10), Milliliter)}, kind: ErrMissingInput,
			want: `protocol: case.products "Banamine (flunixin meglumine) 50 mg/mL": has no concentration, needed to turn treatments[0]'s dose of 1320 mg into a volume (key it "ndc:NADA 101-479")`},
		{name: "zero amount", prod: &Product{Concentration: Concentration{Amount: Q(Int(0), Milligram), Per: Q(Int(1), Milliliter)}}, kind: ErrInvalid,
			want: `protocol: case.products "Banamine (flunixin meglumine) 50 mg/mL": concentration 0 mg/ml of treatments[0] must have a positive amount`},
		{name: "negative amount", prod: &Product{Concentration: Concentration{Amount: Q(Int(-50), Milligram), Per: Q(Int(1), Milliliter)}}, kind: ErrInvalid,
			want: `protocol: case.products "Banamine (flunixin meglumine) 50 mg/mL": concentration -50 mg/ml of treatments[0] must have a positive amount`},
		{name: "per a mass", prod: &Product{Concentration: Concentration{Amount: Q(Int(50), Milligram), Per: Q(Int(1), Gram)}}, kind: ErrInvalid,
			want: `protocol: case.products "Banamine (flunixin meglumine) 50 mg/mL": concentration 50 mg/g of treatments[0] must be per a volume (ml), not per g`},
		{name: "per a bolus", prod: &Product{Concentration: Concentration{Amount: Q(Int(15), Gram), Per: Q(Int(1), Each)}}, kind: ErrInvalid,
			want: `protocol: case.products "Banamine (flunixin meglumine) 50 mg/mL": concentration 15 g/ea of treatments[0] must be per a volume (ml), not per ea`},
		{name: "per zero ml", prod: &Product{Concentration: Concentration{Amount: Q(Int(50), Milligram), Per: Q(Int(0), Milliliter)}}, kind: ErrInvalid,
			want: `protocol: case.products "Banamine (flunixin meglumine) 50 mg/mL": concentration 50 mg per 0 ml of treatments[0] must be per a positive volume`},
		{name: "units for a mg dose", prod: &Product{Concentration: Concentration{Amount: Q(Int(300000), UnitActivity), Per: Q(Int(1), Milliliter)}}, kind: ErrInvalid,
			want: `protocol: case.products "Banamine (flunixin meglumine) 50 mg/mL": concentration 300000 U/ml is per Activity, but treatments[0]'s dose 1320 mg is a Mass (give mg per ml)`},
		{name: "mg for a units dose", size: units, prod: &Product{Concentration: fifty}, kind: ErrInvalid,
			want: `protocol: case.products "Banamine (flunixin meglumine) 50 mg/mL": concentration 50 mg/ml is per Mass, but treatments[0]'s dose 3000000 U is a Activity (give U per ml)`},
		{name: "U per ml for units", size: units, prod: &Product{Concentration: Concentration{Amount: Q(Int(300000), UnitActivity), Per: Q(Int(1), Milliliter)}}, vol: "10 ml"},
		{name: "volume dose needs none", size: &FixedDoseFunction{Dose: DrugQuantity{Q(Int(12), Milliliter)}}, prod: nil, vol: "12 ml"},
		{name: "bad concentration refused even for a volume dose", size: &FixedDoseFunction{Dose: DrugQuantity{Q(Int(12), Milliliter)}},
			prod: &Product{Concentration: Concentration{Amount: Q(Int(50), Milligram), Per: Q(Int(1), Each)}}, kind: ErrInvalid,
			want: `protocol: case.products "Banamine (flunixin meglumine) 50 mg/mL": concentration 50 mg/ea of treatments[0] must be per a volume (ml), not per ea`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := loadProtocol(t, "protocol_flunixin.json")
			if tt.size != nil {
				p.Treatments[0].SizeFunction = tt.size
			}
			c := flunixinCase(t)
			c.Products = nil
			if tt.prod != nil {
				c.Products = map[string]Product{flunixinName: *tt.prod}
			}
			plan, err := Plan(p, c)
			if tt.want != "" {
				require.ErrorIs(t, err, tt.kind)
				require.EqualError(t, err, tt.want)
				return
			}
			require.NoError(t, err)
			for _, d := range plan.Doses {
				require.Equal(t, tt.vol, d.Volume.String())
			}
		})
	}
}

func TestPlanTypoInProductIsError(t *testing.T) {
	p := loadProtocol(t, "protocol_flunixin.json")
	c := flunixinCase(t)
	c.Products = map[string]Product{"Banamine (flunixin meglumin) 50 mg/mL": {Concentration: fifty}}
	_, err := Plan(p, c)
	require.ErrorIs(t, err, ErrInvalid)
	require.EqualError(t, err, `protocol: case.products "Banamine (flunixin meglumin) 50 mg/mL": matches no treatment of the protocol; its products are "Banamine (flunixin meglumine) 50 mg/mL" (ndc:NADA 101-479)`)
	_, err = PlanTreatment(&p.Treatments[0], c)
	require.ErrorIs(t, err, ErrInvalid)
}

func TestPlanProductKeys(t *testing.T) {
	label := int64(12)
	tests := []struct {
		key   string
		label bool
		match bool
	}{
		{key: flunixinName, match: true},
		{key: "  banamine (FLUNIXIN meglumine)   50 mg/ml ", match: true},
		{key: "name:Banamine (flunixin meglumine) 50 mg/mL", match: true},
		{key: "ndc:NADA 101-479", match: true},
		{key: "ndc:nada101479", match: true},
		{key: "NDC:NADA 101-479", match: true},
		{key: "id:T-1", match: true},
		{key: "label:12", label: true, match: true},
		{key: "label:12", match: false},
		{key: "label:13", label: true, match: false},
		{key: "ndc:NADA 101-480", match: false},
		{key: "Banamine 50 mg/mL", match: false},
		{key: "id:T-2", match: false},
		{key: "", match: false},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			p := loadProtocol(t, "protocol_flunixin.json")
			if tt.label {
				p.Treatments[0].LabelID = &label
			}
			require.Equal(t, tt.match, p.Treatments[0].MatchesKey(tt.key))
			c := flunixinCase(t)
			c.Products = map[string]Product{tt.key: {Concentration: fifty}}
			plan, err := Plan(p, c)
			if !tt.match {
				require.ErrorIs(t, err, ErrInvalid)
				require.ErrorContains(t, err, "matches no treatment")
				return
			}
			require.NoError(t, err)
			require.Equal(t, "26.4 ml", plan.Doses[0].Volume.String())
		})
	}
	p := loadProtocol(t, "protocol_flunixin.json")
	require.Equal(t, "ndc:NADA 101-479", p.Treatments[0].ProductKey())
	p.Treatments[0].LabelID = &label
	require.Equal(t, "label:12", p.Treatments[0].ProductKey())
	p.Treatments[0].LabelID, p.Treatments[0].NDC = nil, ""
	require.Equal(t, "name:banamine (flunixin meglumine) 50 mg/ml", p.Treatments[0].ProductKey())

	// Two keys for one product are refused rather than one chosen.
	c := flunixinCase(t)
	c.Products["ndc:NADA 101-479"] = Product{Concentration: fifty}
	_, err := Plan(loadProtocol(t, "protocol_flunixin.json"), c)
	require.ErrorIs(t, err, ErrInvalid)
	require.ErrorContains(t, err, "both name treatments[0]")
}

func TestPlanDosesOnly(t *testing.T) {
	p := loadProtocol(t, "protocol_flunixin.json")
	c := flunixinCase(t)
	c.Products, c.DosesOnly = nil, true
	plan, err := Plan(p, c)
	require.NoError(t, err)
	for _, d := range plan.Doses {
		require.Equal(t, "1320 mg", d.Dose.String())
		require.True(t, d.Volume.IsZero())
	}
	// A typo is still an error, and a given concentration is still used.
	c.Products = map[string]Product{"Banamin": {Concentration: fifty}}
	_, err = Plan(p, c)
	require.ErrorIs(t, err, ErrInvalid)
	c.Products = map[string]Product{flunixinName: {Concentration: fifty}}
	plan, err = Plan(p, c)
	require.NoError(t, err)
	require.Equal(t, "26.4 ml", plan.Doses[0].Volume.String())
}

func TestWeightFloatFromOtherSystem(t *testing.T) {
	tests := []struct {
		name, value, symbol string
		want, vol           string
	}{
		{"float in lb", "1322.7735731092084", "lb", "1322.774 lb", "26.4 ml"},
		{"float in kg", "600.0000000000001", "kg", "600 kg", "26.4 ml"},
		{"more digits than a float", "599.99999999999999999999999999999", "kg", "600 kg", "26.4 ml"},
		{"exponent", "6.0e2", "KG", "600 kg", "26.4 ml"},
		{"exact stays exact", "1320", "lb", "1320 lb", "26.3 ml"},
		{"grams", "600000.4", "g", "600000 g", "26.4 ml"},
		{"ounces", "21164.377", "oz", "21164.38 oz", "26.4 ml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := `{"_type":"models.WeightData","weight":{"dimension":"Mass","value":` + tt.value + `,"symbol":"` + tt.symbol + `"}}`
			d, err := DecodeCaseData([]byte(data))
			require.NoError(t, err)
			require.Equal(t, tt.want, d.(*WeightData).Weight.String())

			p := loadProtocol(t, "protocol_flunixin.json")
			c := flunixinCase(t)
			require.NoError(t, c.Apply(d))
			plan, err := Plan(p, c)
			require.NoError(t, err)
			// 2.2 mg/kg of about 600 kg at 50 mg/ml is about 26.4 ml.
			require.Equal(t, tt.vol, plan.Doses[0].Volume.Format(1))
		})
	}
	// The same weight set from Go is rounded by Plan, not refused with
	// ErrOverflow.
	p := loadProtocol(t, "protocol_flunixin.json")
	c := flunixinCase(t)
	c.Weight = Q(MustParseNumber("1322.7735731092084"), Pound)
	plan, err := Plan(p, c)
	require.NoError(t, err)
	require.Equal(t, "1320.0004 mg", plan.Doses[0].Dose.Format(4))
	// PrefDoseRateData rounds its weight too.
	d, err := DecodeCaseData([]byte(`{"_type":"models.PrefDoseRateData","weight":{"value":1322.7735731092084,"symbol":"lbs"},"preferredDose":{"quantity":{"value":1.5,"symbol":"mg"}}}`))
	require.NoError(t, err)
	require.Equal(t, "1322.774 lb", d.(*PrefDoseRateData).Weight.String())
	require.Equal(t, "1.5 mg", d.(*PrefDoseRateData).PreferredDose.Quantity.String())
}

func TestAbsurdWeightRefused(t *testing.T) {
	// At decode, before the class is known: beyond any animal.
	for _, v := range []string{"1e15", "1e300", "12000.001"} {
		_, err := DecodeCaseData([]byte(`{"_type":"models.WeightData","weight":{"value":` + v + `,"symbol":"kg"}}`))
		require.ErrorIs(t, err, ErrOutOfRange, v)
		require.ErrorContains(t, err, "12000 kg, the largest body weight accepted for any class", v)
	}
	for _, v := range []string{"0", "-600", "1e-9"} {
		_, err := DecodeCaseData([]byte(`{"_type":"models.WeightData","weight":{"value":` + v + `,"symbol":"kg"}}`))
		require.ErrorIs(t, err, ErrInvalid, v)
	}
	_, err := DecodeCaseData([]byte(`{"_type":"models.WeightData","weight":{"value":600,"symbol":"ml"}}`))
	require.ErrorIs(t, err, ErrDimension)

	// In Plan, the animal's class sets the limit.
	tests := []struct {
		species Species
		weight  Quantity
		want    string
	}{
		{DairyCattle, Q(MustParseNumber("1e15"), Kilogram), "protocol: case.weight 1000000000000000 kg: exceeds 2000 kg, the largest body weight accepted for DairyCattle"},
		{DairyCattle, Q(Int(2001), Kilogram), "protocol: case.weight 2001 kg: exceeds 2000 kg, the largest body weight accepted for DairyCattle"},
		{Goats, Q(Int(600), Kilogram), "protocol: case.weight 600 kg: exceeds 250 kg, the largest body weight accepted for Goats"},
		{"", Q(Int(4410), Pound), "protocol: case.weight 4410 lb: exceeds 2000 kg, the largest body weight accepted for DairyCattle"},
	}
	for _, tt := range tests {
		p := loadProtocol(t, "protocol_flunixin.json")
		c := flunixinCase(t)
		c.Species, c.Weight = tt.species, tt.weight
		_, err := Plan(p, c)
		require.ErrorIs(t, err, ErrOutOfRange)
		require.EqualError(t, err, tt.want)
	}
	p := loadProtocol(t, "protocol_flunixin.json")
	c := flunixinCase(t)
	c.Weight = Q(Int(4400), Pound) // 1995.8 kg: a heavy bull, accepted
	_, err = Plan(p, c)
	require.NoError(t, err)
	require.Equal(t, "12000 kg", MaxWeight("Aardvark").String())
}

const dosageTreatment = `{"id":"T-1","product":"Banamine","route":"IV","wtMeatHrs":96,
 "eligibilities":[{"name":"Lactating dairy cows","fdaSpecies":"DairyCattle"}],"wtMilkHrs":36,
 "dosage":{"sizeFunction":{"_type":"models.DoseByWeightFunction","dose":{"quantity":{"value":%s,"symbol":"mg"}},"perUnit":{"value":1,"symbol":"kg"}},
           "sequenceFunction":{"_type":"models.SeqPerDay","frequency":1,"totalDoses":%s}}%s}`

func treatmentJSON(t *testing.T, dose, total, top string) Treatment {
	t.Helper()
	var tr Treatment
	data := []byte(sprintf(dosageTreatment, dose, total, top))
	require.NoError(t, json.Unmarshal(data, &tr), string(data))
	return tr
}

func TestDosageMemberDisagrees(t *testing.T) {
	top := `,"sizeFunction":{"_type":"models.DoseByWeightFunction","dose":{"quantity":{"dimension":"Mass","value":2.2,"symbol":"mg"}},"perUnit":{"value":1000,"symbol":"g"}},
	 "sequenceFunction":{"_type":"models.SeqPerDay","frequency":1,"totalDoses":3}`
	tests := []struct {
		name, dose, total, top string
		want                   string
	}{
		{"agrees by value", "2.20", "3", top, ""},
		{"different dose", "4.4", "3", top,
			"protocol: treatments[0].dosage.sizeFunction.dose.quantity 4.4 mg: disagrees with sizeFunction.dose.quantity 2.2 mg; the dosage member and the top-level functions must describe the same dose"},
		{"different count", "2.2", "5", top,
			"protocol: treatments[0].dosage.sequenceFunction.totalDoses 5: disagrees with sequenceFunction.totalDoses 3; the dosage member and the top-level functions must describe the same schedule"},
		{"different type", "2.2", "3", `,"sequenceFunction":{"_type":"models.SeqSingleDose"},"sizeFunction":{"_type":"models.DoseByWeightFunction","dose":{"quantity":{"value":2.2,"symbol":"mg"}},"perUnit":{"value":1,"symbol":"kg"}}`,
			"protocol: treatments[0].dosage.sequenceFunction._type models.SeqPerDay: disagrees with sequenceFunction._type models.SeqSingleDose; the dosage member and the top-level functions must describe the same schedule"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := loadProtocol(t, "protocol_flunixin.json")
			p.Treatments = []Treatment{treatmentJSON(t, tt.dose, tt.total, tt.top)}
			c := flunixinCase(t)
			c.Products = map[string]Product{"Banamine": {Concentration: fifty}}
			_, perr := Plan(p, c)
			verr := Validate(p, nil)
			if tt.want == "" {
				require.NoError(t, perr)
				require.NoError(t, verr)
				return
			}
			require.ErrorIs(t, perr, ErrInvalid)
			require.EqualError(t, perr, tt.want)
			require.ErrorIs(t, verr, ErrInvalid)
			require.EqualError(t, verr, tt.want)
		})
	}
	// A malformed dosage is reported, not ignored.
	p := loadProtocol(t, "protocol_flunixin.json")
	p.Treatments[0].Dosage = json.RawMessage(`{"sizeFunction":{"_type":"models.Nonsense"}}`)
	err := Validate(p, nil)
	require.ErrorIs(t, err, ErrInvalid)
	require.ErrorContains(t, err, "treatments[0].dosage: must be a DoseId or DoseFunctions")
	// A DoseId carries no functions to compare.
	p.Treatments[0].Dosage = json.RawMessage(`{"doseId":42}`)
	require.NoError(t, Validate(p, nil))
}

func TestDosageOnlyTreatmentIsRead(t *testing.T) {
	tr := treatmentJSON(t, "2.2", "3", "")
	require.Equal(t, &DoseByWeightFunction{Dose: DrugQuantity{Q(MustParseNumber("2.2"), Milligram)}, PerUnit: Q(Int(1), Kilogram)}, normalisedSize(tr.SizeFunction))
	require.Equal(t, &SeqPerDay{Frequency: 1, TotalDoses: 3}, tr.SequenceFunction)
	p := loadProtocol(t, "protocol_flunixin.json")
	p.Treatments = []Treatment{tr}
	require.NoError(t, Validate(p, nil))
	c := flunixinCase(t)
	c.Products = map[string]Product{"Banamine": {Concentration: fifty}}
	plan, err := Plan(p, c)
	require.NoError(t, err)
	require.Len(t, plan.Doses, 3)
	require.Equal(t, "26.4 ml", plan.Doses[2].Volume.String())
	// Written back, it still carries its dosage member, and decodes the same.
	out, err := json.Marshal(tr)
	require.NoError(t, err)
	var again Treatment
	require.NoError(t, json.Unmarshal(out, &again))
	require.JSONEq(t, string(tr.Dosage), string(again.Dosage))
	require.NoError(t, Validate(&Protocol{Name: "x", Status: StatusValidated, Treatments: []Treatment{again}}, nil))
}

// normalisedSize drops the wire spelling of the dimension so that decoded
// and constructed functions compare equal.
func normalisedSize(f SizeFunction) SizeFunction {
	if d, ok := f.(*DoseByWeightFunction); ok {
		return &DoseByWeightFunction{Dose: DrugQuantity{Q(d.Dose.Quantity.Value, d.Dose.Quantity.Unit)}, PerUnit: Q(d.PerUnit.Value, d.PerUnit.Unit)}
	}
	return f
}

func TestPlanPerTreatmentChoices(t *testing.T) {
	// Two drugs with ranges that do not overlap: no single preferred dose
	// fits both, so each treatment gets its own.
	p := &Protocol{Name: "two ranges", Status: StatusValidated, Treatments: []Treatment{
		{ID: "A", Product: "Drug A", Route: "IM", SequenceFunction: &SeqPerDayRange{Frequency: 1, MinDoses: 1, MaxDoses: 3},
			SizeFunction: &DoseRangeFunction{Range: DrugQuantityRange{Min: DrugQuantity{Q(Int(1), Milliliter)}, Max: DrugQuantity{Q(Int(2), Milliliter)}}}},
		{ID: "B", Product: "Drug B", Route: "IM", SequenceFunction: &SeqPerDayRange{Frequency: 2, MinDoses: 4, MaxDoses: 6},
			SizeFunction: &DoseRangeByWeightFunction{Range: DrugQuantityRange{Min: DrugQuantity{Q(Int(5), Milligram)}, Max: DrugQuantity{Q(Int(10), Milligram)}}, PerUnit: Q(Int(1), Kilogram)}},
		{ID: "C", Product: "Drug C", Route: "PO", SequenceFunction: &SeqSingleDose{},
			SizeFunction: &DoseByClass{AnimalClasses: []AnimalClass{
				{AnimalClass: "Calf", SizeFunction: &FixedDoseFunction{Dose: DrugQuantity{Q(Int(1), Each)}}},
				{AnimalClass: "Cow", SizeFunction: &FixedDoseFunction{Dose: DrugQuantity{Q(Int(2), Each)}}}}}},
	}}
	c := CaseInput{
		Initiation:  mustTime(t, "2024-03-01T06:00:00Z"),
		Weight:      Q(Int(100), Kilogram),
		DoseCount:   2, // default, used by A
		AnimalClass: "Cow",
		PerTreatment: map[string]Choices{
			"name:drug a": {PreferredDose: Q(MustParseNumber("1.5"), Milliliter)},
			"id:B":        {PreferredRate: Q(Int(8), Milligram), DoseCount: 5},
		},
		Products: map[string]Product{"Drug B": {Concentration: Concentration{Amount: Q(Int(200), Milligram), Per: Q(Int(1), Milliliter)}}},
	}
	plan, err := Plan(p, c)
	require.NoError(t, err)
	count := map[int]int{}
	for _, d := range plan.Doses {
		count[d.Treatment]++
		switch d.Treatment {
		case 0:
			require.Equal(t, "1.5 ml", d.Dose.String())
			require.Equal(t, "1.5 ml", d.Volume.String())
		case 1:
			require.Equal(t, "800 mg", d.Dose.String())
			require.Equal(t, "4 ml", d.Volume.String())
		case 2:
			require.Equal(t, "2 ea", d.Dose.String())
			require.True(t, d.Volume.IsZero(), "a count of boluses is its own amount")
		}
	}
	require.Equal(t, map[int]int{0: 2, 1: 5, 2: 1}, count)

	// Without per-treatment choices the top-level dose count cannot fit
	// both ranges.
	c.PerTreatment = map[string]Choices{"Drug A": {PreferredDose: Q(Int(1), Milliliter)}, "Drug B": {PreferredRate: Q(Int(8), Milligram)}}
	_, err = Plan(p, c)
	require.ErrorIs(t, err, ErrOutOfRange)
	require.EqualError(t, err, "protocol: case.doseCount 2: must lie in [4, 6] inclusive")

	// A choice for a product the protocol does not have is an error.
	c.PerTreatment = map[string]Choices{"Drug D": {DoseCount: 5}}
	_, err = Plan(p, c)
	require.ErrorIs(t, err, ErrInvalid)
	require.ErrorContains(t, err, `case.perTreatment "Drug D": matches no treatment`)
}

func TestRoundWeight(t *testing.T) {
	tests := []struct{ in, want string }{
		{"600.0004 kg", "600 kg"},
		{"600.0005 kg", "600.001 kg"},
		{"1000 lb", "1000 lb"},
		{"12.345 oz", "12.35 oz"},
		{"500.5 g", "501 g"},
		{"1.5 mg", "2 mg"},
		{"0.6543217 t", "0.654322 t"},
	}
	for _, tt := range tests {
		q, err := ParseQuantity(tt.in, Mass)
		if errors.Is(err, ErrAmbiguousUnit) {
			q, err = q.Disambiguate(Tonne)
		}
		if tt.in == "0.6543217 t" {
			q = Q(MustParseNumber("0.6543217"), Tonne)
			err = nil
		}
		require.NoError(t, err)
		got, err := RoundWeight(q)
		require.NoError(t, err)
		require.Equal(t, tt.want, got.String(), tt.in)
	}
	_, err := RoundWeight(Q(Int(1), Milliliter))
	require.ErrorIs(t, err, ErrDimension)
	_, err = RoundWeight(Q(Int(1), AmbiguousTon))
	require.ErrorIs(t, err, ErrAmbiguousUnit)
	_ = time.Second
}

func sprintf(format string, a ...any) string { return fmt.Sprintf(format, a...) }

// FuzzDecodeWeight checks that a weight from another system is either
// refused or a positive mass on the 1 g grid within the limit for any
// class.
func FuzzDecodeWeight(f *testing.F) {
	for _, s := range []string{
		`{"dimension":"Mass","value":1322.7735731092084,"symbol":"lb"}`,
		`{"value":1e15,"symbol":"kg"}`,
		`{"value":6.0e2,"symbol":"KG"}`,
		`{"value":-1,"symbol":"kg"}`,
		`{"value":1,"symbol":"t"}`,
		`{"value":1,"symbol":"ton"}`,
		`{"value":0.0000000001,"symbol":"mg"}`,
		`null`,
	} {
		f.Add([]byte(s))
	}
	limit := MaxWeight("")
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := DecodeWeight(data)
		if err != nil || w.IsZero() {
			return
		}
		if w.Dimension() != Mass || w.Value.Sign() <= 0 {
			t.Fatalf("%s decoded to %s, not a positive mass", data, w)
		}
		r, err := RoundWeight(w)
		if err != nil || r.Value != w.Value {
			t.Fatalf("%s decoded to %s, not on the 1 g grid (%v, %v)", data, w, r, err)
		}
		lim, err := limit.In(w.Unit)
		if err != nil || w.Value.Cmp(lim.Value) > 0 {
			t.Fatalf("%s decoded to %s, above %s", data, w, limit)
		}
		if _, err := w.In(Kilogram); err != nil {
			t.Fatalf("%s decoded to %s, which does not convert to kg: %v", data, w, err)
		}
	})
}

func TestPlanTreatmentWeightLimitFromItsEligibility(t *testing.T) {
	p := loadProtocol(t, "protocol_flunixin.json")
	tr := p.Treatments[0]
	tr.Eligibilities = []Eligibility{{Name: "Goats", FDASpecies: Goats}}
	c := flunixinCase(t) // 600 kg
	_, err := PlanTreatment(&tr, c)
	require.ErrorIs(t, err, ErrOutOfRange)
	require.EqualError(t, err, "protocol: case.weight 600 kg: exceeds 250 kg, the largest body weight accepted for Goats")
	c.Weight = Q(Int(80), Kilogram)
	doses, err := PlanTreatment(&tr, c)
	require.NoError(t, err)
	require.Equal(t, "3.52 ml", doses[0].Volume.String())
}
