package nahln_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/hl7"
	"github.com/vetlink/vetlink/hl7/nahln"
	"github.com/vetlink/vetlink/hl7/v2xml"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, string(want), string(got))
}

func TestBuildGolden(t *testing.T) {
	m, err := nahln.Build(sampleReport())
	require.NoError(t, err)
	golden(t, "report.hl7", m.Bytes())
	x, err := v2xml.EncodeOptions{Indent: "  "}.Marshal(m)
	require.NoError(t, err)
	golden(t, "report.xml", x)
}

// The fields NAHLN reads, checked one by one.
func TestBuildFields(t *testing.T) {
	m, err := nahln.Build(sampleReport())
	require.NoError(t, err)
	tests := []struct{ path, want string }{
		{"MSH-3.2", "2.16.840.1.113883.3.5.7.40.1"},
		{"MSH-5", "NAHLN"},
		{"MSH-5.2", "2.16.840.1.113883.3.5.9"},
		{"MSH-7", "20261121143000-0600"},
		{"MSH-9", "OPU"},
		{"MSH-9.2", "R25"},
		{"MSH-9.3", "OPU_R25"},
		{"MSH-10", "WVDL-20261121-0007"},
		{"MSH-11", "P"},
		{"MSH-12", "2.6"},
		{"MSH-21.1", "NAHLNResultBaseV2.0"},
		{"MSH-21.3", "2.16.840.1.113883.3.5.9"},
		{"MSH-21.4", "ISO"},
		{"PV1-19.1", "2026-WVDL-4410"},
		{"PV1-19.5", "ACSN"},
		{"ROL[1]-3.1", "PREM"},
		{"ROL[1]-4.1", "00K7PQR"},
		{"ROL[1]-4.2", "Hillside Dairy LLC"},
		{"ROL[1]-11.3", "Dairyville"},
		{"ROL[2]-4.3", "James"},
		{"ROL[2]-12.1", "608-555-0142"},
		{"NK1-2.1", "Jensen"},
		{"NK1-3.1", "OWN"},
		{"NK1-3.3", "HL70063"},
		{"PID-3.1", "840003123456789"},
		{"PID-3.4.2", "2.16.840.1.113883.3.5.6"},
		{"PID-3.5", "AIN"},
		{"PID-7", "20220315"},
		{"PID-35.1", "9913008"},
		{"PID-35.3", "SCT"},
		{"PID-38.1", "DA"},
		{"SPM[1]-4.1", "258500001"},
		{"SPM[1]-17", "20261119090000-0600"},
		{"SPM[2]-2", "SPEC-4410-2"},
		{"OBR[1]-4.1", "94531-1"},
		{"OBR[1]-4.3", "LN"},
		{"OBR[1]-25", "F"},
		{"OBR[1]-31.1", "SURV"},
		{"OBX[1]-2", "CWE"},
		{"OBX[1]-3.1", "94500-6"},
		{"OBX[1]-5.1", "260385009"},
		{"OBX[1]-5.3", "SCT"},
		{"OBX[1]-8", "N"},
		{"OBX[1]-11", "F"},
		{"OBX[1]-17.2", "Real-time PCR"},
		{"OBX[2]-2", "NM"},
		{"OBX[2]-5", "38.2"},
		{"OBX[2]-6.1", "{Ct}"},
		{"OBX[2]-6.3", "UCUM"},
		{"OBX[2]-7", "<40"},
		{"OBX[3]-5.2", "Positive"},
		{"OBX[3]-8", "A"},
		{"NTE-3", "All controls within limits"},
	}
	for _, tt := range tests {
		got, err := m.Get(tt.path)
		require.NoError(t, err, tt.path)
		require.Equal(t, tt.want, got, tt.path)
	}
}

func TestBuildInvalid(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(r *nahln.Report)
		field string
	}{
		{"no control ID", func(r *nahln.Report) { r.ControlID = "" }, "ControlID"},
		{"no time", func(r *nahln.Report) { r.Time = time.Time{} }, "Time"},
		{"both values", func(r *nahln.Report) {
			r.Specimens[0].Orders[0].Results[0].Numeric = &nahln.Quantity{Value: "1"}
		}, "Specimens[0].Orders[0].Results[0]"},
		{"no value", func(r *nahln.Report) {
			r.Specimens[1].Orders[0].Results[0].Coded = nil
		}, "Specimens[1].Orders[0].Results[0]"},
		{"not a decimal", func(r *nahln.Report) {
			r.Specimens[0].Orders[0].Results[1].Numeric.Value = "38,2"
		}, "Specimens[0].Orders[0].Results[1].Numeric.Value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sampleReport()
			tt.edit(&r)
			_, err := nahln.Build(r)
			require.ErrorIs(t, err, nahln.ErrInvalid)
			var ie *nahln.InvalidError
			require.ErrorAs(t, err, &ie)
			require.Equal(t, tt.field, ie.Field)
		})
	}
}

// What Build writes meets the standard's v2.6 OPU_R25 grammar and field
// tables, not only the NAHLN profile. The one remark left is PID-3.5
// "AIN", the identifier type Build writes for an animal ID, which the HL7
// table 0203 values shipped by package hl7 do not list (a warning: the
// table is user-extensible).
func TestBuildValidatesAgainstTheStandard(t *testing.T) {
	m, err := nahln.Build(sampleReport())
	require.NoError(t, err)
	var lines []string
	for _, p := range hl7.Validate(m) {
		lines = append(lines, string(p.Severity)+" "+p.Location.String()+" "+p.Msg)
	}
	require.Equal(t, []string{
		`W PID-3.5 Patient Identifier List CX.5 "AIN" is not in HL7 table 0203`,
	}, lines)
}
