package protocol

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDoseSize(t *testing.T) {
	mg := func(s string) DrugQuantity { return DrugQuantity{Q(MustParseNumber(s), Milligram)} }
	ml := func(s string) DrugQuantity { return DrugQuantity{Q(MustParseNumber(s), Milliliter)} }
	kg1 := Q(Int(1), Kilogram)
	byClass := &DoseByClass{AnimalClasses: []AnimalClass{
		{"Calves", &FixedDoseFunction{Dose: ml("2")}},
		{"Adult cattle", &DoseByWeightFunction{Dose: ml("1"), PerUnit: Q(Int(100), Pound)}},
	}}
	rangeFn := &DoseRangeFunction{Range: DrugQuantityRange{Min: ml("10"), Max: ml("12.5")}}
	rateRange := &DoseRangeByWeightFunction{Range: DrugQuantityRange{Min: mg("1.1"), Max: mg("2.2")}, PerUnit: kg1}
	tests := []struct {
		name string
		f    SizeFunction
		in   CaseInput
		n    int
		want string
		err  error
	}{
		{"fixed", &FixedDoseFunction{Dose: ml("3")}, CaseInput{}, 0, "3 ml", nil},
		{"by weight", &DoseByWeightFunction{Dose: mg("2.2"), PerUnit: kg1}, CaseInput{Weight: Q(Int(600), Kilogram)}, 0, "1320 mg", nil},
		{"by weight in lb", &DoseByWeightFunction{Dose: ml("1"), PerUnit: Q(Int(100), Pound)}, CaseInput{Weight: Q(Int(1320), Pound)}, 0, "13.2 ml", nil},
		{"by weight, tonne weight", &DoseByWeightFunction{Dose: mg("2.2"), PerUnit: kg1}, CaseInput{Weight: Q(MustParseNumber("0.6"), Tonne)}, 0, "1320 mg", nil},
		{"by weight, ambiguous ton", &DoseByWeightFunction{Dose: mg("2.2"), PerUnit: kg1}, CaseInput{Weight: Q(MustParseNumber("0.6"), AmbiguousTon)}, 0, "", ErrInvalid},
		{"by weight without weight", &DoseByWeightFunction{Dose: mg("2.2"), PerUnit: kg1}, CaseInput{}, 0, "", ErrMissingInput},
		{"by weight, weight in ml", &DoseByWeightFunction{Dose: mg("2.2"), PerUnit: kg1}, CaseInput{Weight: Q(Int(600), Milliliter)}, 0, "", ErrInvalid},
		{"loading first", &LoadingDoseByWeightFunction{FirstDose: mg("55"), FollowDose: mg("27.5"), PerUnit: kg1}, CaseInput{Weight: Q(Int(300), Kilogram)}, 0, "16500 mg", nil},
		{"loading follow", &LoadingDoseByWeightFunction{FirstDose: mg("55"), FollowDose: mg("27.5"), PerUnit: kg1}, CaseInput{Weight: Q(Int(300), Kilogram)}, 3, "8250 mg", nil},
		{"range, chosen inside", rangeFn, CaseInput{PreferredDose: Q(MustParseNumber("12.5"), Milliliter)}, 0, "12.5 ml", nil},
		{"range, min boundary", rangeFn, CaseInput{PreferredDose: Q(MustParseNumber("0.01"), Liter)}, 0, "0.01 L", nil},
		{"range, above max", rangeFn, CaseInput{PreferredDose: Q(MustParseNumber("12.51"), Milliliter)}, 0, "", ErrOutOfRange},
		{"range, wrong dimension", rangeFn, CaseInput{PreferredDose: Q(Int(12), Milligram)}, 0, "", ErrInvalid},
		{"range, no choice", rangeFn, CaseInput{}, 0, "", ErrMissingInput},
		{"range, min above max", &DoseRangeFunction{Range: DrugQuantityRange{Min: ml("5"), Max: ml("3")}}, CaseInput{PreferredDose: Q(Int(4), Milliliter)}, 0, "", ErrInvalid},
		{"rate range", rateRange, CaseInput{Weight: Q(Int(600), Kilogram), PreferredRate: Q(MustParseNumber("1.5"), Milligram)}, 0, "900 mg", nil},
		{"rate range, top", rateRange, CaseInput{Weight: Q(Int(600), Kilogram), PreferredRate: Q(MustParseNumber("0.0022"), Gram)}, 0, "1.32 g", nil},
		{"rate range, below", rateRange, CaseInput{Weight: Q(Int(600), Kilogram), PreferredRate: Q(Int(1), Milligram)}, 0, "", ErrOutOfRange},
		{"by class, calves", byClass, CaseInput{AnimalClass: "calves"}, 0, "2 ml", nil},
		{"by class, adults by weight", byClass, CaseInput{AnimalClass: "Adult cattle", Weight: Q(Int(1500), Pound)}, 0, "15 ml", nil},
		{"by class, unknown", byClass, CaseInput{AnimalClass: "Goats"}, 0, "", ErrOutOfRange},
		{"by class, none", byClass, CaseInput{}, 0, "", ErrMissingInput},
		{"negative fixed dose", &FixedDoseFunction{Dose: ml("-3")}, CaseInput{}, 0, "", ErrInvalid},
		{"nil", nil, CaseInput{}, 0, "", ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DoseSize(tt.f, &tt.in, tt.n)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				var fe *FieldError
				require.ErrorAs(t, err, &fe)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got.String())
		})
	}
}

