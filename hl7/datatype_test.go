package hl7

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestUniversalIDSyntax(t *testing.T) {
	tests := []struct {
		id, typ string
		ok      bool
	}{
		{"2.16.840.1.113883.3.5.9", "ISO", true},
		{"1.3.6.1.4.1.58431", "ISO", true},
		{"0.9", "ISO", true},
		{"2.999", "ISO", true}, // under joint-iso-itu-t any second arc
		{"2", "ISO", false},    // one arc
		{"3.1", "ISO", false},  // no root arc 3
		{"1.40", "ISO", false}, // second arc below 40 under 0 and 1
		{"1.3.6.01", "ISO", false},
		{"2.16..840", "ISO", false},
		{"2.16.840.", "ISO", false},
		{"urn:oid:2.16.840", "ISO", false},
		{"6ba7b810-9dad-11d1-80b4-00c04fd430c8", "UUID", true},
		{"6BA7B810-9DAD-11D1-80B4-00C04FD430C8", "UUID", true},
		{"6ba7b8109dad11d180b400c04fd430c8", "UUID", false},
		{"6ba7b810-9dad-11d1-80b4-00c04fd430cg", "UUID", false},
		{"lab.example.org", "DNS", true},
		{"lab-1.example.org.", "DNS", true},
		{"lab..example", "DNS", false},
		{"-lab.example", "DNS", false},
		{"lab_1.example", "DNS", false},
		{"anything at all", "L", true}, // local: no syntax
		{"anything at all", "", true},
	}
	for _, tt := range tests {
		require.Equal(t, tt.ok, checkUniversalID(tt.id, tt.typ) == "", "%s %q", tt.typ, tt.id)
	}
}

func TestValueSets(t *testing.T) {
	tests := []struct {
		table, value string
		ok           bool
	}{
		{"0396", "LN", true}, {"0396", "SCT", true}, {"0396", "HL70063", true}, {"0396", "99VET", true},
		{"0396", "LOCAL", false}, {"0396", "HL7063", false},
		{"0003", "R25", true}, {"0003", "R1", false},
		{"0354", "OPU_R25", true}, {"0354", "ACK", true}, {"0354", "OPU-R25", false},
		{"0399", "USA", true}, {"0399", "US", false},
		{"0203", "NNCAN", true}, {"0203", "MR", true}, {"0203", "ZZ", false},
	}
	for _, tt := range tests {
		require.Equal(t, tt.ok, valueSets[tt.table].contains(tt.value), "%s %q", tt.table, tt.value)
	}
}

func TestCompositeComponents(t *testing.T) {
	in := "MSH|^~\\&|A||||20261121||ORU^R01^ORU_R01|1|P|2.5.1\r" +
		"PID|1||123^^^&2.16.840.1.113883.3.5&ISO^MR~456^^^FARM&not-an-oid&ISO^MR||Doe\r" +
		"OBR|1|||T^Test^L|||20261121^x\r" +
		"SPM|1|||119297000^Blood^SCT|||||||||||||20261121&2026~x\r" // SPM-17 is a DR of two TS
	m, err := Parse([]byte(in))
	require.NoError(t, err)
	require.Equal(t, []string{
		`E PID-3[2].4.2 @104 102 Patient Identifier List CX.4 HD.2 "not-an-oid" is not an ISO OID (universal ID type ISO)`,
		`E OBR-7.2 @155 103 Observation Date/Time TS.2 "x" is not in HL7 table 0529`,
		`E SPM-17 @197 100 Specimen Collection Date/Time does not repeat, has 2 repetitions`,
		`E SPM-17[1].1.2 @206 103 Specimen Collection Date/Time DR.1 TS.2 "2026" is not in HL7 table 0529`,
		`E SPM-17[2].1.1 @211 102 Specimen Collection Date/Time DR.1 TS.1 "x" is not a valid DTM (YYYY[MM[DD[HH[MM[SS[.SSSS]]]]]][+/-ZZZZ])`,
	}, problemLines(Validate(m)))
}
