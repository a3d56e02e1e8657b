package hl7

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestValidateFiles validates the messages under testdata/validate: each
// valid_* file must conform, each invalid_* file must give exactly the
// problems written out here, in order, with their locations and offsets.
func TestValidateFiles(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		{"valid_oru_r01_251_full.hl7", nil},
		{"valid_opu_r25_26.hl7", nil},
		{"valid_orm_o01_231.hl7", nil},
		{"valid_ack_26.hl7", nil},
		// v2.6 OPU_R25 requires {ROL} before ACCESSION_DETAIL; DG1 is not
		// part of it (kept, reported); the Z-segment is allowed anywhere.
		{"invalid_opu_r25_26.hl7", []string{
			`E ROL @243 100 required segment ROL missing in OPU_R25`,
			`W DG1 @434 100 unexpected segment DG1 in OPU_R25`,
			`E ROL @538 100 segment ROL is out of sequence for OPU_R25`,
		}},
		// v2.3.1: one ERR, whose ERR-1 is required; control IDs of 20.
		{"invalid_ack_231.hl7", []string{
			`E ERR[2] @110 100 segment ERR is out of sequence for ACK`,
			`E MSH-10 @56 104 Message Control ID is 25 characters, at most 20 allowed`,
			`E ERR-1 @109 101 Error Code and Location is required`,
		}},
		// v2.5.1: ERR-3 and ERR-4 are required, ERR-2 is an ERL of numbers.
		{"invalid_ack_251.hl7", []string{
			`E ERR-2.2 @101 102 Error Location ERL.2 "x" is not a valid NM (a decimal number)`,
			`E ERR-4 @132 101 Severity is required`,
		}},
		{"invalid_datatypes_251.hl7", []string{
			`E MSH-3.2 @14 102 Sending Application HD.2 "1.3.6.01" is not an ISO OID (universal ID type ISO)`,
			`E MSH-4.2 @31 102 Sending Facility HD.2 "lab..example" is not a DNS name (universal ID type DNS)`,
			`E MSH-5.2 @52 101 Receiving Application HD.2 (universal ID) is required when Receiving Application HD.3 (universal ID type) is valued`,
			`E MSH-7.1 @62 102 Date/Time of Message TS.1 "20261321" is not a valid DTM (YYYY[MM[DD[HH[MM[SS[.SSSS]]]]]][+/-ZZZZ])`,
			`E MSH-9.2 @76 103 Message Type MSG.2 "R1" is not in HL7 table 0003`,
			`E MSH-9.3 @79 103 Message Type MSG.3 "ORU-R01" is not in HL7 table 0354`,
			`E MSH-11.2 @92 103 Processing ID PT.2 "Z" is not in HL7 table 0207`,
			`E MSH-16 @105 103 Application Acknowledgment Type "XX" is not in HL7 table 0155`,
			`E PID-3[1].1 @115 101 Patient Identifier List CX.1 is required when Patient Identifier List is valued`,
			`W PID-3[2].5 @147 103 Patient Identifier List CX.5 "ZZ" is not in HL7 table 0203`,
			`W PID-5.7 @164 103 Patient Name XPN.7 "Q" is not in HL7 table 0200`,
			`E PID-7.1 @167 102 Date/Time of Birth TS.1 "20260230" is not a valid DTM (YYYY[MM[DD[HH[MM[SS[.SSSS]]]]]][+/-ZZZZ])`,
			`E OBR-2.4 @197 101 Placer Order Number EI.4 (universal ID type) is required when Placer Order Number EI.3 (universal ID) is valued`,
			`E OBX-5 @270 102 Observation Value (NM from OBX-2) "12,5" is not a valid NM (a decimal number)`,
			`E OBX[2]-5.1 @318 102 Observation Value (SN from OBX-2) SN.1 "=>" is not a comparator (> < >= <= = <>)`,
			`E OBX[2]-5.3 @325 102 Observation Value (SN from OBX-2) SN.3 "x" is not a separator or suffix (- + / . :)`,
			`W OBX[3]-5.3 @384 103 Observation Value (CWE from OBX-2) CWE.3 "LOCAL99" is not in HL7 table 0396`,
			`W OBX[3]-5.6 @396 103 Observation Value (CWE from OBX-2) CWE.6 "z" is not in HL7 table 0396`,
			`W OBX[3]-5.10 @404 102 Observation Value (CWE from OBX-2) is CWE, which has 9 components, but has 10`,
			`W OBX[4]-5.2 @437 102 Observation Value (ID from OBX-2) is ID, a type without components, but has 2`,
			`E OBX[4]-14.1 @452 102 Date/Time of the Observation TS.1 "20261121250000" is not a valid DTM (YYYY[MM[DD[HH[MM[SS[.SSSS]]]]]][+/-ZZZZ])`,
			`E NTE-1 @471 102 Set ID - NTE "x" is not a valid SI (a non-negative integer)`,
			`E NTE-2 @473 103 Source of Comment "Q" is not in HL7 table 0105`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "validate", tt.file))
			require.NoError(t, err)
			m, err := Parse(data)
			require.NoError(t, err)
			want := tt.want
			if want == nil {
				want = []string{}
			}
			require.Equal(t, want, problemLines(Validate(m)))
		})
	}
}

