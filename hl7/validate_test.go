package hl7

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// problemLines formats problems compactly for comparison with expected
// lines written by hand.
func problemLines(ps []Problem) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, fmt.Sprintf("%s %s @%d %d %s", p.Severity, p.Location, p.Offset, p.Code, p.Msg))
	}
	return out
}

func TestValidateCorpusConforms(t *testing.T) {
	for _, name := range []string{"oru_r01_251_cbc.hl7", "oru_r01_231_chem.hl7", "opu_r25_nahln.hl7", "ack_ae.hl7", "adt_a01_admit.hl7", "oru_r01_pdf.hl7"} {
		t.Run(name, func(t *testing.T) {
			require.Empty(t, problemLines(Validate(parseFile(t, name))))
		})
	}
	// v2.3.1 allowed 20 characters in PID-3 (250 from v2.5): the order's
	// "A-10442^^^RIVERSIDE^PI" is two too long for the version it declares.
	require.Equal(t, []string{
		"E PID-3 @106 104 Patient Identifier List is 22 characters, at most 20 allowed",
	}, problemLines(Validate(parseFile(t, "orm_o01_order.hl7"))))
}

func TestValidateReportsEverything(t *testing.T) {
	in := "MSH|^~\\&|LAB|VL|PMS|CL|2026130112||ORU^R01^ORU_R01|123456789012345678901|Q|2.5.1|||XX\r" + // 0
		"OBR|1||||||notadate\r" + // 94
		"ABC|1\r" + // 114
		"ZZZ|local\r" + // 120
		"OBX|x|NM|GLU||5|||||||\\Q\\\r" + // 130
		"OBX|2|BAD|GLU||5||||||F\r" + // 156
		"PID|1||1||Doe\r" // 181
	m, err := Parse([]byte(in))
	require.NoError(t, err)
	// The PID at the end starts a second PATIENT_RESULT, which then lacks
	// its required ORDER_OBSERVATION at the end of the message.
	require.Equal(t, []string{
		"W ABC @106 100 unexpected segment ABC in ORU_R01",
		"E  @186 100 required group ORDER_OBSERVATION missing in ORU_R01",
		"E MSH-7.1 @23 102 Date/Time of Message TS.1 \"2026130112\" is not a valid DTM (YYYY[MM[DD[HH[MM[SS[.SSSS]]]]]][+/-ZZZZ])",
		"E MSH-10 @51 104 Message Control ID is 21 characters, at most 20 allowed",
		"E MSH-11.1 @73 103 Processing ID PT.1 \"Q\" is not in HL7 table 0103",
		"E MSH-15 @83 103 Accept Acknowledgment Type \"XX\" is not in HL7 table 0155",
		"E OBR-4 @94 101 Universal Service Identifier is required",
		"E OBR-7.1 @97 102 Observation Date/Time TS.1 \"notadate\" is not a valid DTM (YYYY[MM[DD[HH[MM[SS[.SSSS]]]]]][+/-ZZZZ])",
		"E OBX-1 @126 102 Set ID - OBX \"x\" is not a valid SI (a non-negative integer)",
		"E OBX-11 @143 101 Observation Result Status is required",
		"E OBX-12.1 @144 102 Effective Date of Reference Range TS.1 \"\\\\Q\\\\\" is not a valid DTM (YYYY[MM[DD[HH[MM[SS[.SSSS]]]]]][+/-ZZZZ])",
		"W OBX-12 @144 102 malformed or unknown escape sequence",
		"E OBX[2]-2 @154 103 Value Type \"BAD\" is not in HL7 table 0125",
	}, problemLines(Validate(m)))
}

func TestStructureMatch(t *testing.T) {
	m := parseFile(t, "oru_r01_251_cbc.hl7")
	s, ok := StructureOf(m)
	require.True(t, ok)
	require.Equal(t, "ORU_R01", s.Name)
	require.Equal(t, "2.5.1", s.Version)
	mt, problems := s.Match(m)
	require.Empty(t, problems)
	require.Equal(t, "PATIENT_RESULT[1]/ORDER_OBSERVATION[1]/OBSERVATION[4]/NTE[1]", mt.Path(9))
	tests := []struct{ path, want string }{
		{"PATIENT_RESULT/PATIENT/PID-5", "Bossie34"},
		{"PATIENT_RESULT/PATIENT/VISIT/PV1-19", "ACC-2026-7731"},
		{"PATIENT_RESULT/ORDER_OBSERVATION/OBSERVATION[3]/OBX-5", "21"},
		{"PATIENT_RESULT[1]/ORDER_OBSERVATION[1]/OBSERVATION[4]/OBX-5[2]", "Rouleaux present"},
		{"PATIENT_RESULT/ORDER_OBSERVATION/OBSERVATION[4]/NTE-3", "Sample slightly hemolysed; repeat if clinically indicated."},
		{"PATIENT_RESULT/ORDER_OBSERVATION/OBSERVATION[5]/OBX-5", ""},
	}
	for _, tt := range tests {
		got, err := mt.Get(tt.path)
		require.NoError(t, err, tt.path)
		require.Equal(t, tt.want, got, tt.path)
	}
	_, err := mt.Get("PATIENT_RESULT[0]/PATIENT/PID-5")
	require.ErrorIs(t, err, ErrPath)
}

