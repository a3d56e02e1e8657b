package protocol

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func fieldsOf(t *testing.T, err error) map[string]error {
	t.Helper()
	var probs Problems
	require.True(t, errors.As(err, &probs), "want Problems, got %v", err)
	out := make(map[string]error, len(probs))
	for _, p := range probs {
		out[p.Field] = p.Err
	}
	return out
}

func TestValidateFlunixinProtocolIsClean(t *testing.T) {
	p := loadProtocol(t, "protocol_flunixin.json")
	require.NoError(t, Validate(p, nil))
}

func TestValidateReportsEveryProblem(t *testing.T) {
	p := loadProtocol(t, "protocol_flunixin.json")
	p.Name = " "
	p.Status = "SAVED"
	neg := Int(-85044115)
	p.WtMeatHrs = &neg
	tr := p.Treatments[0]
	tr.Route = ""
	tr.WtMeatHrs, tr.WtMilkHrs = nil, nil
	tr.SizeFunction = &DoseRangeByWeightFunction{
		Range: DrugQuantityRange{
			Min: DrugQuantity{Q(MustParseNumber("2.2"), Milligram)},
			Max: DrugQuantity{Q(MustParseNumber("1.1"), Milligram)},
		},
		PerUnit: Q(Int(1), Milliliter),
	}
	tr.SequenceFunction = &SeqSeries{Intervals: []Duration{Hours(24), Hours(0)}}
	p.Treatments = []Treatment{tr, {Product: "B", Route: "IM", SizeFunction: &FixedDoseFunction{Dose: DrugQuantity{Q(Int(0), Milliliter)}}, SequenceFunction: &SeqPerDay{Frequency: 25, TotalDoses: 1}}}
	p.WtMilkHrs = nil
	p.Promises[0].Name = "ID"
	p.Tags = []Tag{{Name: "A-VERY-LONG-TAG-NAME"}}

	err := Validate(p, nil)
	got := fieldsOf(t, err)
	want := map[string]error{
		"name":                               ErrInvalid,
		"status":                             ErrInvalid,
		"wtMeatHrs":                          ErrInvalid,
		"treatments[0].route":                ErrInvalid,
		"treatments[0].sizeFunction.range":   ErrInvalid,
		"treatments[0].sizeFunction.perUnit": ErrInvalid,
		"treatments[0].sequenceFunction.intervals[1]": ErrInvalid,
		"treatments[0].wtMilkHrs":                     ErrInvalid,
		"treatments[1].sizeFunction.dose":             ErrInvalid,
		"treatments[1].sequenceFunction.frequency":    ErrInvalid,
		"treatments[1].wtMilkHrs":                     ErrInvalid,
		"promises[0].name":                            ErrInvalid,
		"tags[0].name":                                ErrInvalid,
	}
	require.Equal(t, want, got)
	require.Contains(t, err.Error(), "protocol: wtMeatHrs -85044115: must be between 0 and 87600")
	require.ErrorIs(t, err, ErrInvalid)
}

func TestValidateAgainstLabel(t *testing.T) {
	p := loadProtocol(t, "protocol_flunixin.json")
	id := int64(101)
	p.Treatments[0].LabelID = &id
	claim := LabelClaim{ID: 101, FDASpecies: SpeciesList{BeefCattle, DairyCattle}, WtMeatHrs: Int(96), WtMilkHrs: Int(36)}
	require.NoError(t, Validate(p, []LabelClaim{claim}))

	short := Int(72)
	p.Treatments[0].WtMeatHrs = &short
	p.WtMeatHrs = &short
	err := Validate(p, []LabelClaim{claim})
	require.ErrorIs(t, err, ErrBelowLabel)
	require.EqualError(t, err, "protocol: treatments[0].wtMeatHrs 72: must not be below the label's 96 hours (label claim 101)")

	// ONLABEL with a class the label does not cover.
	p = loadProtocol(t, "protocol_flunixin.json")
	p.Treatments[0].LabelID = &id
	p.Treatments[0].Eligibilities = []Eligibility{{Name: "Goats", FDASpecies: Goats}}
	err = Validate(p, []LabelClaim{claim})
	require.Equal(t, map[string]error{"treatments[0].eligibilities[0].fdaSpecies": ErrInvalid}, fieldsOf(t, err))
}

