package hl7

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func parseFile(t *testing.T, name string) *Message {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	m, err := Parse(data)
	require.NoError(t, err)
	return m
}

var ackTime = time.Date(2026, 11, 21, 9, 30, 5, 0, time.UTC)

func TestNewACK(t *testing.T) {
	cbc := parseFile(t, "oru_r01_251_cbc.hl7")
	chem := parseFile(t, "oru_r01_231_chem.hl7")
	alt := parseFile(t, "delims_alt.hl7")
	obx := Location{Segment: "OBX", SegmentSeq: 3, Field: 5}
	tests := []struct {
		name string
		m    *Message
		code AckCode
		opts ACKOptions
		want []string
	}{
		{
			name: "original mode accept",
			m:    chem, code: AA,
			opts: ACKOptions{ControlID: "A1", Time: ackTime},
			want: []string{
				`MSH|^~\&|PMS|SMALLVET|CHEMAN|CLINICLAB|20261121093005+0000||ACK^R01^ACK|A1|P|2.3.1`,
				`MSA|AA|C000981`,
			},
		},
		{
			name: "v2.3.1 error uses ERR-1",
			m:    chem, code: AE,
			opts: ACKOptions{ControlID: "A2", Time: ackTime, Text: "bad value", Errors: []AckError{{Location: Location{Segment: "OBX", SegmentSeq: 1, Field: 5}, Code: CodeDataType}}},
			want: []string{
				`MSH|^~\&|PMS|SMALLVET|CHEMAN|CLINICLAB|20261121093005+0000||ACK^R01^ACK|A2|P|2.3.1`,
				`MSA|AE|C000981|bad value`,
				`ERR|OBX^1^5^102&Data type error&HL70357`,
			},
		},
		{
			name: "v2.5.1 error uses ERR-2 ERL, ERR-3, ERR-4, ERR-8 and copies MSH-18",
			m:    cbc, code: AE,
			opts: ACKOptions{ControlID: "A3", Time: ackTime, Errors: []AckError{
				{Location: obx, Code: CodeDataType, Text: "21 ^ is not numeric"},
				{Location: Location{Segment: "PID", SegmentSeq: 1, Field: 3, Repetition: 2, Component: 4}, Code: CodeTableValueNotFound, Severity: SeverityWarning},
			}},
			want: []string{
				`MSH|^~\&|VETLINK|RIVERSIDE VET|IDEXX^2.16.840.1.113883.3.5.1^ISO|VETLAB^LAB01^L|20261121093005+0000||ACK^R01^ACK|A3|P|2.5.1||||||UNICODE UTF-8`,
				`MSA|AE|LAB20261121-0042`,
				`ERR||OBX^3^5|102^Data type error^HL70357|E||||21 \S\ is not numeric`,
				`ERR||PID^1^3^2^4|103^Table value not found^HL70357|W`,
			},
		},
		{
			name: "enhanced mode commit accept",
			m:    cbc, code: CA,
			opts: ACKOptions{ControlID: "A4", Time: ackTime},
			want: []string{
				`MSH|^~\&|VETLINK|RIVERSIDE VET|IDEXX^2.16.840.1.113883.3.5.1^ISO|VETLAB^LAB01^L|20261121093005+0000||ACK^R01^ACK|A4|P|2.5.1||||||UNICODE UTF-8`,
				`MSA|CA|LAB20261121-0042`,
			},
		},
		{
			name: "reject keeps the sender's delimiters",
			m:    alt, code: AR,
			opts: ACKOptions{ControlID: "A5", Time: ackTime, Errors: []AckError{{Location: Location{Segment: "MSH", SegmentSeq: 1, Field: 12}, Code: CodeUnsupportedVersion, Text: "v2.7 # not served"}}},
			want: []string{
				`MSH#$*@%!#RCV#FAC#SENDER#FAC#20261121093005+0000##ACK$A08$ACK#A5#P#2.7`,
				`MSA#AR#ALT1`,
				`ERR##MSH$1$12#203$Unsupported version id$HL70357#E####v2.7 @F@ not served`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ack, err := NewACK(tt.m, tt.code, tt.opts)
			require.NoError(t, err)
			require.Equal(t, strings.Join(tt.want, "\r")+"\r", ack.String())
		})
	}
}

func TestNewACKErrors(t *testing.T) {
	chem := parseFile(t, "oru_r01_231_chem.hl7")
	_, err := NewACK(chem, CA, ACKOptions{})
	require.ErrorIs(t, err, ErrAck)
	require.ErrorContains(t, err, "enhanced-mode code")
	_, err = NewACK(chem, AckCode("OK"), ACKOptions{})
	require.ErrorIs(t, err, ErrAck)
	_, err = NewACK(nil, AA, ACKOptions{})
	require.ErrorIs(t, err, ErrAck)
}

func TestNewACKDefaults(t *testing.T) {
	chem := parseFile(t, "oru_r01_231_chem.hl7")
	ack, err := NewACK(chem, AA, ACKOptions{})
	require.NoError(t, err)
	id, _ := ack.Get("MSH-10")
	require.Len(t, id, 20)
	require.NotEqual(t, "C000981", id)
	ts, _ := ack.Get("MSH-7")
	require.True(t, isDateTime(ts[:14], 14, true), ts)
}

func TestNewACKFromProblems(t *testing.T) {
	cbc := parseFile(t, "oru_r01_251_cbc.hl7")
	tests := []struct {
		name     string
		problems []Problem
		wantCode string
		wantErrs int
	}{
		{"none", nil, "AA", 0},
		{"warnings only", []Problem{{Location: Location{Segment: "ZXX", SegmentSeq: 1}, Code: CodeSegmentSequence, Severity: SeverityWarning}}, "AA", 1},
		{"error", []Problem{{Location: Location{Segment: "OBX", SegmentSeq: 1, Field: 11}, Code: CodeRequiredFieldMissing, Severity: SeverityError}}, "AE", 1},
		{"unsupported version rejects", []Problem{
			{Location: Location{Segment: "OBX", SegmentSeq: 1, Field: 11}, Code: CodeRequiredFieldMissing, Severity: SeverityError},
			{Location: Location{Segment: "MSH", SegmentSeq: 1, Field: 12}, Code: CodeUnsupportedVersion, Severity: SeverityError},
		}, "AR", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ack, err := NewACKFromProblems(cbc, tt.problems, ACKOptions{ControlID: "X", Time: ackTime})
			require.NoError(t, err)
			code, _ := ack.Get("MSA-1")
			require.Equal(t, tt.wantCode, code)
			require.Len(t, ack.SegmentsNamed("ERR"), tt.wantErrs)
		})
	}
}

func TestHeaderAckWishes(t *testing.T) {
	tests := []struct {
		accept, app       string
		enhanced          bool
		acceptOK, acceptE bool
		appOK, appErr     bool
	}{
		{"", "", false, false, false, true, true},
		{"AL", "NE", true, true, true, false, false},
		{"ER", "SU", true, false, true, true, false},
		{"NE", "ER", true, false, false, false, true},
	}
	for _, tt := range tests {
		h := Header{AcceptAckType: tt.accept, ApplicationAckType: tt.app}
		require.Equal(t, tt.enhanced, h.EnhancedMode(), "%+v", tt)
		require.Equal(t, tt.acceptOK, h.WantsAcceptACK(true), "%+v", tt)
		require.Equal(t, tt.acceptE, h.WantsAcceptACK(false), "%+v", tt)
		require.Equal(t, tt.appOK, h.WantsApplicationACK(true), "%+v", tt)
		require.Equal(t, tt.appErr, h.WantsApplicationACK(false), "%+v", tt)
	}
}
