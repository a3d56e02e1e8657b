package hl7

import (
	"strconv"
	"strings"
	"time"
)

// FieldDef describes one field of a segment for validation.
type FieldDef struct {
	Field     int    // HL7 field number
	Name      string // for messages, for example "Message Control ID"
	Type      string // data type: "ST", "NM", "DTM", "TS", "DT", "SI", "ID", "CWE", ...
	Required  bool
	Repeating bool
	MaxLen    int    // per repetition, in characters as sent; 0 = no limit
	Table     string // HL7 table whose values an ID field must take, for example "0008"
}

// segmentDefs holds the fields this package checks for common segments,
// after the v2.5.1 segment tables (chapters 2, 3, 4 and 7). Fields not
// listed are not checked; unknown segments are not checked.
var segmentDefs = map[string][]FieldDef{
	"MSH": {
		{Field: 1, Name: "Field Separator", Type: "ST", Required: true, MaxLen: 1},
		{Field: 2, Name: "Encoding Characters", Type: "ST", Required: true, MaxLen: 5},
		{Field: 7, Name: "Date/Time of Message", Type: "TS", Required: true},
		{Field: 9, Name: "Message Type", Type: "MSG", Required: true},
		{Field: 10, Name: "Message Control ID", Type: "ST", Required: true, MaxLen: 199},
		{Field: 11, Name: "Processing ID", Type: "PT", Required: true, Table: "0103"},
		{Field: 12, Name: "Version ID", Type: "VID", Required: true, Table: "0104"},
		{Field: 15, Name: "Accept Acknowledgment Type", Type: "ID", Table: "0155"},
		{Field: 16, Name: "Application Acknowledgment Type", Type: "ID", Table: "0155"},
		{Field: 18, Name: "Character Set", Type: "ID", Repeating: true, Table: "0211"},
	},
	"MSA": {
		{Field: 1, Name: "Acknowledgment Code", Type: "ID", Required: true, Table: "0008"},
		{Field: 2, Name: "Message Control ID", Type: "ST", Required: true, MaxLen: 199},
	},
	"ERR": {
		{Field: 4, Name: "Severity", Type: "ID", Table: "0516"},
	},
	"EVN": {
		{Field: 2, Name: "Recorded Date/Time", Type: "TS", Required: true},
	},
	"PID": {
		{Field: 1, Name: "Set ID - PID", Type: "SI", MaxLen: 4},
		{Field: 3, Name: "Patient Identifier List", Type: "CX", Required: true, Repeating: true},
		{Field: 5, Name: "Patient Name", Type: "XPN", Required: true, Repeating: true},
		{Field: 7, Name: "Date/Time of Birth", Type: "TS"},
		{Field: 8, Name: "Administrative Sex", Type: "IS", MaxLen: 1, Table: "0001"},
	},
	"PV1": {
		{Field: 1, Name: "Set ID - PV1", Type: "SI", MaxLen: 4},
		{Field: 2, Name: "Patient Class", Type: "IS", Required: true, Table: "0004"},
	},
	"NK1": {
		{Field: 1, Name: "Set ID - NK1", Type: "SI", Required: true, MaxLen: 4},
	},
	"ROL": {
		{Field: 2, Name: "Action Code", Type: "ID", Required: true, Table: "0287"},
		{Field: 3, Name: "Role-ROL", Type: "CE", Required: true},
	},
	"ORC": {
		{Field: 1, Name: "Order Control", Type: "ID", Required: true, MaxLen: 2, Table: "0119"},
		{Field: 5, Name: "Order Status", Type: "ID", Table: "0038"},
	},
	"OBR": {
		{Field: 1, Name: "Set ID - OBR", Type: "SI", MaxLen: 4},
		{Field: 4, Name: "Universal Service Identifier", Type: "CE", Required: true},
		{Field: 7, Name: "Observation Date/Time", Type: "TS"},
		{Field: 22, Name: "Results Rpt/Status Chng - Date/Time", Type: "TS"},
		{Field: 25, Name: "Result Status", Type: "ID", Table: "0123"},
	},
	"OBX": {
		{Field: 1, Name: "Set ID - OBX", Type: "SI", MaxLen: 4},
		{Field: 2, Name: "Value Type", Type: "ID", Table: "0125"},
		{Field: 3, Name: "Observation Identifier", Type: "CE", Required: true},
		{Field: 11, Name: "Observation Result Status", Type: "ID", Required: true, MaxLen: 1, Table: "0085"},
		{Field: 14, Name: "Date/Time of the Observation", Type: "TS"},
	},
	"NTE": {
		{Field: 1, Name: "Set ID - NTE", Type: "SI", MaxLen: 4},
	},
	"SPM": {
		{Field: 1, Name: "Set ID - SPM", Type: "SI", MaxLen: 4},
		{Field: 4, Name: "Specimen Type", Type: "CWE", Required: true},
	},
}

