package protocol

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in   string
		want string
		num  int64
		den  int64
	}{
		{"0", "0", 0, 1},
		{"-0", "0", 0, 1},
		{"26.4", "26.4", 132, 5},
		{"0.45359237", "0.45359237", 45359237, 100000000},
		{"2.20", "2.2", 11, 5},
		{"-3", "-3", -3, 1},
		{"1e-3", "0.001", 1, 1000},
		{"1.5E2", "150", 150, 1},
		{"0.0001", "0.0001", 1, 10000},
		{"300000", "300000", 300000, 1},
		{"123456789012345678", "123456789012345678", 123456789012345678, 1},
		{"1000000000000000000", "1000000000000000000", 1000000000000000000, 1},
	}
	for _, tt := range tests {
		n, err := ParseNumber(tt.in)
		require.NoError(t, err, tt.in)
		require.Equal(t, tt.want, n.String(), tt.in)
		require.Equal(t, tt.num, n.Num(), tt.in)
		require.Equal(t, tt.den, n.Den(), tt.in)
	}
}

func TestParseNumberErrors(t *testing.T) {
	for _, in := range []string{"", "-", ".5", "5.", "1.2.3", "01", "1e", "1e+", "abc", "1,5", "NaN", "Inf", "1e99", "12345678901234567890", " 1"} {
		_, err := ParseNumber(in)
		require.Error(t, err, "%q", in)
	}
}

func TestNumberArithmeticIsExact(t *testing.T) {
	// 2.2 mg/kg × 600 kg ÷ 50 mg/ml = 26.4 ml, with no float drift.
	dose, err := MustParseNumber("2.2").Mul(Int(600))
	require.NoError(t, err)
	require.Equal(t, "1320", dose.String())
	vol, err := dose.Quo(Int(50))
	require.NoError(t, err)
	require.Equal(t, "26.4", vol.String())
	require.Equal(t, MustParseNumber("26.4"), vol)

	// 0.1 + 0.2 is 0.3 exactly.
	s, err := MustParseNumber("0.1").Add(MustParseNumber("0.2"))
	require.NoError(t, err)
	require.Equal(t, MustParseNumber("0.3"), s)

	third, err := Int(1).Quo(Int(3))
	require.NoError(t, err)
	require.Equal(t, "1/3", third.String())
	back, err := third.Mul(Int(3))
	require.NoError(t, err)
	require.Equal(t, Int(1), back)

	d, err := Int(5).Sub(MustParseNumber("7.25"))
	require.NoError(t, err)
	require.Equal(t, "-2.25", d.String())

	_, err = Int(1).Quo(Number{})
	require.ErrorIs(t, err, ErrDivideByZero)
}

func TestNumberOverflow(t *testing.T) {
	big := Int(1 << 62)
	_, err := big.Mul(Int(4))
	require.ErrorIs(t, err, ErrOverflow)
	_, err = big.Add(big)
	require.ErrorIs(t, err, ErrOverflow)
	_, err = Ratio(1, 1<<62).Add(Ratio(1, (1<<62)-1))
	require.ErrorIs(t, err, ErrOverflow)
	// Cmp never overflows.
	require.Equal(t, 1, Ratio(1<<62, 3).Cmp(Ratio((1<<62)-1, 3)))
}

func TestNumberRoundCeilFloor(t *testing.T) {
	tests := []struct {
		in     string
		places int
		mode   RoundMode
		want   string
	}{
		{"26.45", 1, HalfUp, "26.5"},
		{"26.44", 1, HalfUp, "26.4"},
		{"-26.45", 1, HalfUp, "-26.5"},
		{"26.41", 1, Up, "26.5"},
		{"26.49", 1, Down, "26.4"},
		{"26.4", 1, Up, "26.4"},
		{"0.45359237", 3, HalfUp, "0.454"},
		{"2.5", 0, HalfUp, "3"},
	}
	for _, tt := range tests {
		r, err := MustParseNumber(tt.in).Round(tt.places, tt.mode)
		require.NoError(t, err)
		require.Equal(t, tt.want, r.String(), "%s to %d", tt.in, tt.places)
	}
	third := Ratio(100, 3)
	r, err := third.Round(2, HalfUp)
	require.NoError(t, err)
	require.Equal(t, "33.33", r.String())
	require.Equal(t, int64(34), third.Ceil())
	require.Equal(t, int64(33), third.Floor())
	require.Equal(t, int64(-33), third.Neg().Ceil())
	require.Equal(t, int64(-34), third.Neg().Floor())
	require.Equal(t, int64(10), Int(10).Ceil())
}