func TestOffsets(t *testing.T) {
	h := time.Hour
	tests := []struct {
		name  string
		f     SequenceFunction
		count int
		want  []time.Duration
		err   error
	}{
		{"single", &SeqSingleDose{}, 0, []time.Duration{0}, nil},
		{"q24h x3", &SeqPerDay{Frequency: 1, TotalDoses: 3}, 0, []time.Duration{0, 24 * h, 48 * h}, nil},
		{"3 a day", &SeqPerDay{Frequency: 3, TotalDoses: 4}, 0, []time.Duration{0, 8 * h, 16 * h, 24 * h}, nil},
		{"7 a day stays exact", &SeqPerDay{Frequency: 7, TotalDoses: 8}, 0, []time.Duration{0, 12342857142857, 24685714285714, 37028571428571, 49371428571428, 61714285714285, 74057142857142, 24 * h}, nil},
		{"range chosen", &SeqPerDayRange{Frequency: 2, MinDoses: 2, MaxDoses: 6}, 3, []time.Duration{0, 12 * h, 24 * h}, nil},
		{"range boundary", &SeqPerDayRange{Frequency: 1, MinDoses: 3, MaxDoses: 5}, 5, []time.Duration{0, 24 * h, 48 * h, 72 * h, 96 * h}, nil},
		{"range outside", &SeqPerDayRange{Frequency: 1, MinDoses: 3, MaxDoses: 5}, 6, nil, ErrOutOfRange},
		{"range unchosen", &SeqPerDayRange{Frequency: 1, MinDoses: 3, MaxDoses: 5}, 0, nil, ErrMissingInput},
		{"range inverted", &SeqPerDayRange{Frequency: 1, MinDoses: 5, MaxDoses: 3}, 4, nil, ErrInvalid},
		{"interval", &SeqInterval{TotalDoses: 3, Interval: Hours(8)}, 0, []time.Duration{0, 8 * h, 16 * h}, nil},
		{"interval zero", &SeqInterval{TotalDoses: 3, Interval: Hours(0)}, 0, nil, ErrInvalid},
		{"series from initiation", &SeqSeries{Intervals: []Duration{Hours(0), Hours(3), Hours(24)}}, 0, []time.Duration{0, 3 * h, 24 * h}, nil},
		{"series decreasing", &SeqSeries{Intervals: []Duration{Hours(6), Hours(3)}}, 0, nil, ErrInvalid},
		{"series empty", &SeqSeries{}, 0, nil, ErrInvalid},
		{"zero doses", &SeqPerDay{Frequency: 1, TotalDoses: 0}, 0, nil, ErrInvalid},
		{"25 a day", &SeqPerDay{Frequency: 25, TotalDoses: 1}, 0, nil, ErrInvalid},
		{"too many", &SeqInterval{TotalDoses: MaxDoses + 1, Interval: Hours(1)}, 0, nil, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Offsets(tt.f, tt.count)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestCaseInputApply(t *testing.T) {
	tests := []struct {
		json  string
		check func(t *testing.T, c CaseInput)
	}{
		{`{"_type":"models.NoData"}`, func(t *testing.T, c CaseInput) { require.Equal(t, CaseInput{}, c) }},
		{`{"_type":"models.WeightData","weight":{"value":1320,"symbol":"lb"}}`, func(t *testing.T, c CaseInput) {
			require.Equal(t, "1320 lb", c.Weight.String())
		}},
		{`{"_type":"models.PreferredDoseData","preferredDose":{"quantity":{"value":12,"symbol":"ml"}}}`, func(t *testing.T, c CaseInput) {
			require.Equal(t, "12 ml", c.PreferredDose.String())
		}},
		{`{"_type":"models.PrefDoseRateData","weight":{"value":600,"symbol":"kg"},"preferredDose":{"quantity":{"value":1.5,"symbol":"mg"}}}`, func(t *testing.T, c CaseInput) {
			require.Equal(t, "600 kg", c.Weight.String())
			require.Equal(t, "1.5 mg", c.PreferredRate.String())
		}},
		{`{"_type":"models.AnimalClassData","animalClass":{"animalClass":"Calves","sizeFunction":null}}`, func(t *testing.T, c CaseInput) {
			require.Equal(t, "Calves", c.AnimalClass)
		}},
	}
	for _, tt := range tests {
		d, err := DecodeCaseData([]byte(tt.json))
		require.NoError(t, err, tt.json)
		var c CaseInput
		require.NoError(t, c.Apply(d))
		tt.check(t, c)
	}
}

func TestPlanTreatmentAndDoseByClass(t *testing.T) {
	var tr Treatment
	require.NoError(t, json.Unmarshal([]byte(`{"product":"Penicillin G procaine","route":"IM",
		"sequenceFunction":{"_type":"models.SeqInterval","totalDoses":2,"interval":"PT24H"},
		"sizeFunction":{"_type":"models.DoseByClass","animalClasses":[
			{"animalClass":"Calves","sizeFunction":{"_type":"models.FixedDoseFunction","dose":{"quantity":{"value":5,"symbol":"ml"}}}},
			{"animalClass":"Cows","sizeFunction":{"_type":"models.DoseByWeightFunction","dose":{"quantity":{"value":1,"symbol":"ml"}},"perUnit":{"value":100,"symbol":"lb"}}}]}}`), &tr))
	doses, err := PlanTreatment(&tr, CaseInput{
		Initiation:  mustTime(t, "2024-05-01T08:00:00Z"),
		AnimalClass: "Cows",
		Weight:      Q(Int(1450), Pound),
		Products:    map[string]Product{"Penicillin G procaine": {MaxPerSite: Q(Int(10), Milliliter)}},
	})
	require.NoError(t, err)
	require.Len(t, doses, 2)
	require.Equal(t, "14.5 ml", doses[1].Volume.String())
	require.Equal(t, 2, doses[1].Sites)
	require.Equal(t, mustTime(t, "2024-05-02T08:00:00Z"), doses[1].At)
}
