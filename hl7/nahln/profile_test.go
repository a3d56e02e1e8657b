package nahln_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/hl7"
	"github.com/vetlink/vetlink/hl7/nahln"
)

func TestCheckConforms(t *testing.T) {
	m, err := nahln.Build(sampleReport())
	require.NoError(t, err)
	require.Empty(t, nahln.ResultBase.Check(m))
}

// Each case breaks rules and lists, by hand, every problem expected.
func TestCheckProblems(t *testing.T) {
	type want struct {
		loc  string
		code hl7.ErrorCode
	}
	tests := []struct {
		name string
		edit func(r *nahln.Report)
		want []want
	}{
		{"OID outside the NAHLN arc", func(r *nahln.Report) {
			r.SendingFacility.OID = "2.16.840.1.113883.19.5"
		}, []want{{"MSH-4.2", hl7.CodeTableValueNotFound}}},
		{"application without OID", func(r *nahln.Report) {
			r.SendingApplication.OID = ""
		}, []want{{"MSH-3.2", hl7.CodeRequiredFieldMissing}, {"MSH-3.3", hl7.CodeRequiredFieldMissing}}},
		{"other profile", func(r *nahln.Report) {
			r.Profile = nahln.Profile{ID: "OtherProfile", OID: "1.2.3"}
		}, []want{{"MSH-21.1", hl7.CodeTableValueNotFound}, {"MSH-21.3", hl7.CodeTableValueNotFound}}},
		{"no accession", func(r *nahln.Report) {
			r.Accession = nahln.Identifier{}
		}, []want{{"PV1-19.1", hl7.CodeRequiredFieldMissing}}},
		{"role without code", func(r *nahln.Report) {
			r.Roles[1].Code = nahln.Code{}
		}, []want{{"ROL[2]-3.1", hl7.CodeRequiredFieldMissing}}},
		{"animal without ID and species in a local code", func(r *nahln.Report) {
			r.Animal.ID = nahln.Identifier{}
			r.Animal.Species = nahln.Code{Code: "BOV", Text: "Bovine", System: "L"}
		}, []want{{"PID-3.1", hl7.CodeRequiredFieldMissing}, {"PID-35.3", hl7.CodeTableValueNotFound}}},
		{"specimen type missing, test not LOINC, no reason in a program that needs one", func(r *nahln.Report) {
			r.Program = nahln.Programs[0]
			r.Specimens[1].Type = nahln.Code{}
			r.Specimens[1].Orders[0].Test.System = "L"
			r.Specimens[1].Orders[0].Reason = nahln.Code{}
		}, []want{{"SPM[2]-4.1", hl7.CodeRequiredFieldMissing}, {"OBR[2]-4.3", hl7.CodeTableValueNotFound}, {"OBR[2]-31.1", hl7.CodeRequiredFieldMissing}}},
		{"no reason, program without the requirement", func(r *nahln.Report) {
			r.Program = nahln.Program{Name: "DIAG", PlacerGroup: "DIAG"}
			r.Specimens[1].Orders[0].Reason = nahln.Code{}
		}, nil},
		{"no reason, no program", func(r *nahln.Report) {
			r.Specimens[1].Orders[0].Reason = nahln.Code{}
		}, nil},
		{"unnamed animal with the NA default omitted", func(r *nahln.Report) {
			r.Animal.Name = ""
			r.Defaults.UnnamedAnimal = nahln.Omit
		}, []want{{"PID-5.1", hl7.CodeRequiredFieldMissing}}},
		{"coded result not SNOMED CT, numeric without UCUM", func(r *nahln.Report) {
			r.Specimens[0].Orders[0].Results[0].Coded.System = "L"
			r.Specimens[0].Orders[0].Results[1].Numeric.Unit = nahln.Code{Code: "Ct"}
		}, []want{{"OBX-5.3", hl7.CodeTableValueNotFound}, {"OBX[2]-6.3", hl7.CodeTableValueNotFound}}},
		// The OPU_R25 grammar reports the missing SPECIMEN group once, for
		// the message as a whole (no segment to point at).
		{"no specimens", func(r *nahln.Report) {
			r.Specimens = nil
		}, []want{{"", hl7.CodeSegmentSequence}}},
		{"owner without a name (NK1 still names the relationship)", func(r *nahln.Report) {
			r.Owner = nahln.Party{}
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sampleReport()
			tt.edit(&r)
			m, err := nahln.Build(r)
			require.NoError(t, err)
			var got []want
			for _, p := range nahln.ResultBase.Check(m) {
				require.Equal(t, hl7.SeverityError, p.Severity)
				got = append(got, want{p.Location.String(), p.Code})
			}
			require.Equal(t, tt.want, got)
		})
	}
}

// A message that is not an OPU^R25 at all gets the message-type and
// version problems, which NewACKFromProblems turns into an AR.
func TestCheckOtherMessage(t *testing.T) {
	m, err := hl7.Parse([]byte("MSH|^~\\&|A|B|C|D|20261121||ORU^R01^ORU_R01|1|P|2.5.1\rPID|1||X\r"))
	require.NoError(t, err)
	problems := nahln.ResultBase.Check(m)
	require.GreaterOrEqual(t, len(problems), 4)
	require.Equal(t, "MSH-9.1", problems[0].Location.String())
	require.Equal(t, hl7.CodeUnsupportedMessageType, problems[0].Code)
	require.Equal(t, 27, problems[0].Offset) // the byte where "ORU" starts
	ack, err := hl7.NewACKFromProblems(m, problems, hl7.ACKOptions{ControlID: "A1"})
	require.NoError(t, err)
	code, _ := ack.Get("MSA-1")
	require.Equal(t, "AR", code)
}