// Every segment the shipped structures name has an attribute table, and
// every data type those tables use is known, so no segment of a shipped
// message goes unchecked.
func TestFieldDefinitionsCoverStructures(t *testing.T) {
	checked := map[string]bool{}
	for _, id := range checkedSegments() {
		checked[id] = true
	}
	for _, s := range []*Structure{ackV231, ackV25, ackV26, ormO01V231, oruR01V231, oruR01V251, opuR25V26} {
		for id := range s.ids {
			require.True(t, checked[id], "%s %s: segment %s has no field definitions", s.Name, s.Version, id)
		}
	}
	require.Len(t, checkedSegments(), 37)
	for _, specs := range []map[string][]fieldSpec{fieldSpecs251, fieldSpecs231} {
		for id, fields := range specs {
			for i, f := range fields {
				require.True(t, f.typ == "*" || knownType(f.typ), "%s-%d", id, f.seq)
				if i > 0 {
					require.Greater(t, f.seq, fields[i-1].seq, "%s: fields out of order", id)
				}
			}
		}
	}
}

// The data types checked: every composite is walked component by
// component and every primitive with a lexical rule is checked.
func TestCheckedDataTypes(t *testing.T) {
	require.ElementsMatch(t, []string{
		"AUI", "CCD", "CE", "CM_MSG", "CNE", "CP", "CQ", "CWE", "CX", "DLD", "DLN", "DR", "ED", "EI", "EIP", "ELD", "ERL",
		"FC", "FN", "HD", "JCC", "MO", "MOC", "MOP", "MSG", "NDL", "PL", "PLN", "PRL", "PT", "SAD", "SN", "SPS", "TS",
		"VID", "XAD", "XCN", "XON", "XPN", "XTN",
		"DT", "DTM", "ID", "IS", "NM", "SI", "TM",
	}, checkedDataTypes())
}

// Limits that changed between versions follow MSH-12: v2.7 added the
// truncation character to MSH-2 and raised MSH-10 and MSA-2 to 199.
func TestValidateVersionLimits(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"2.7 truncation and long control ID",
			"MSH|^~\\&#|A||||20261121||ACK^R01^ACK|CTRL-0123456789-0123456789|P|2.7\rMSA|AA|CTRL-0123456789-0123456789\r", nil},
		{"2.5.1 truncation and long control ID",
			"MSH|^~\\&#|A||||20261121||ACK^R01^ACK|CTRL-0123456789-0123456789|P|2.5.1\rMSA|AA|CTRL-0123456789-0123456789\r", []string{
				"E MSH-2 @4 104 Encoding Characters is 5 characters, at most 4 allowed",
				"E MSH-10 @37 104 Message Control ID is 26 characters, at most 20 allowed",
				"E MSA-2 @79 104 Message Control ID is 26 characters, at most 20 allowed",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse([]byte(tt.in))
			require.NoError(t, err)
			want := tt.want
			if want == nil {
				want = []string{}
			}
			require.Equal(t, want, problemLines(Validate(m)))
		})
	}
}

