package protocol

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDoseText(t *testing.T) {
	mg := func(s string) DrugQuantity { return DrugQuantity{Q(MustParseNumber(s), Milligram)} }
	ml := func(s string) DrugQuantity { return DrugQuantity{Q(MustParseNumber(s), Milliliter)} }
	kg := Q(Int(1), Kilogram)
	tests := []struct {
		size  SizeFunction
		seq   SequenceFunction
		route string
		want  string
	}{
		{&DoseByWeightFunction{Dose: mg("2.2"), PerUnit: kg}, &SeqPerDay{Frequency: 1, TotalDoses: 3}, "IV", "2.2 mg per kg IV every 24 hours for 3 doses"},
		{&DoseByWeightFunction{Dose: ml("1"), PerUnit: Q(Int(100), Pound)}, &SeqPerDayRange{Frequency: 1, MinDoses: 1, MaxDoses: 4}, "IM", "1 ml per 100 lb IM every 24 hours for 1 to 4 doses"},
		{&FixedDoseFunction{Dose: mg("500")}, &SeqSingleDose{}, "intramammary", "500 mg intramammary once"},
		{&LoadingDoseByWeightFunction{FirstDose: mg("55"), FollowDose: mg("27.5"), PerUnit: kg}, &SeqInterval{TotalDoses: 5, Interval: Hours(24)}, "IV", "55 mg per kg first, then 27.5 mg per kg IV every 24 hours for 5 doses"},
		{&DoseRangeFunction{Range: DrugQuantityRange{Min: ml("10"), Max: ml("12.5")}}, &SeqPerDay{Frequency: 2, TotalDoses: 6}, "SC", "10 to 12.5 ml SC every 12 hours for 6 doses"},
		{&DoseRangeByWeightFunction{Range: DrugQuantityRange{Min: mg("1.1"), Max: DrugQuantity{Q(MustParseNumber("0.0022"), Gram)}}, PerUnit: kg}, &SeqPerDay{Frequency: 3, TotalDoses: 1}, "", "1.1 mg to 0.0022 g per kg once"},
		{&DoseByClass{AnimalClasses: []AnimalClass{{"Calves", &FixedDoseFunction{Dose: ml("2")}}, {"Cows", &FixedDoseFunction{Dose: ml("5")}}}}, &SeqSeries{Intervals: []Duration{Hours(0), Hours(3), Hours(24)}}, "IM", "Calves: 2 ml; Cows: 5 ml IM at initiation, 3 hours and 24 hours after initiation"},
		{&FixedDoseFunction{Dose: ml("3")}, &SeqSeries{Intervals: []Duration{Hours(6)}}, "PO", "3 ml PO at 6 hours after initiation"},
		{&FixedDoseFunction{Dose: ml("3")}, &SeqInterval{TotalDoses: 2, Interval: DurationOf(90 * 60 * 1e9)}, "PO", "3 ml PO every 90 minutes for 2 doses"},
	}
	for _, tt := range tests {
		got, err := DoseText(tt.size, tt.seq, tt.route)
		require.NoError(t, err)
		require.Equal(t, tt.want, got)
	}
}

func TestDoseTextRejectsInvalid(t *testing.T) {
	_, err := DoseText(&DoseRangeFunction{Range: DrugQuantityRange{
		Min: DrugQuantity{Q(Int(5), Milliliter)}, Max: DrugQuantity{Q(Int(3), Milliliter)},
	}}, &SeqPerDay{Frequency: 1, TotalDoses: 0}, "IM")
	require.Equal(t, map[string]error{"sizeFunction.range": ErrInvalid, "sequenceFunction.totalDoses": ErrInvalid}, fieldsOf(t, err))
	require.Contains(t, err.Error(), "protocol: sizeFunction.range [5 ml, 3 ml]: min must not exceed max")
}

func TestRenderDoseMatchesFixture(t *testing.T) {
	p := loadProtocol(t, "protocol_flunixin.json")
	tr := p.Treatments[0]
	want := tr.Dose
	tr.Dose = ""
	require.NoError(t, tr.RenderDose())
	require.Equal(t, want, tr.Dose)
}
