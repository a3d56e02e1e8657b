package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRunFlunixin(t *testing.T) {
	var out strings.Builder
	err := run([]string{
		"-protocol", "../../protocol/testdata/protocol_flunixin.json",
		"-weight", "600 kg", "-start", "2024-03-01T06:00:00Z",
		"-conc", "Banamine (flunixin meglumine) 50 mg/mL=50 mg/1 ml",
		"-milkings", "05:00,17:00",
	}, &out)
	require.NoError(t, err)
	want := `Flunixin for acute pain and fever, initiated 2024-03-01 06:00 UTC

2024-03-01 06:00 UTC  Banamine (flunixin meglumine) 50 mg/mL #1  1320 mg = 26.4 ml IV
2024-03-02 06:00 UTC  Banamine (flunixin meglumine) 50 mg/mL #2  1320 mg = 26.4 ml IV
2024-03-03 06:00 UTC  Banamine (flunixin meglumine) 50 mg/mL #3  1320 mg = 26.4 ml IV
2024-03-01 06:00 UTC  promise: Identify the animal
2024-03-02 18:00 UTC  promise: Recheck temperature

meat: sellable from 2024-03-07 06:00 UTC (dose of Banamine (flunixin meglumine) 50 mg/mL at 2024-03-03 06:00 UTC, 96h after administration)
milk: sellable from 2024-03-05 05:00 UTC (dose of Banamine (flunixin meglumine) 50 mg/mL at 2024-03-03 06:00 UTC, 36h after administration), 7 milkings discarded
`
	require.Equal(t, want, out.String())
}

func TestRunErrors(t *testing.T) {
	var out strings.Builder
	require.ErrorContains(t, run([]string{"-start", "2024-03-01T06:00:00Z"}, &out), "-protocol and -start are required")
	err := run([]string{"-protocol", "../../protocol/testdata/protocol_flunixin.json", "-start", "2024-03-01T06:00:00Z"}, &out)
	require.EqualError(t, err, "protocol: case.weight: is required for a dose by weight")
	require.Error(t, run([]string{"-conc", "nonsense"}, &out))
}
