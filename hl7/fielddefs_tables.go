package hl7

import (
	"regexp"
	"slices"
)

// valueSet is the set of values an ID or IS field may take.
type valueSet struct {
	values []string
	// pattern, when set, also admits values matching it (table 0396 admits
	// every HL7nnnn table and every 99zzz local system).
	pattern *regexp.Regexp
	// open means a value outside the set is only a warning: user-defined
	// tables (IS) that sites extend, and HL7 tables this package ships
	// only in part or that later versions extended.
	open bool
}

func (s valueSet) contains(v string) bool {
	return slices.Contains(s.values, v) || s.pattern != nil && s.pattern.MatchString(v)
}

// valueSets are the HL7 tables this package checks ID and IS values
// against, after the v2.5.1 tables of appendix A (values of later
// versions added where a newer message would otherwise fail). A field
// whose table is not here is not checked against a value set.
var valueSets = map[string]valueSet{
	"0001": {values: []string{"A", "F", "M", "N", "O", "U"}, open: true},
	"0003": {pattern: regexp.MustCompile(`^[A-Z][0-9A-Z]{2}$`)},
	"0004": {values: []string{"B", "C", "E", "I", "N", "O", "P", "R", "U"}, open: true},
	"0008": {values: []string{"AA", "AE", "AR", "CA", "CE", "CR"}},
	"0038": {values: []string{"A", "CA", "CM", "DC", "ER", "HD", "IP", "RP", "SC"}},
	"0061": {values: []string{"BCV", "ISO", "M10", "M11", "NPI"}, open: true},
	"0065": {values: []string{"A", "G", "L", "O", "P", "R", "S"}},
	"0076": {pattern: regexp.MustCompile(`^[A-Z][A-Z0-9]{2}$`)},
	"0078": {values: []string{"L", "H", "LL", "HH", "<", ">", "N", "A", "AA", "U", "D", "B", "W", "S", "R", "I", "MS", "VS", "NEG", "POS"}, open: true},
	"0080": {values: []string{"A", "N", "R", "S"}},
	"0085": {values: []string{"C", "D", "F", "I", "N", "O", "P", "R", "S", "U", "W", "X"}},
	"0102": {values: []string{"D", "F"}},
	"0103": {values: []string{"D", "P", "T"}},
	"0104": {values: []string{"2.0", "2.0D", "2.1", "2.2", "2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6", "2.7", "2.7.1", "2.8", "2.8.1", "2.8.2", "2.9"}},
	"0105": {values: []string{"L", "O", "P"}},
	"0119": {values: []string{"AF", "CA", "CH", "CN", "CR", "DC", "DE", "DF", "DR", "FU", "HD", "HR", "LI", "NA", "NW", "OC", "OD", "OE", "OF", "OH", "OK", "OP", "OR", "PA", "PR", "PY", "RE", "RF", "RL", "RO", "RP", "RQ", "RR", "RU", "SC", "SN", "SR", "SS", "UA", "UC", "UD", "UF", "UH", "UM", "UN", "UR", "UX", "XO", "XR", "XX"}},
	"0121": {values: []string{"E", "R", "D", "F", "N"}},
	"0123": {values: []string{"A", "C", "F", "I", "O", "P", "R", "S", "X", "Y", "Z"}},
	"0124": {values: []string{"CART", "PORT", "WALK", "WHLC"}},
	"0125": {values: []string{"AD", "CE", "CF", "CK", "CN", "CNE", "CP", "CWE", "CX", "DR", "DT", "DTM", "ED", "FT", "ID", "IS", "MA", "MO", "NA", "NM", "PN", "RP", "SN", "ST", "TM", "TN", "TS", "TX", "XAD", "XCN", "XON", "XPN", "XTN"}},
	"0136": {values: []string{"Y", "N"}},
	"0148": {values: []string{"AT", "PC"}},
	"0155": {values: []string{"AL", "ER", "NE", "SU"}},
	"0159": {values: []string{"D", "P", "S"}},
	"0161": {values: []string{"G", "N", "T"}},
	"0190": {values: []string{"B", "BA", "BDL", "BI", "BR", "C", "F", "H", "L", "M", "N", "O", "P", "RH", "SH", "TM", "V"}, open: true},
	"0200": {values: []string{"A", "B", "BAD", "C", "D", "I", "K", "L", "M", "MSK", "N", "NAV", "NB", "NOUSE", "P", "R", "REL", "S", "T", "TEMP", "U"}, open: true},
	"0201": {values: []string{"ASN", "BPN", "EMR", "NET", "ORN", "PRN", "PRS", "VHN", "WPN"}, open: true},
	"0202": {values: []string{"BP", "CP", "FX", "Internet", "MD", "PH", "SAT", "TDD", "TTY", "X.400"}, open: true},
	"0203": {values: []string{"ACSN", "AM", "AN", "ANC", "AND", "ANON", "ANT", "APRN", "BA", "BC", "BR", "BRN", "CC", "CY", "DDS", "DEA", "DI", "DFN", "DL", "DN", "DO", "DP", "DPM", "DR", "DS", "EI", "EN", "FI", "GI", "GL", "GN", "HC", "JHN", "IND", "LI", "LN", "LR", "MA", "MB", "MC", "MCD", "MCN", "MCR", "MD", "MI", "MR", "MRT", "MS", "NE", "NH", "NI", "NII", "NIIP", "NP", "NPI", "OD", "PA", "PCN", "PE", "PEN", "PI", "PN", "PNT", "PPIN", "PPN", "PRC", "PRN", "PT", "QA", "RI", "RN", "RPH", "RR", "RRI", "SL", "SN", "SR", "SS", "TAX", "TN", "TPR", "U", "UPIN", "VN", "VP", "VS", "WC", "WCN", "WP", "XX"}, pattern: regexp.MustCompile(`^NN[A-Z]{3}$`), open: true},
	"0206": {values: []string{"A", "D", "U", "X"}},
	"0207": {values: []string{"A", "I", "R", "T"}},
	"0211": {values: []string{"ASCII", "8859/1", "8859/2", "8859/3", "8859/4", "8859/5", "8859/6", "8859/7", "8859/8", "8859/9", "8859/15", "ISO IR6", "ISO IR14", "ISO IR87", "ISO IR159", "GB 18030-2000", "KS X 1001", "CNS 11643-1992", "BIG-5", "UNICODE", "UNICODE UTF-8", "UNICODE UTF-16", "UNICODE UTF-32"}},
	"0287": {values: []string{"AD", "CO", "DE", "LI", "UC", "UN", "UP"}},
	"0291": {values: []string{"BASIC", "DICOM", "FAX", "GIF", "HTML", "JOT", "JPEG", "Octet-stream", "PDF", "PICT", "PostScript", "RTF", "SGML", "TIFF", "XML", "x-hl7-cda-level-one"}, open: true}, // PDF: the IANA subtype every lab sends
	"0299": {values: []string{"A", "Hex", "Base64"}},
	"0301": {values: []string{"CLIA", "CLIP", "DNS", "EUI64", "GUID", "HCD", "HL7", "ISO", "L", "M", "N", "Random", "URI", "UUID", "x400", "x500"}, open: true},
	"0354": {pattern: regexp.MustCompile(`^(ACK|[A-Z]{3}_[A-Z0-9]{3})$`)},
	"0356": {values: []string{"ISO 2022-1994", "2.3"}},
	"0396": {values: []string{"99zzz", "ACR", "ANS+", "ART", "AS4", "AS4E", "ATC", "C4", "C5", "CAS", "CCC", "CD2", "CDCA", "CDCM", "CDS", "CE", "CLP", "CPTM", "CST", "CVX", "DCM", "E", "E5", "E6", "E7", "ENZC", "FDDC", "FDDX", "FDK", "HB", "HCPCS", "HCPT", "HHC", "HI", "HL7nnnn", "HOT", "HPC", "I10", "I10P", "I9", "I9C", "ISO+", "ISOnnnn", "IUPC", "IUPP", "JC10", "JC8", "JJ1017", "L", "LB", "LN", "MCD", "MCR", "MDDX", "MEDC", "MEDR", "MEDX", "MGPI", "MVX", "NAICS", "NDA", "NDC", "NIC", "NPI", "NUBC", "OHA", "OHM", "OHS", "PLR", "POS", "RC", "SCT", "SCT2", "SNM", "SNM3", "SNT", "SRT", "UC", "UCUM", "UMD", "UML", "UPC", "UPIN", "USPS", "W1", "W2", "W4", "WC", "X12DEnnnn"}, pattern: regexp.MustCompile(`^(HL7[0-9]{4}|ISO[0-9]{4}|99[A-Za-z0-9]+|X12DE[0-9]+)$`), open: true},
	"0399": {pattern: regexp.MustCompile(`^[A-Z]{3}$`)},
	"0427": {values: []string{"A", "C", "S"}},
	"0503": {values: []string{"C", "R", "S"}},
	"0516": {values: []string{"E", "F", "I", "W"}},
	"0529": {values: []string{"Y", "L", "D", "H", "M", "S"}},
}