func TestNumberJSON(t *testing.T) {
	b, err := Ratio(100, 3).MarshalJSON()
	require.NoError(t, err)
	require.Equal(t, "33.333333333", string(b))
	b, err = MustParseNumber("26.4").MarshalJSON()
	require.NoError(t, err)
	require.Equal(t, "26.4", string(b))
	var n Number
	require.NoError(t, n.UnmarshalJSON([]byte("0.45359237")))
	require.Equal(t, Ratio(45359237, 100000000), n)
	require.Error(t, n.UnmarshalJSON([]byte(`"1"`)))
}

func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"0", "26.4", "-3", "1e-3", "0.45359237", "123456789012345678", "1.5E2", "01", ".5", "1e99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseNumber(s)
		if err != nil {
			return
		}
		// Every parsed number terminates and prints back to itself.
		require.True(t, n.Terminating())
		back, err := ParseNumber(n.String())
		require.NoError(t, err, "reparse %q from %q", n.String(), s)
		require.Equal(t, n, back)
		require.GreaterOrEqual(t, n.Den(), int64(1))
	})
}

func TestRoundDecimal(t *testing.T) {
	tests := []struct {
		in     string
		places int
		want   string
		err    error
	}{
		{"1322.7735731092084", 3, "1322.774", nil},
		{"1322.7735", 3, "1322.774", nil}, // half up
		{"-1322.7735", 3, "-1322.774", nil},
		{"0.1000000000000000055511151231257827021181583404541015625", 9, "0.1", nil},
		{"6.02e2", 0, "602", nil},
		{"6.025E+2", 0, "603", nil},
		{"1e-1200", 3, "0", nil},
		{"123456789012345678901234567890e-20", 9, "1234567890.123456789", nil},
		{"0", 3, "0", nil},
		{"1e19", 0, "", ErrOverflow},
		{"1e401", 0, "", ErrOverflow},
		{"01.5", 3, "", ErrSyntax},
		{"1.", 3, "", ErrSyntax},
		{".5", 3, "", ErrSyntax},
		{"1/3", 3, "", ErrSyntax},
		{"0x10", 3, "", ErrSyntax},
		{"Inf", 3, "", ErrSyntax},
		{"NaN", 3, "", ErrSyntax},
		{"1e", 3, "", ErrSyntax},
		{"", 3, "", ErrSyntax},
		{"+1", 3, "", ErrSyntax},
		{"1" + strings.Repeat("0", 2000), 0, "", ErrSyntax},
	}
	for _, tt := range tests {
		n, err := RoundDecimal(tt.in, tt.places)
		if tt.err != nil {
			require.ErrorIs(t, err, tt.err, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		require.Equal(t, tt.want, n.String(), tt.in)
	}
	_, err := RoundDecimal("1", 10)
	require.Error(t, err)
}

func FuzzRoundDecimal(f *testing.F) {
	for _, s := range []string{"1322.7735731092084", "6.02e2", "-0.5", "1e-1200", "99999999999999999999"} {
		f.Add(s, uint8(3))
	}
	f.Fuzz(func(t *testing.T, s string, places uint8) {
		p := int(places % 10)
		n, err := RoundDecimal(s, p)
		if err != nil {
			return
		}
		// The result is on the grid of p places.
		r, err := n.Round(p, HalfUp)
		require.NoError(t, err)
		require.Equal(t, n, r)
		// An exact parse that fits agrees after rounding the same way.
		if exact, err := ParseNumber(s); err == nil {
			if want, err := exact.Round(p, HalfUp); err == nil {
				require.Equal(t, want, n, s)
			}
		}
	})
}
