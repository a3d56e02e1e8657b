package protocol

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Moved from amduca_test.go when EstimateByHalfLife gained its commodity
// (issue 11, "Withdrawal options and estimates").

func TestEstimateByHalfLifeRoundsToCommodity(t *testing.T) {
	mg := func(s string) Quantity { return Q(MustParseNumber(s), Milligram) }
	tests := []struct {
		name            string
		c               Commodity
		label, halfLife time.Duration
		labelDose, dose Quantity
		want            time.Duration
	}{
		// Flunixin-like: label 96 h at 2.2 mg/kg, t½ 8 h, doubled dose:
		// 104 h, which is 4 1/3 days: 5 days for meat.
		{"meat doubled", Meat, 96 * time.Hour, 8 * time.Hour, mg("2.2"), mg("4.4"), 120 * time.Hour},
		// Three times the dose: 96 + 8×log2(3) = 108.68 h: 5 days.
		{"meat tripled", Meat, 96 * time.Hour, 8 * time.Hour, mg("1"), mg("3"), 120 * time.Hour},
		{"eggs like meat", Eggs, 96 * time.Hour, 8 * time.Hour, mg("1"), mg("3"), 120 * time.Hour},
		// Milk 36 h, doubled: 44 h, up to the fourth milking, 48 h.
		{"milk doubled", Milk, 36 * time.Hour, 8 * time.Hour, mg("2.2"), mg("4.4"), 48 * time.Hour},
		// Milk 36 h, t½ 4 h, doubled: 40 h, four milkings: 48 h.
		{"milk short half-life", Milk, 36 * time.Hour, 4 * time.Hour, mg("2"), mg("4"), 48 * time.Hour},
		// 24 h + 2 h: 26 h, three milkings: 36 h (a whole day would be 48).
		{"milk milkings not days", Milk, 24 * time.Hour, 2 * time.Hour, mg("2"), mg("4"), 36 * time.Hour},
		// A lower dose never shortens the label withdrawal, and a label
		// period already whole is kept.
		{"lower dose", Meat, 96 * time.Hour, 8 * time.Hour, mg("2"), mg("1"), 96 * time.Hour},
		{"label not whole is rounded", Meat, 100 * time.Hour, 8 * time.Hour, mg("2"), mg("1"), 120 * time.Hour},
		{"zero stays zero", Milk, 0, 8 * time.Hour, mg("2"), mg("1"), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := EstimateByHalfLife(tt.c, tt.label, tt.halfLife, tt.labelDose, tt.dose)
			require.NoError(t, err)
			require.Equal(t, tt.want, e.Period)
			require.True(t, e.NeedsVetSignOff)
		})
	}
	_, err := EstimateByHalfLife(Meat, -time.Hour, 8*time.Hour, mg("2"), mg("1"))
	require.ErrorIs(t, err, ErrInvalid)
	_, err = EstimateByHalfLife(Meat, time.Hour, 8*time.Hour, mg("2"), Q(Int(1), Milliliter))
	require.ErrorIs(t, err, ErrInvalid)
	_, err = EstimateByHalfLife(0, time.Hour, 8*time.Hour, mg("2"), mg("1"))
	require.ErrorIs(t, err, ErrInvalid)
	require.EqualError(t, err, "protocol: commodity Commodity(0): must be Meat, Milk or Eggs")
}

func TestCascadeMinimum(t *testing.T) {
	tests := []struct {
		c          Commodity
		longest    time.Duration
		authorised bool
		want       time.Duration
	}{
		{Meat, 96 * time.Hour, true, 144 * time.Hour},
		// 1.5 × 5 days = 7.5 days: 8 days.
		{Meat, 5 * 24 * time.Hour, true, 8 * 24 * time.Hour},
		// 1.5 × 36 h = 54 h: five milkings, 60 h.
		{Milk, 36 * time.Hour, true, 60 * time.Hour},
		// 1.5 × 5 h = 7.5 h: one milking.
		{Milk, 5 * time.Hour, true, 12 * time.Hour},
		{Milk, 60 * time.Hour, true, 96 * time.Hour},
		{Meat, 0, true, 24 * time.Hour},
		{Milk, 0, true, 24 * time.Hour},
		{Eggs, 0, true, 24 * time.Hour},
		{Meat, 0, false, 28 * 24 * time.Hour},
		{Milk, 0, false, 7 * 24 * time.Hour},
		// Eggs: 1.5 × 3 days = 4.5 days: 5 days; not authorised: 14 days.
		{Eggs, 3 * 24 * time.Hour, true, 5 * 24 * time.Hour},
		{Eggs, 7 * time.Hour, true, 24 * time.Hour},
		{Eggs, 0, false, 14 * 24 * time.Hour},
	}
	for _, tt := range tests {
		e, err := CascadeMinimum(tt.c, tt.longest, tt.authorised)
		require.NoError(t, err)
		require.Equal(t, tt.want, e.Period, "%v %v %v", tt.c, tt.longest, tt.authorised)
		require.True(t, e.NeedsVetSignOff)
	}
	_, err := CascadeMinimum(0, time.Hour, true)
	require.ErrorIs(t, err, ErrInvalid)
	_, err = CascadeMinimum(Eggs, -time.Hour, true)
	require.ErrorIs(t, err, ErrInvalid)
}

func TestRoundPeriod(t *testing.T) {
	require.Equal(t, 24*time.Hour, RoundPeriod(Meat, time.Nanosecond))
	require.Equal(t, 24*time.Hour, RoundPeriod(Eggs, 24*time.Hour))
	require.Equal(t, 12*time.Hour, RoundPeriod(Milk, time.Nanosecond))
	require.Equal(t, 36*time.Hour, RoundPeriod(Milk, 25*time.Hour))
	require.Equal(t, time.Duration(0), RoundPeriod(Milk, 0))
	require.Equal(t, "eggs", Eggs.String())
}
