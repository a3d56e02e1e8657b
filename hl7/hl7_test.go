package hl7

import (
	"testing"

	"github.com/stretchr/testify/require"
)

const oruSample = "MSH|^~\\&|LAB|VETLAB|PMS|CLINIC|20261121120000||ORU^R01^ORU_R01|MSG00001|P|2.5.1|||AL|NE\r" +
	"PID|1||123^^^VL~456^^^TAG||Smith^Bossie\\T\\x\r" +
	"OBX|1|TX|GLU^Glucose||line1\\.br\\line2 \\F\\ \\X41\\|mg/dL\r" +
	"ZVX|custom~~|\r"

func TestGetPaths(t *testing.T) {
	m, err := Parse([]byte(oruSample))
	require.NoError(t, err)
	tests := []struct{ path, want string }{
		{"MSH-1", "|"},
		{"MSH-2", `^~\&`},
		{"MSH-3", "LAB"},
		{"MSH-9", "ORU"},
		{"MSH-9.2", "R01"},
		{"MSH-9.3", "ORU_R01"},
		{"MSH-10", "MSG00001"},
		{"MSH-12", "2.5.1"},
		{"PID-3", "123"},
		{"PID-3[2]", "456"},
		{"PID-3[2].4", "TAG"},
		{"PID-5.2", "Bossie&x"},
		{"OBX-5", "line1\nline2 | A"},
		{"ZVX-1[3]", ""},
		{"PID-30", ""},
		{"NK1-1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, err := m.Get(tt.path)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
	require.Equal(t, oruSample, string(m.Bytes()))
}