func TestCheckEligibility(t *testing.T) {
	p := &Protocol{Eligibilities: []Eligibility{{Name: "Cows", FDASpecies: DairyCattle}, {Name: "Calves", FDASpecies: Calves}, {Name: "Birds", FDASpecies: Chickens}}}
	tests := []struct {
		class Species
		want  error
	}{
		{DairyCattle, nil},
		{DairyCalves, nil},
		{CalvesNotVeal, nil},
		{ChickensBroilers, nil},
		{DairyCattleNonLactating, ErrNotEligible},
		{BeefCattle, ErrNotEligible},
		{"", ErrMissingInput},
	}
	for _, tt := range tests {
		err := CheckEligibility(p, Animal{Class: tt.class})
		if tt.want == nil {
			require.NoError(t, err, tt.class)
		} else {
			require.ErrorIs(t, err, tt.want, tt.class)
		}
	}
	err := CheckEligibility(p, Animal{Class: BeefCattle})
	require.EqualError(t, err, "protocol: animal.class BeefCattle: must be one of the protocol's eligible classes: DairyCattle, Calves, Chickens")
	require.ErrorIs(t, CheckEligibility(&Protocol{}, Animal{Class: BeefCattle}), ErrNotEligible)
}

func TestDairyClassAndAge(t *testing.T) {
	require.Equal(t, DairyCattle, DairyClass(true), "a dry cow is lactating dairy cattle for FDA")
	require.Equal(t, DairyHeifers, DairyClass(false))
	born := time.Date(2022, 3, 15, 0, 0, 0, 0, time.UTC)
	a := Animal{Class: DairyHeifers, Female: true, Born: born}
	require.False(t, a.MonthsOldAtLeast(20, time.Date(2023, 11, 14, 23, 59, 0, 0, time.UTC)))
	require.True(t, a.MonthsOldAtLeast(20, time.Date(2023, 11, 15, 0, 0, 0, 0, time.UTC)), "boundary is inclusive")
	require.True(t, Animal{}.MonthsOldAtLeast(20, born), "unknown age counts as old enough")
	// Born 31 August: 20 months old on 30 April, the month having no 31st.
	aug31 := Animal{Class: DairyHeifers, Female: true, Born: time.Date(2022, 8, 31, 0, 0, 0, 0, time.UTC)}
	require.False(t, aug31.MonthsOldAtLeast(20, time.Date(2024, 4, 29, 23, 59, 0, 0, time.UTC)))
	require.True(t, aug31.MonthsOldAtLeast(20, time.Date(2024, 4, 30, 0, 0, 0, 0, time.UTC)), "doubt falls on the side of the ban")
}

func TestParseSpecies(t *testing.T) {
	tests := []struct {
		in   string
		want Species
	}{
		{"dairy_cattle", DairyCattle},
		{"Calves,", Calves},
		{"DairyCattle", DairyCattle},
		{"beef cattle", BeefCattle},
		{"Non-lactating dairy cattle", DairyCattleNonLactating},
		{"lactating dairy cattle", DairyCattle},
		{"CHICKENS-BROILERS", ChickensBroilers},
		{"swine", Swine},
	}
	for _, tt := range tests {
		got, err := ParseSpecies(tt.in)
		require.NoError(t, err, tt.in)
		require.Equal(t, tt.want, got, tt.in)
	}
	_, err := ParseSpecies("unicorns")
	require.ErrorIs(t, err, ErrUnknownSpecies)
	require.False(t, DairyCattleNonLactating.Covers(DairyCattle))
	require.False(t, DairyCattle.Covers(DairyCattleNonLactating))
	require.True(t, Swine.Covers(SwineBreeding))
	require.False(t, SwineBreeding.Covers(Swine))
}
