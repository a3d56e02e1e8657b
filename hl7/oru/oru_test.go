package oru_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/hl7/oru"
	"github.com/vetlink/vetlink/hl7/v2xml"
)

var update = flag.Bool("update", false, "rewrite golden files")

func sample() oru.Report {
	cdt := time.FixedZone("CDT", -5*3600)
	return oru.Report{
		ControlID:            "LAB20261121-0042",
		Time:                 time.Date(2026, 11, 21, 9, 30, 0, 0, cdt),
		SendingApplication:   oru.HD{Name: "LIMS", OID: "2.16.840.1.113883.3.5.7.40.1"},
		SendingFacility:      oru.HD{Name: "VETLAB"},
		ReceivingApplication: oru.HD{Name: "VETLINK"},
		ReceivingFacility:    oru.HD{Name: "RIVERSIDE VET"},
		Patients: []oru.PatientResult{{
			Patient: oru.Patient{
				IDs:       []oru.Identifier{{ID: "A-10442", Authority: "RIVERSIDE", Type: "PI"}, {ID: "840003123456789", Authority: "USDA", Type: "AN"}},
				Name:      "Bossie34",
				Sex:       "F",
				BirthDate: time.Date(2022, 3, 15, 0, 0, 0, 0, time.UTC),
				Species:   oru.Code{Code: "BOV", Text: "Bovine", System: "L"},
			},
			Owner: &oru.Person{Family: "Jensen", Given: "Karl"},
			Visit: &oru.Visit{Attending: oru.Person{ID: "VET042", Family: "Herriot", Given: "James"}, Number: "ACC-2026-7731"},
			Orders: []oru.Order{{
				PlacerID: "ORD-5531", FillerID: "LAB-99120",
				Test:      oru.Code{Code: "CBC", Text: "Complete blood count", System: "L"},
				Collected: time.Date(2026, 11, 21, 8, 0, 0, 0, cdt),
				Reported:  time.Date(2026, 11, 21, 9, 25, 0, 0, cdt),
				Observations: []oru.Observation{
					{Code: oru.Code{Code: "WBC", Text: "White blood cells", System: "L"}, Numeric: &oru.Quantity{Value: "7.2", Unit: oru.Code{Code: "10*3/uL", System: "UCUM"}}, ReferenceRange: "4.0-12.0", Abnormal: "N"},
					{Code: oru.Code{Code: "HCT", Text: "Hematocrit", System: "L"}, Numeric: &oru.Quantity{Value: "21", Unit: oru.Code{Code: "%", System: "UCUM"}}, ReferenceRange: "24-46", Abnormal: "L",
						Notes: []string{"Sample slightly hemolysed; repeat if clinically indicated."}},
					{Code: oru.Code{Code: "MORPH", Text: "Morphology", System: "L"}, Text: "Anisocytosis ^ mild | rouleaux"},
					{Code: oru.Code{Code: "BVDV", Text: "BVDV antigen", System: "L"}, Coded: &oru.Code{Code: "260385009", Text: "Negative", System: "SCT"}},
					{Code: oru.Code{Code: "PDF", Text: "Report", System: "L"}, Document: &oru.Document{Type: "AP", Subtype: "PDF", Data: []byte("%PDF-1.4 tiny")}},
				},
			}},
		}},
	}
}

func TestBuild(t *testing.T) {
	m, err := oru.Build(sample())
	require.NoError(t, err)
	path := filepath.Join("testdata", "cbc.hl7")
	if *update {
		require.NoError(t, os.WriteFile(path, m.Bytes(), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, string(want), m.String())

	fields := []struct{ path, want string }{
		{"MSH-9.3", "ORU_R01"},
		{"MSH-12", "2.5.1"},
		{"MSH-7", "20261121093000-0500"},
		{"PID-3[2].1", "840003123456789"},
		{"PID-3[2].5", "AN"},
		{"PID-35.1", "BOV"},
		{"NK1-3.1", "OWN"},
		{"PV1-2", "O"},
		{"PV1-7.2", "Herriot"},
		{"PV1-19", "ACC-2026-7731"},
		{"ORC-1", "RE"},
		{"ORC-3", "LAB-99120"},
		{"OBR-4.1", "CBC"},
		{"OBR-22", "20261121092500-0500"},
		{"OBR-25", "F"},
		{"OBX[1]-2", "NM"},
		{"OBX[1]-6.1", "10*3/uL"},
		{"OBX[2]-8", "L"},
		{"OBX[3]-2", "ST"},
		{"OBX[3]-5", "Anisocytosis ^ mild | rouleaux"},
		{"OBX[4]-5.2", "Negative"},
		{"OBX[5]-2", "ED"},
		{"OBX[5]-5.4", "Base64"},
		{"OBX[5]-5.5", "JVBERi0xLjQgdGlueQ=="},
		{"NTE-3", "Sample slightly hemolysed; repeat if clinically indicated."},
	}
	for _, f := range fields {
		got, err := m.Get(f.path)
		require.NoError(t, err, f.path)
		require.Equal(t, f.want, got, f.path)
	}

	// The v2.5.1 ORU_R01 groups place the NTE under its OBX, and the XML
	// form gives the same message back.
	x, err := v2xml.EncodeOptions{Indent: " "}.Marshal(m)
	require.NoError(t, err)
	require.Contains(t, string(x), "   </OBX>\n    <NTE>")
	back, err := v2xml.Unmarshal(x)
	require.NoError(t, err)
	require.Equal(t, m.String(), back.String())
}

func TestBuildInvalid(t *testing.T) {
	obs := func(r *oru.Report) *oru.Observation { return &r.Patients[0].Orders[0].Observations[0] }
	tests := []struct {
		name  string
		edit  func(r *oru.Report)
		field string
	}{
		{"no control ID", func(r *oru.Report) { r.ControlID = "" }, "ControlID"},
		{"no time", func(r *oru.Report) { r.Time = time.Time{} }, "Time"},
		{"no patient", func(r *oru.Report) { r.Patients = nil }, "Patients"},
		{"two values", func(r *oru.Report) { obs(r).Text = "x" }, "Patients[0].Orders[0].Observations[0]"},
		{"no value", func(r *oru.Report) { obs(r).Numeric = nil }, "Patients[0].Orders[0].Observations[0]"},
		{"not a number", func(r *oru.Report) { obs(r).Numeric.Value = "7,2" }, "Patients[0].Orders[0].Observations[0].Numeric.Value"},
		{"document without type", func(r *oru.Report) {
			r.Patients[0].Orders[0].Observations[4].Document.Type = ""
		}, "Patients[0].Orders[0].Observations[4].Document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sample()
			tt.edit(&r)
			_, err := oru.Build(r)
			require.ErrorIs(t, err, oru.ErrInvalid)
			var ie *oru.InvalidError
			require.ErrorAs(t, err, &ie)
			require.Equal(t, tt.field, ie.Field)
		})
	}
}