func TestStructureGrammars(t *testing.T) {
	tests := []struct {
		name, version, in string
		want              []string
	}{
		{"ACK", "2.5.1", "MSH|^~\\&|A||||20260101||ACK|1|P|2.5.1\rERR||PID|101|E\r", []string{
			"E MSA @38 100 required segment MSA missing in ACK",
		}},
		{"ACK", "2.3.1", "MSH|^~\\&|A||||20260101||ACK|1|P|2.3.1\rMSA|AA|1\rERR|PID\rERR|PV1\r", []string{
			"E ERR[2] @55 100 segment ERR is out of sequence for ACK",
		}},
		{"ORM_O01", "2.3.1", "MSH|^~\\&|A||||20260101||ORM^O01|1|P|2.3.1\rPID|1||1||X\rOBR|1||||\r", []string{
			"E OBR @54 100 required group ORDER missing in ORM_O01",
			"E OBR @54 100 segment OBR is out of sequence for ORM_O01",
		}},
		{"ORM_O01 choice", "2.3.1", "MSH|^~\\&|A||||20260101||ORM^O01|1|P|2.3.1\rORC|NW\rRXO|1\rNTE|1\r", nil},
		{"ORU_R01 2.3.1 empty observation group", "2.3.1", "MSH|^~\\&|A||||20260101||ORU^R01|1|P|2.3.1\rOBR|1||||\r", nil},
		{"ORU_R01 2.5.1 specimen", "2.5.1", "MSH|^~\\&|A||||20260101||ORU^R01^ORU_R01|1|P|2.5.1\rOBR|1||||\rSPM|1\rOBX|1\r", nil},
		{"OPU_R25 missing NK1", "2.6", "MSH|^~\\&|A||||20260101||OPU^R25^OPU_R25|1|P|2.6\rPV1|1|N\rROL|1|AD|PREM\rSPM|1\rOBR|1\rOBX|1\r", []string{
			"E SPM @70 100 required group ACCESSION_DETAIL missing in OPU_R25",
			"E SPM @70 100 segment SPM is out of sequence for OPU_R25",
			"E OBR @76 100 segment OBR is out of sequence for OPU_R25",
			"E OBX @82 100 segment OBX is out of sequence for OPU_R25",
		}},
		{"OPU_R25 missing ROL", "2.6", "MSH|^~\\&|A||||20260101||OPU^R25^OPU_R25|1|P|2.6\rPV1|1|N\rNK1|1\rSPM|1\rOBR|1\rOBX|1\r", []string{
			"E ROL @56 100 required segment ROL missing in OPU_R25",
		}},
		// v2.6: visit OBX/NTE directly under the root, repeating NK1,
		// specimen OBX with NTE, results with NTE.
		{"OPU_R25 full", "2.6", "MSH|^~\\&|A||||20260101||OPU^R25^OPU_R25|1|P|2.6\rPV1|1|N\rOBX|1\rNTE|1\rROL|1\rROL|2\rNK1|1\rNK1|2\rPID|1\rSPM|1\rOBX|1\rNTE|1\rSAC|1\rOBR|1\rORC|SC\rTQ1|1\rOBX|1\rNTE|1\rOBX|2\rSPM|2\rOBR|1\rOBX|1\r", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name+" "+tt.version, func(t *testing.T) {
			m, err := Parse([]byte(tt.in))
			require.NoError(t, err)
			s, ok := StructureOf(m)
			require.True(t, ok)
			require.Equal(t, tt.version, s.Version)
			_, problems := s.Match(m)
			if tt.want == nil {
				tt.want = []string{}
			}
			require.Equal(t, tt.want, problemLines(problems))
		})
	}
}