// tables holds the HL7-defined tables (values fixed by the standard) that
// ID fields are checked against. User-defined tables (IS fields) vary by
// site, so their values here are the standard's suggestions and a
// mismatch is only a warning.
var tables = map[string][]string{
	"0001": {"A", "F", "M", "N", "O", "U"},
	"0004": {"B", "C", "E", "I", "N", "O", "P", "R", "U"},
	"0008": {"AA", "AE", "AR", "CA", "CE", "CR"},
	"0038": {"A", "CA", "CM", "DC", "ER", "HD", "IP", "RP", "SC"},
	"0085": {"C", "D", "F", "I", "N", "O", "P", "R", "S", "U", "W", "X"},
	"0103": {"D", "P", "T"},
	"0104": {"2.0", "2.0D", "2.1", "2.2", "2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6", "2.7", "2.7.1", "2.8", "2.8.1", "2.8.2", "2.9"},
	"0119": {"AF", "CA", "CH", "CN", "CR", "DC", "DE", "DF", "DR", "FU", "HD", "HR", "LI", "NA", "NW", "OC", "OD", "OE", "OF", "OH", "OK", "OP", "OR", "PA", "PR", "PY", "RE", "RF", "RL", "RO", "RP", "RQ", "RR", "RU", "SC", "SN", "SR", "SS", "UA", "UC", "UD", "UF", "UH", "UM", "UN", "UR", "UX", "XO", "XR", "XX"},
	"0123": {"A", "C", "F", "I", "O", "P", "R", "S", "X", "Y", "Z"},
	"0125": {"AD", "CE", "CF", "CK", "CN", "CNE", "CP", "CWE", "CX", "DR", "DT", "DTM", "ED", "FT", "ID", "IS", "MA", "MO", "NA", "NM", "PN", "RP", "SN", "ST", "TM", "TN", "TS", "TX", "XAD", "XCN", "XON", "XPN", "XTN"},
	"0155": {"AL", "ER", "NE", "SU"},
	"0211": {"ASCII", "8859/1", "8859/2", "8859/3", "8859/4", "8859/5", "8859/6", "8859/7", "8859/8", "8859/9", "8859/15", "ISO IR14", "ISO IR87", "ISO IR159", "GB 18030-2000", "KS X 1001", "CNS 11643-1992", "BIG-5", "UNICODE", "UNICODE UTF-8", "UNICODE UTF-16", "UNICODE UTF-32"},
	"0287": {"AD", "CO", "DE", "LI", "UC", "UN", "UP"},
	"0516": {"E", "F", "I", "W"},
}

// userTables are the tables above whose values sites may extend.
var userTables = map[string]bool{"0001": true, "0004": true}

// validType reports whether s (one decoded repetition or component) is a
// valid value of the primitive data type typ. Types without a lexical rule
// (ST, TX, FT, composites) are always valid.
func validType(typ, s string) bool {
	switch typ {
	case "NM":
		return validNM(s)
	case "SI":
		if s == "" {
			return true
		}
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return false
			}
		}
		return true
	case "DT":
		return validDateTime(s, 8, false)
	case "TM":
		return validTime(s)
	case "DTM", "TS":
		return validDateTime(s, 14, true)
	}
	return true
}

// validNM accepts an optional sign, digits and at most one decimal point.
func validNM(s string) bool {
	if s == "" {
		return true
	}
	i, digits, dot := 0, 0, false
	if s[0] == '+' || s[0] == '-' {
		i++
	}
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return digits > 0
}

// validDateTime accepts YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]] up to
// maxDigits digits before the fraction, and with time zones +/-ZZZZ when
// allowed. Months, days, hours, minutes and seconds are range-checked.
func validDateTime(s string, maxDigits int, withTime bool) bool {
	if s == "" {
		return true
	}
	if withTime {
		if i := strings.IndexAny(s, "+-"); i >= 0 {
			tz := s[i+1:]
			if len(tz) != 4 || !allDigits(tz) || tz[:2] > "14" || tz[2:] > "59" {
				return false
			}
			s = s[:i]
		}
		if i := strings.IndexByte(s, '.'); i >= 0 {
			frac := s[i+1:]
			if len(frac) == 0 || len(frac) > 4 || !allDigits(frac) || i != 14 {
				return false
			}
			s = s[:i]
		}
	}
	n := len(s)
	if n < 4 || n > maxDigits || n%2 != 0 || !allDigits(s) {
		return false
	}
	ranges := [...][2]string{{"01", "12"}, {"01", "31"}, {"00", "23"}, {"00", "59"}, {"00", "59"}}
	for k := 0; 4+2*k+2 <= n; k++ {
		p := s[4+2*k : 6+2*k]
		if p < ranges[k][0] || p > ranges[k][1] {
			return false
		}
	}
	if n >= 8 { // the day must exist in that month: no 30 February
		y, _ := strconv.Atoi(s[:4])
		mo, _ := strconv.Atoi(s[4:6])
		day, _ := strconv.Atoi(s[6:8])
		if day > time.Date(y, time.Month(mo)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// validTime accepts HH[MM[SS[.S[S[S[S]]]]]][+/-ZZZZ].
func validTime(s string) bool {
	if s == "" {
		return true
	}
	if i := strings.IndexAny(s, "+-"); i >= 0 {
		tz := s[i+1:]
		if len(tz) != 4 || !allDigits(tz) {
			return false
		}
		s = s[:i]
	}
	if i := strings.IndexByte(s, '.'); i >= 0 {
		if i != 6 || len(s)-i-1 < 1 || len(s)-i-1 > 4 || !allDigits(s[i+1:]) {
			return false
		}
		s = s[:i]
	}
	n := len(s)
	if n < 2 || n > 6 || n%2 != 0 || !allDigits(s) {
		return false
	}
	limits := [...]string{"23", "59", "59"}
	for k := 0; 2*k+2 <= n; k++ {
		if s[2*k:2*k+2] > limits[k] {
			return false
		}
	}
	return true
}
