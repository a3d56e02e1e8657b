package protocol

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseNDC(t *testing.T) {
	tests := []struct {
		in     string
		config NDCConfig
		eleven string
	}{
		{"0010-3495-01", Config442, "00010349501"},
		{"12345-678-90", Config532, "12345067890"},
		{"12345-6789-1", Config541, "12345678901"},
		{"00010-3495-01", Config542, "00010349501"},
		{"00010349501", Config542, "00010349501"},
	}
	for _, tt := range tests {
		n, err := ParseNDC(tt.in)
		require.NoError(t, err, tt.in)
		require.Equal(t, tt.config, n.Config, tt.in)
		e, err := n.Eleven()
		require.NoError(t, err)
		require.Equal(t, tt.eleven, e, tt.in)
	}
	p, err := ParseNDC("0010-3495")
	require.NoError(t, err)
	require.True(t, p.IsProduct())
	require.Equal(t, ConfigProduct44, p.Config)
	_, err = p.Eleven()
	require.ErrorIs(t, err, ErrNDC)
	full, _ := ParseNDC("0010-3495-01")
	require.Equal(t, p, full.ProductNDC())
}

func TestNDCErrors(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{"0010349501", ErrNDCAmbiguous},
		{"010-3495-01", ErrNDC},
		{"0010-3495-01-2", ErrNDC},
		{"00a0-3495-01", ErrNDC},
		{"0010--01", ErrNDC},
		{"", ErrNDC},
		{"123", ErrNDC},
	}
	for _, tt := range tests {
		_, err := ParseNDC(tt.in)
		require.ErrorIs(t, err, tt.want, "%q", tt.in)
	}
}

func TestNDCTenDigitForm(t *testing.T) {
	// Only the labeler is padded: unambiguous.
	n, _ := ParseNDC("00010-3495-11")
	ten, err := n.Ten()
	require.NoError(t, err)
	require.Equal(t, "0010-3495-11", ten.String())
	require.Equal(t, Config442, ten.Config)

	// Labeler and package both start with zero: 4-4-2 or 5-4-1.
	n, _ = ParseNDC("00010349501")
	_, err = n.Ten()
	require.ErrorIs(t, err, ErrNDCAmbiguous)
	require.EqualError(t, err, "protocol: ambiguous NDC configuration: 00010-3495-01 could be 0010-3495-01 or 00010-3495-1; give the configuration")
	ten, err = n.WithConfig(Config541)
	require.NoError(t, err)
	require.Equal(t, "00010-3495-1", ten.String())
	_, err = n.WithConfig(Config532)
	require.ErrorIs(t, err, ErrNDC)

	// No padding zero anywhere: not a padded 10-digit code.
	n, _ = ParseNDC("12345-6789-12")
	_, err = n.Ten()
	require.ErrorIs(t, err, ErrNDC)
}

func FuzzParseNDC(f *testing.F) {
	for _, s := range []string{"0010-3495-01", "12345-678-90", "12345-6789-1", "00010349501", "0010-3495", "0010349501", "1-2-3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseNDC(s)
		if err != nil {
			return
		}
		back, err := ParseNDC(n.String())
		require.NoError(t, err)
		require.Equal(t, n, back)
		if n.IsProduct() {
			return
		}
		e, err := n.Eleven()
		require.NoError(t, err)
		require.Len(t, e, 11)
		// Every 10-digit candidate pads back to the same 11 digits.
		eleven, err := ParseNDC(e)
		require.NoError(t, err)
		for _, c := range eleven.Candidates() {
			ce, err := c.Eleven()
			require.NoError(t, err)
			require.Equal(t, e, ce)
		}
	})
}

func TestParseAppNumber(t *testing.T) {
	tests := []struct {
		in      string
		kind    AppKind
		str     string
		compact string
	}{
		{"NADA 141-299", NADA, "NADA 141-299", "NADA141299"},
		{"ANADA200008", ANADA, "ANADA 200-008", "ANADA200008"},
		{"anada 200-008", ANADA, "ANADA 200-008", "ANADA200008"},
		{"CNADA 141-501", CNADA, "CNADA 141-501", "CNADA141501"},
		{"200-308", "", "200-308", "200308"},
		{"NADA 055-069", NADA, "NADA 055-069", "NADA055069"},
	}
	for _, tt := range tests {
		a, err := ParseAppNumber(tt.in)
		require.NoError(t, err, tt.in)
		require.Equal(t, tt.kind, a.Kind)
		require.Equal(t, tt.str, a.String())
		require.Equal(t, tt.compact, a.Compact())
	}
	for _, bad := range []string{"", "NADA", "NADA 14-299", "NADA 141-2999", "BLA 125-123", "141_299", "1412-99"} {
		_, err := ParseAppNumber(bad)
		require.ErrorIs(t, err, ErrAppNumber, "%q", bad)
	}
}

func TestLabelFixtureAppNumbersParse(t *testing.T) {
	for _, f := range loadLabels(t) {
		if f.Claim.NDC == "" {
			continue
		}
		_, err := ParseAppNumber(f.Claim.NDC)
		require.NoError(t, err, f.Claim.NDC)
	}
}

func TestParseRoute(t *testing.T) {
	tests := []struct {
		in    string
		want  Route
		known bool
	}{
		{"IV", RouteIV, true},
		{"Intravenous", RouteIV, true},
		{"i.m.", RouteIM, true},
		{"Sub-Q", RouteSC, true},
		{"SQ", RouteSC, true},
		{"by mouth", RouteOral, true},
		{"Intra-mammary", RouteIntramammary, true},
		{"pour-on", RouteTopical, true},
		{" Intr-Corporeal ", "intr-corporeal", false},
	}
	for _, tt := range tests {
		got, ok := ParseRoute(tt.in)
		require.Equal(t, tt.want, got, tt.in)
		require.Equal(t, tt.known, ok, tt.in)
	}
}