func TestParseStructureErrors(t *testing.T) {
	for _, notation := range []string{"MSH [PID", "MSH {PID]", "G<>", "MSH (PID|)", "MSH pid", "MSH G< PID"} {
		_, err := ParseStructure("X", "2.5", notation)
		require.Error(t, err, notation)
	}
}

func TestProfile(t *testing.T) {
	m := parseFile(t, "opu_r25_nahln.hl7")
	p := &Profile{
		Name:        "test-nahln",
		MessageType: "OPU", TriggerEvent: "R25", MessageStructure: "OPU_R25", Version: "2.6",
		Rules: []Rule{
			{Path: "MSH-3.2", Usage: UsageRequired, Prefix: "2.16.840.1.113883.3.5."},
			{Path: "MSH-4.2", Usage: UsageRequired, Prefix: "2.16.840.1.113883.3.5."},
			{Path: "PID-35", Usage: UsageRequired},
			{Path: "OBX-3.3", Values: []string{"LN"}},
			{Path: "OBX-5.3", Values: []string{"SCT"}, Msg: "coded results use SNOMED CT"},
			{Path: "PV1-19", Usage: UsageRequired, MaxLen: 10},
			{Path: "NTE-2", Usage: UsageNotUsed},
			{Path: "OBR-7", Type: "DTM"},
		},
	}
	require.Equal(t, []string{
		`E PV1-19 @293 104 13 characters, at most 10 allowed`,
	}, problemLines(p.Validate(m)))

	p.Version = "2.5.1"
	p.Rules = append(p.Rules, Rule{Path: "SPM-4.3", Values: []string{"LN"}, Msg: "profile 1.2"})
	require.Equal(t, []string{
		`E MSH-12.1 @201 203 profile test-nahln expects "2.5.1", message has "2.6"`,
		`E PV1-19 @293 104 13 characters, at most 10 allowed`,
		`E SPM-4.3 @581 103 "SCT" is not one of LN (profile 1.2)`,
	}, problemLines(p.Validate(m)))
}

func TestValidateObservationValueType(t *testing.T) {
	in := "MSH|^~\\&|A||||20260101||ORU^R01^ORU_R01|1|P|2.5.1\rOBR|1|||T\r" +
		"OBX|1|NM|GLU||12.5||||||F\r" +
		"OBX|2|NM|GLU||>400||||||F\r" +
		"OBX|3|TM|T||2460||||||F\r" +
		"OBX|4|DT|D||20260230~2026||||||F\r" + // 30 February does not exist
		"OBX|5|ST|S||anything||||||F\r"
	m, err := Parse([]byte(in))
	require.NoError(t, err)
	require.Equal(t, []string{
		`E OBX[2]-5 @100 102 Observation Value (NM from OBX-2) ">400" is not a valid NM (a decimal number)`,
		`E OBX[3]-5 @124 102 Observation Value (TM from OBX-2) "2460" is not a valid TM (HH[MM[SS[.SSSS]]][+/-ZZZZ])`,
		`E OBX[4]-5[1] @148 102 Observation Value (DT from OBX-2) "20260230" is not a valid DT (YYYY[MM[DD]])`,
	}, problemLines(Validate(m)))
}

func TestCheckPrimitive(t *testing.T) {
	tests := []struct {
		typ, s string
		ok     bool
	}{
		{"NM", "12", true}, {"NM", "-0.5", true}, {"NM", "+.5", true}, {"NM", "1.2.3", false},
		{"NM", "-", false}, {"NM", "1e3", false}, {"NM", ">400", false},
		{"SI", "42", true}, {"SI", "-1", false},
		{"DT", "2026", true}, {"DT", "202611", true}, {"DT", "20261121", true}, {"DT", "20240229", true},
		{"DT", "20250229", false}, {"DT", "20261131", false}, {"DT", "2026112", false}, {"DT", "202613", false},
		{"DTM", "20261121093005", true}, {"DTM", "20261121093005.1234-0500", true}, {"DTM", "202611210930+0100", true},
		{"DTM", "20261121093060", false}, {"DTM", "20261121240000", false}, {"DTM", "20261121093005.12345", false},
		{"DTM", "202611210930.5", false}, {"DTM", "20261121+05", false},
		{"TM", "0930", true}, {"TM", "093005.5+0100", true}, {"TM", "2400", false}, {"TM", "9", false},
		{"ST", "anything at all", true},
	}
	for _, tt := range tests {
		require.Equal(t, tt.ok, checkPrimitive(tt.typ, tt.s) == "", "%s %q", tt.typ, tt.s)
	}
}