// From v2.6 the coded fields the v2.5.1 tables type CE are CWE, whose
// components 7 to 9 carry code system versions and original text.
func TestValidateCWEFromV26(t *testing.T) {
	obx := "OBX|1|ST|94500-6^SARS-CoV-2 RNA^LN^^^^2.76^^RNA test||x||||||F\r"
	for _, tt := range []struct {
		version string
		want    []string
	}{
		{"2.6", []string{}},
		{"2.5.1", []string{"W OBX-3.7 @88 102 Observation Identifier is CE, which has 6 components, but has 9"}},
	} {
		m, err := Parse([]byte("MSH|^~\\&|A||||20261121||ORU^R01^ORU_R01|1|P|" + tt.version + "\r" + obx))
		require.NoError(t, err)
		var got []string
		for _, l := range problemLines(Validate(m)) {
			if strings.Contains(l, "OBX-3") {
				got = append(got, l)
			}
		}
		if got == nil {
			got = []string{}
		}
		require.Equal(t, tt.want, got, tt.version)
	}
}

// The v2.6 OPU_R25 grammar places each segment of a full NAHLN-style
// report in the group the standard gives it.
func TestOPUR25GroupPaths(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "validate", "valid_opu_r25_26.hl7"))
	require.NoError(t, err)
	m, err := Parse(data)
	require.NoError(t, err)
	s, ok := StructureOf(m)
	require.True(t, ok)
	mt, problems := s.Match(m)
	require.Empty(t, problems)
	var paths []string
	for i := 0; i < m.NumSegments(); i++ {
		paths = append(paths, mt.Path(i))
	}
	require.Equal(t, []string{
		"MSH[1]",
		"PV1[1]",
		"OBX[1]",
		"NTE[1]",
		"ROL[1]",
		"ROL[2]",
		"ACCESSION_DETAIL[1]/NK1[1]",
		"ACCESSION_DETAIL[1]/NK1[2]",
		"ACCESSION_DETAIL[1]/PATIENT[1]/PID[1]",
		"ACCESSION_DETAIL[1]/SPECIMEN[1]/SPM[1]",
		"ACCESSION_DETAIL[1]/SPECIMEN[1]/SPECIMEN_OBSERVATION[1]/OBX[1]",
		"ACCESSION_DETAIL[1]/SPECIMEN[1]/SPECIMEN_OBSERVATION[1]/NTE[1]",
		"ACCESSION_DETAIL[1]/SPECIMEN[1]/ORDER[1]/OBR[1]",
		"ACCESSION_DETAIL[1]/SPECIMEN[1]/ORDER[1]/ORC[1]",
		"ACCESSION_DETAIL[1]/SPECIMEN[1]/ORDER[1]/RESULT[1]/OBX[1]",
		"ACCESSION_DETAIL[1]/SPECIMEN[1]/ORDER[1]/RESULT[1]/NTE[1]",
		"ACCESSION_DETAIL[1]/SPECIMEN[1]/ORDER[1]/RESULT[2]/OBX[1]",
	}, paths)
}

// v2.6 lengths and types: an OID-qualified filler order number fits v2.6's
// EI (427) but not v2.5.1's OBR-3 (22); MSH-7 is a DTM in v2.6, so the
// v2.5.1 TS degree-of-precision component is extra.
func TestValidateV26Tables(t *testing.T) {
	body := "OBR|1||FIL-7^VDL^2.16.840.1.113883.3.5.7.2^ISO|94531-1^SARS-CoV-2 RNA panel^LN\r"
	for _, tt := range []struct {
		version string
		want    []string
	}{
		{"2.6", []string{
			"W MSH-7.2 @27 102 Date/Time of Message is DTM, a type without components, but has 2",
		}},
		{"2.5.1", []string{
			"E OBR-3 @63 104 Filler Order Number is 39 characters, at most 22 allowed",
		}},
	} {
		m, err := Parse([]byte("MSH|^~\\&|A||||202611211200^M||ORU^R01^ORU_R01|1|P|" + tt.version + "\r" + body))
		require.NoError(t, err)
		var got []string
		for _, l := range problemLines(Validate(m)) {
			if strings.Contains(l, "MSH-") || strings.Contains(l, "OBR-") {
				got = append(got, l)
			}
		}
		require.Equal(t, tt.want, got, tt.version)
	}
}
