package hl7

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// compSpec is one component (or subcomponent) of a composite data type.
type compSpec struct {
	typ      string
	table    string
	required bool
}

// compositeNotation lists the components of the composite data types of
// HL7 v2.5.1 chapter 2A, one token per component in the form
// TYPE[:table][!], "!" marking a required component. Types listed in
// opaqueTypes are known but not checked below the field. A composite
// used inside a composite has its parts as subcomponents; at the
// subcomponent level it is checked as its first component (a TS inside DR
// is its DTM).
var compositeNotation = map[string]string{
	"AUI":    "ST DT ST",
	"CCD":    "ID:0100 TS",
	"CE":     "ST ST ID:0396 ST ST ID:0396",
	"CNE":    "ST ST ID:0396 ST ST ID:0396 ST ST ST",
	"CP":     "MO! ID:0205 NM NM CE ID:0298",
	"CQ":     "NM CE",
	"CWE":    "ST ST ID:0396 ST ST ID:0396 ST ST ST",
	"CX":     "ST! ST ID:0061 HD ID:0203 HD DT DT CWE CWE",
	"CM_MSG": "ID:0076! ID:0003! ID:0354",
	"DLD":    "IS:0113 TS",
	"DLN":    "ST IS:0333 DT",
	"DR":     "TS TS",
	"ED":     "HD ID:0191 ID:0291 ID:0299 TX",
	"EI":     "ST IS:0363 ST ID:0301",
	"EIP":    "EI EI",
	"ELD":    "ST NM NM CE",
	"ERL":    "ST! NM! NM NM NM NM",
	"FC":     "IS:0064 TS",
	"FN":     "ST! ST ST ST ST",
	"HD":     "IS:0300 ST ID:0301",
	"JCC":    "IS:0327 IS:0328 TX",
	"MO":     "NM ID",
	"MOC":    "MO CE",
	"MOP":    "ID:0148 NM ID",
	"MSG":    "ID:0076! ID:0003! ID:0354!",
	"NDL":    "CNN TS TS IS:0302 IS:0303 IS:0304 HD IS:0306 IS:0305",
	"PL":     "IS:0302 IS:0303 IS:0304 HD IS:0306 IS:0305 IS:0307 IS:0308 ST EI HD",
	"PLN":    "ST IS:0338 ST DT",
	"PRL":    "CE ST TX",
	"PT":     "ID:0103! ID:0207",
	"SAD":    "ST ST ST",
	"SN":     "ST NM ST NM",
	"SPS":    "CWE TX TX CWE CWE CWE CWE",
	"TS":     "DTM! ID:0529",
	"VID":    "ID:0104! CE CE",
	"XAD":    "SAD ST ST ST ST ID:0399 ID:0190 ST IS:0289 IS:0288 ID:0465 DR TS TS",
	"XCN":    "ST FN ST ST ST ST IS:0360 IS:0297 HD ID:0200 ST ID:0061 ID:0203 HD ID:0465 CE DR ID:0444 TS TS ST CWE CWE",
	"XON":    "ST IS:0204 NM NM ID:0061 HD ID:0203 HD ID:0465 ST",
	"XPN":    "FN ST ST ST ST IS:0360 ID:0200 ID:0465 CE DR ID:0444 TS TS ST",
	"XTN":    "ST ID:0201 ID:0202 ST NM NM NM NM ST ST ST ST",
}

// opaqueTypes are composite types this package recognises but does not
// check component by component: the v2.3.1 CM types whose layout differs
// per field, and the timing types TQ and RPT.
var opaqueTypes = map[string]bool{"CM": true, "CNN": true, "TQ": true, "RPT": true}

// primitiveTypes are the data types without components.
var primitiveTypes = map[string]bool{
	"ST": true, "TX": true, "FT": true, "ID": true, "IS": true, "NM": true, "SI": true,
	"DT": true, "DTM": true, "TM": true, "TN": true, "GTS": true,
}

var composites = compileComposites(compositeNotation)

func compileComposites(src map[string]string) map[string][]compSpec {
	out := make(map[string][]compSpec, len(src))
	for typ, notation := range src {
		var comps []compSpec
		for _, tok := range strings.Fields(notation) {
			c := compSpec{}
			if strings.HasSuffix(tok, "!") {
				c.required = true
				tok = strings.TrimSuffix(tok, "!")
			}
			c.typ, c.table, _ = strings.Cut(tok, ":")
			comps = append(comps, c)
		}
		out[typ] = comps
	}
	for typ, comps := range out {
		for _, c := range comps {
			if !knownType(c.typ) {
				panic(fmt.Sprintf("hl7: data type %s: unknown component type %s", typ, c.typ))
			}
		}
	}
	return out
}

// knownType reports whether this package knows the data type typ.
func knownType(typ string) bool {
	if primitiveTypes[typ] || opaqueTypes[typ] {
		return true
	}
	_, ok := compositeNotation[typ]
	return ok
}

// checkedDataTypes returns the data types whose values Validate checks:
// primitives by their lexical rule, composites component by component.
func checkedDataTypes() []string {
	var out []string
	for t := range primitiveTypes {
		switch t {
		case "ST", "TX", "FT", "TN", "GTS":
			continue // free text: nothing to check but escapes and length
		}
		out = append(out, t)
	}
	for t := range compositeNotation {
		out = append(out, t)
	}
	return out
}

