package protocol

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"PT0S", 0},
		{"PT0H", 0},
		{"PT8H", 8 * time.Hour},
		{"PT24H", 24 * time.Hour},
		{"P1D", 24 * time.Hour},
		{"P1DT12H", 36 * time.Hour},
		{"PT90M", 90 * time.Minute},
		{"PT1H30M15S", time.Hour + 30*time.Minute + 15*time.Second},
		{"PT0.5S", 500 * time.Millisecond},
		{"PT1.5H", 90 * time.Minute},
		{"PT0,25H", 15 * time.Minute},
		{"P2W", 14 * 24 * time.Hour},
		{"P60D", 60 * 24 * time.Hour},
		{"PT0.000000001S", time.Nanosecond},
	}
	for _, tt := range tests {
		d, err := ParseDuration(tt.in)
		require.NoError(t, err, tt.in)
		require.Equal(t, tt.want, d.Std(), tt.in)
		require.Equal(t, tt.in, d.String(), "keeps its text")
	}
}

func TestParseDurationErrors(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{"P1Y", ErrCalendarDuration},
		{"P2M", ErrCalendarDuration},
		{"P1Y2M3D", ErrCalendarDuration},
		{"", ErrDurationSyntax},
		{"P", ErrDurationSyntax},
		{"PT", ErrDurationSyntax},
		{"T1H", ErrDurationSyntax},
		{"-PT1H", ErrDurationSyntax},
		{"PT1H2H", ErrDurationSyntax},
		{"PT2M1H", ErrDurationSyntax},
		{"P1H", ErrDurationSyntax},
		{"PT1D", ErrDurationSyntax},
		{"P1W2D", ErrDurationSyntax},
		{"PT1.5H30M", ErrDurationSyntax},
		{"PT0.0000000001S", ErrDurationSyntax},
		{"PT1", ErrDurationSyntax},
		{"P1DT", ErrDurationSyntax},
		{"PT.5S", ErrDurationSyntax},
		{"P99999999999999D", ErrDurationSyntax},
		{"pt1h", ErrDurationSyntax},
	}
	for _, tt := range tests {
		_, err := ParseDuration(tt.in)
		require.ErrorIs(t, err, tt.want, "%q", tt.in)
	}
}

func TestDurationFormat(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "PT0S"},
		{8 * time.Hour, "PT8H"},
		{36 * time.Hour, "P1DT12H"},
		{96 * time.Hour, "P4D"},
		{90 * time.Minute, "PT1H30M"},
		{1500 * time.Millisecond, "PT1.5S"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, DurationOf(tt.d).String())
	}
	require.Equal(t, "P3D", Hours(72).String())
}

func TestDurationJSON(t *testing.T) {
	var v struct {
		When Duration `json:"when"`
	}
	require.NoError(t, json.Unmarshal([]byte(`{"when":"P1D"}`), &v))
	require.Equal(t, 24*time.Hour, v.When.Std())
	out, err := json.Marshal(v)
	require.NoError(t, err)
	require.Equal(t, `{"when":"P1D"}`, string(out))
	require.ErrorIs(t, json.Unmarshal([]byte(`{"when":"P1M"}`), &v), ErrCalendarDuration)
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"PT0S", "PT8H", "P1DT12H", "PT0.5S", "P2W", "P1Y", "PT1H30M15S", "PT1,5H", "P60D"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			return
		}
		require.GreaterOrEqual(t, d.Std(), time.Duration(0))
		require.LessOrEqual(t, d.Std(), maxDuration)
		// The canonical form parses back to the same length.
		canon := DurationOf(d.Std()).String()
		back, err := ParseDuration(canon)
		require.NoError(t, err, "canonical %q of %q", canon, s)
		require.Equal(t, d.Std(), back.Std())
	})
}