// checkPrimitive reports why s is not a valid value of the primitive type
// typ, or "" when it is. Free-text types are always valid.
func checkPrimitive(typ, s string) string {
	if s == "" {
		return ""
	}
	switch typ {
	case "NM":
		if !isNM(s) {
			return "is not a valid NM (a decimal number)"
		}
	case "SI":
		if !digitsOnly(s) {
			return "is not a valid SI (a non-negative integer)"
		}
	case "DT":
		if !isDateTime(s, 8, false) {
			return "is not a valid DT (YYYY[MM[DD]])"
		}
	case "DTM":
		if !isDateTime(s, 14, true) {
			return "is not a valid DTM (YYYY[MM[DD[HH[MM[SS[.SSSS]]]]]][+/-ZZZZ])"
		}
	case "TM":
		if !isTime(s) {
			return "is not a valid TM (HH[MM[SS[.SSSS]]][+/-ZZZZ])"
		}
	case "ID", "IS":
		if strings.ContainsAny(s, "\r\n\t") {
			return "is not a valid " + typ + " (a code without control characters)"
		}
	}
	return ""
}

// isNM accepts an optional sign, digits and at most one decimal point,
// with at least one digit (HL7 v2.5.1 section 2A.3.47).
func isNM(s string) bool {
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

// isDateTime accepts YYYY[MM[DD[HH[MM[SS]]]]] up to maxDigits digits, and
// when withTime a fraction of one to four digits after the seconds and a
// +/-ZZZZ offset. Months, days, hours, minutes and seconds are
// range-checked, and the day must exist in its month.
func isDateTime(s string, maxDigits int, withTime bool) bool {
	if withTime {
		var ok bool
		if s, ok = cutOffsetAndFraction(s, 14); !ok {
			return false
		}
	}
	n := len(s)
	if n < 4 || n > maxDigits || n%2 != 0 || !digitsOnly(s) {
		return false
	}
	limits := [...][2]string{{"01", "12"}, {"01", "31"}, {"00", "23"}, {"00", "59"}, {"00", "59"}}
	for k := 0; 6+2*k <= n; k++ {
		p := s[4+2*k : 6+2*k]
		if p < limits[k][0] || p > limits[k][1] {
			return false
		}
	}
	if n >= 8 {
		y, _ := strconv.Atoi(s[:4])
		mo, _ := strconv.Atoi(s[4:6])
		day, _ := strconv.Atoi(s[6:8])
		if day > time.Date(y, time.Month(mo)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
			return false
		}
	}
	return true
}

// cutOffsetAndFraction checks and removes the +/-ZZZZ offset and the
// fraction of a second (one to four digits, allowed only right after the
// seconds, at digit wholeDigits) that may end a time, returning the digits
// before them.
func cutOffsetAndFraction(s string, wholeDigits int) (string, bool) {
	if i := strings.IndexAny(s, "+-"); i >= 0 {
		if !isOffset(s[i+1:]) {
			return "", false
		}
		s = s[:i]
	}
	if i := strings.IndexByte(s, '.'); i >= 0 {
		frac := s[i+1:]
		if i != wholeDigits || len(frac) == 0 || len(frac) > 4 || !digitsOnly(frac) {
			return "", false
		}
		s = s[:i]
	}
	return s, true
}

// isOffset accepts the ZZZZ of a time zone offset: hours 00-14 (UTC+14 is
// the largest in use), minutes 00-59.
func isOffset(tz string) bool {
	return len(tz) == 4 && digitsOnly(tz) && tz[:2] <= "14" && tz[2:] <= "59"
}

// isTime accepts HH[MM[SS[.S[S[S[S]]]]]][+/-ZZZZ].
func isTime(s string) bool {
	s, ok := cutOffsetAndFraction(s, 6)
	if !ok {
		return false
	}
	n := len(s)
	if n < 2 || n > 6 || n%2 != 0 || !digitsOnly(s) {
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

// isOID reports whether s is an ISO object identifier in dotted decimal
// form (ITU-T X.660): at least two arcs, no empty arc, no leading zero, a
// first arc of 0, 1 or 2, and a second arc below 40 under 0 and 1.
func isOID(s string) bool {
	arcs := strings.Split(s, ".")
	if len(arcs) < 2 {
		return false
	}
	for _, a := range arcs {
		if a == "" || !digitsOnly(a) || len(a) > 1 && a[0] == '0' {
			return false
		}
	}
	if arcs[0] != "0" && arcs[0] != "1" && arcs[0] != "2" {
		return false
	}
	if arcs[0] != "2" && (len(arcs[1]) > 2 || arcs[1] >= "40" && len(arcs[1]) == 2) {
		return false
	}
	return true
}

// isUUID accepts the 8-4-4-4-12 hexadecimal form of RFC 9562.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// isDNSName accepts a host name of RFC 1123 labels separated by dots.
func isDNSName(s string) bool {
	if len(s) == 0 || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(s, "."), ".") {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// checkUniversalID checks a universal ID against its universal ID type
// (HD.2/HD.3, EI.3/EI.4; table 0301) and returns why it fails, or "".
func checkUniversalID(id, typ string) string {
	switch typ {
	case "ISO":
		if !isOID(id) {
			return fmt.Sprintf("%q is not an ISO OID (universal ID type ISO)", id)
		}
	case "UUID":
		if !isUUID(id) {
			return fmt.Sprintf("%q is not a UUID (universal ID type UUID)", id)
		}
	case "DNS":
		if !isDNSName(id) {
			return fmt.Sprintf("%q is not a DNS name (universal ID type DNS)", id)
		}
	}
	return ""
}

// SN (structured numeric, v2.5.1 section 2A.3.72) comparators and
// separators/suffixes.
var (
	snComparators = []string{">", "<", ">=", "<=", "=", "<>"}
	snSeparators  = []string{"-", "+", "/", ".", ":"}
)

// digitsOnly reports whether s holds only ASCII digits.
func digitsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
