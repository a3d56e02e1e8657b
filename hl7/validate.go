package hl7

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Usage says whether a profile requires, allows or forbids a value
// (HL7 conformance usage codes).
type Usage string

// Usage codes of HL7 conformance profiles.
const (
	UsageRequired    Usage = "R"  // must be valued
	UsageRequiredEmp Usage = "RE" // required but may be empty: never reported
	UsageNotUsed     Usage = "X"  // must not be valued
	UsageOptional    Usage = "O"  // no constraint
)

// Rule constrains the value at Path in every occurrence of its segment:
// "OBX-3.3" applies to each OBX, "OBX[1]-3" only to the first.
type Rule struct {
	Path   string
	Usage  Usage
	Type   string   // primitive type the value must satisfy: "NM", "DT", "DTM", "SI"
	MaxLen int      // maximum length of the decoded value
	Values []string // the value must be one of these
	Prefix string   // the value must start with this, for example an OID root
	Msg    string   // extra text for the problem, such as the profile clause
}

// Profile is a conformance profile: the message it is for, its structure,
// and the rules a message must meet on top of the standard. The zero
// Profile checks a message against the standard alone.
type Profile struct {
	Name string
	// MessageType, TriggerEvent, MessageStructure and Version, when set,
	// must equal MSH-9.1, MSH-9.2, MSH-9.3 and MSH-12.1.
	MessageType, TriggerEvent, MessageStructure, Version string
	// Structure is the grammar; nil means the structure this package
	// knows for the message's MSH-9 and MSH-12 (none: no structure check).
	Structure *Structure
	// Rules are checked after the standard's field definitions.
	Rules []Rule
	// UnexpectedSegment is the severity for segments the structure does
	// not contain; empty means SeverityWarning. Such segments are always
	// reported and always kept.
	UnexpectedSegment Severity
	// SkipFieldDefinitions turns off the standard's field checks
	// (required fields, data types, lengths, tables), leaving the rules.
	SkipFieldDefinitions bool
}

// Validate checks m against the standard: its structure (when this
// package knows it), required fields, data types, lengths, table values
// and escape sequences. It is (&Profile{}).Validate(m).
//
// Fields are checked against the attribute tables of the segments used
// by the structures this package ships (MSH, MSA, ERR, SFT, UAC, DSC,
// EVN, PID, PD1, NK1, PV1, PV2, AL1, DG1, ROL, ORC, OBR, TQ1, TQ2, CTI,
// BLG, CTD, OBX, NTE, SPM, SAC, INV, FT1, IN1, IN2, IN3, GT1, RQD, RQ1,
// RXO, ODS, ODT; some only in their leading fields): v2.3.1 tables for
// messages before v2.5 where they differ (MSH, MSA, ERR, PID, PV1, NK1,
// ORC, OBR, OBX), v2.6 tables from v2.6 on (MSH, PID, ROL, OBR and OBX as
// published; the others derived from v2.5.1 with CE read as CWE, TS as
// DTM and only coded and numeric lengths enforced), v2.5.1 tables
// otherwise. Versions after 2.6 use the v2.6 tables. Every
// repetition is checked against its data type component by component:
// primitives by their lexical rule (NM, SI, DT, DTM, TM), ID and IS
// values against the HL7 tables this package ships (a value outside a
// user-defined or partly shipped table is a warning), required
// components (CX.1, MSG, PT.1, TS.1, ERL.1-2 ...), HD and EI universal
// IDs against their type (ISO: an OID; DNS: a host name; UUID), SN
// comparators and separators, and too many components (a warning).
// OBX-5 is checked as the type OBX-2 names. Each problem has the
// location of the part at fault (PID-3[2].4.2) and its byte offset.
func Validate(m *Message) []Problem {
	return (&Profile{}).Validate(m)
}

// Validate checks m against the profile and returns every problem found,
// in message order within each kind of check. A nil result means m
// conforms. Parsing never validates; call this when you want to.
func (p *Profile) Validate(m *Message) []Problem {
	v := &validation{m: m, version: m.Header().Version}
	v.header(p)
	s := p.Structure
	if s == nil {
		s, _ = StructureOf(m)
	}
	if s != nil {
		sev := p.UnexpectedSegment
		if sev == "" {
			sev = SeverityWarning
		}
		_, probs := s.match(m, sev)
		v.problems = append(v.problems, probs...)
	}
	seqs := map[string]int{}
	for i := 0; i < m.NumSegments(); i++ {
		seg := m.Segment(i)
		id := seg.Name()
		seqs[id]++
		if !p.SkipFieldDefinitions {
			v.fields(seg, seqs[id])
		}
		for _, r := range p.Rules {
			v.rule(seg, seqs[id], r)
		}
	}
	return v.problems
}

type validation struct {
	m        *Message
	version  string
	problems []Problem
}

func (v *validation) add(loc Location, off int, code ErrorCode, sev Severity, msg string) {
	v.problems = append(v.problems, Problem{Location: loc, Offset: off, Code: code, Severity: sev, Msg: msg})
}

func (v *validation) header(p *Profile) {
	h := v.m.Header()
	check := func(want, got string, field, comp int, code ErrorCode) {
		if want == "" || want == got {
			return
		}
		msh, _ := v.m.FindSegment("MSH", 1)
		val := msh.Field(field).Component(comp)
		v.add(Location{Segment: "MSH", SegmentSeq: 1, Field: field, Component: comp}, val.Offset(), code, SeverityError,
			fmt.Sprintf("profile %s expects %q, message has %q", p.Name, want, got))
	}
	check(p.MessageType, h.MessageType, 9, 1, CodeUnsupportedMessageType)
	check(p.TriggerEvent, h.TriggerEvent, 9, 2, CodeUnsupportedEvent)
	check(p.MessageStructure, h.MessageStructure, 9, 3, CodeUnsupportedMessageType)
	check(p.Version, h.Version, 12, 1, CodeUnsupportedVersion)
}

// fields applies the standard's attribute table of the segment (see
// fieldSpecsFor): required fields, repetition, length per repetition,
// and the value of every repetition against its data type, component by
// component.
func (v *validation) fields(seg Segment, seq int) {
	id := seg.Name()
	header := id == "MSH" || id == "FHS" || id == "BHS"
	for _, d := range fieldSpecsFor(id, v.version) {
		f := seg.Field(d.seq)
		loc := Location{Segment: id, SegmentSeq: seq, Field: d.seq}
		if f.IsEmpty() {
			if d.required {
				v.add(loc, fieldOffset(seg, f), CodeRequiredFieldMissing, SeverityError, d.name+" is required")
			}
			continue
		}
		maxLen := d.maxLen
		switch {
		case header && d.seq == 2 && versionAtLeast(v.version, 2, 7, 0):
			maxLen = 5 // v2.7 added the truncation character
		case (id == "MSH" && d.seq == 10 || id == "MSA" && d.seq == 2) && versionAtLeast(v.version, 2, 7, 0):
			maxLen = 199 // v2.7 raised the control ID from 20 to 199
		}
		if header && d.seq <= 2 {
			// The delimiters: never split, never unescaped.
			if n := len(f.Raw()); maxLen > 0 && n > maxLen {
				v.add(loc, f.Offset(), CodeValueTooLong, SeverityError, fmt.Sprintf("%s is %d characters, at most %d allowed", d.name, n, maxLen))
			}
			continue
		}
		reps := f.Reps()
		if reps > 1 && !d.repeating {
			v.add(loc, f.Offset(), CodeSegmentSequence, SeverityError, fmt.Sprintf("%s does not repeat, has %d repetitions", d.name, reps))
		}
		for r := 1; r <= reps; r++ {
			rep := f.Rep(r)
			rl := loc
			if reps > 1 {
				rl.Repetition = r
			}
			if rep.IsEmpty() || rep.IsNull() {
				continue
			}
			if maxLen > 0 && len(rep.Raw()) > maxLen {
				v.add(rl, rep.Offset(), CodeValueTooLong, SeverityError, fmt.Sprintf("%s is %d characters, at most %d allowed", d.name, len(rep.Raw()), maxLen))
			}
			if d.typ != "*" {
				v.value(label{field: d.name}, d.typ, d.table, rep, rl, 0)
			}
		}
		if d.typ == "*" && id == "OBX" {
			v.observationValue(seg, seq) // OBX-5 takes its type from OBX-2
		}
	}
	v.escapes(seg, seq)
}

// label names the value being checked for problem messages: the field
// and the path of data type components below it ("Patient Identifier
// List CX.4 HD.2"). It is built into a string only when a problem is
// reported.
type label struct {
	field      string
	typ1, typ2 string
	idx1, idx2 int
}

// sub is the label of component i of type typ below l.
func (l label) sub(typ string, i int) label {
	if l.idx1 == 0 {
		l.typ1, l.idx1 = typ, i
	} else {
		l.typ2, l.idx2 = typ, i
	}
	return l
}

func (l label) String() string {
	s := l.field
	if l.idx1 > 0 {
		s += " " + l.typ1 + "." + strconv.Itoa(l.idx1)
	}
	if l.idx2 > 0 {
		s += " " + l.typ2 + "." + strconv.Itoa(l.idx2)
	}
	return s
}

// value checks val, of data type typ, at depth 0 (a repetition: parts
// are components), 1 (a component: parts are subcomponents) or 2 (a
// subcomponent, which is not split further). what names it in messages.
func (v *validation) value(what label, typ, table string, val Value, loc Location, depth int) {
	if val.IsEmpty() || val.IsNull() {
		return
	}
	if primitiveTypes[typ] {
		leaf := val
		if depth < 2 {
			if n := partCount(val, depth); n > 1 {
				extra := part(val, depth, 2)
				v.add(partLocation(loc, depth, 2), extra.Offset(), CodeDataType, SeverityWarning,
					fmt.Sprintf("%s is %s, a type without components, but has %d", what, typ, n))
			}
			leaf = part(val, depth, 1)
		}
		switch typ {
		case "ST", "TX", "FT", "TN", "GTS":
			return // free text: its length and escapes are checked elsewhere
		}
		text := leaf.String()
		if why := checkPrimitive(typ, text); why != "" {
			v.add(loc, leaf.Offset(), CodeDataType, SeverityError, fmt.Sprintf("%s %q %s", what, text, why))
			return
		}
		v.table(what, table, text, loc, leaf.Offset())
		return
	}
	comps, ok := composites[typ]
	if !ok {
		return // opaque (CM, TQ, RPT, CNN): not checked below the field
	}
	if depth == 2 {
		// A composite at the subcomponent level (a TS inside DR inside a
		// component) can only carry its first component.
		v.value(what, comps[0].typ, comps[0].table, val, loc, 2)
		return
	}
	n := partCount(val, depth)
	cross := typ == "HD" || typ == "EI" || typ == "SN"
	var texts [4]string // the components HD, EI and SN compare
	offs := [4]int{-1, -1, -1, -1}
	for i, c := range comps {
		var p Value
		if i < n {
			p = part(val, depth, i+1)
		}
		if i < len(offs) {
			offs[i] = p.Offset()
		}
		if p.IsEmpty() {
			if c.required {
				off := p.Offset()
				if off < 0 {
					off = val.Offset() + len(val.Raw())
				}
				v.add(partLocation(loc, depth, i+1), off, CodeRequiredFieldMissing, SeverityError,
					fmt.Sprintf("%s is required when %s is valued", what.sub(typ, i+1), what))
			}
			continue
		}
		if cross && i < len(texts) && primitiveTypes[c.typ] {
			texts[i] = part(p, depth+1, 1).String()
		}
		v.value(what.sub(typ, i+1), c.typ, c.table, p, partLocation(loc, depth, i+1), depth+1)
	}
	if n > len(comps) {
		extra := part(val, depth, len(comps)+1)
		v.add(partLocation(loc, depth, len(comps)+1), extra.Offset(), CodeDataType, SeverityWarning,
			fmt.Sprintf("%s is %s, which has %d components, but has %d", what, typ, len(comps), n))
	}
	switch typ {
	case "HD":
		v.universalID(what, typ, texts[1], texts[2], offs[1], offs[2], val, loc, depth, 2)
	case "EI":
		v.universalID(what, typ, texts[2], texts[3], offs[2], offs[3], val, loc, depth, 3)
	case "SN":
		if texts[0] != "" && !slices.Contains(snComparators, texts[0]) {
			v.add(partLocation(loc, depth, 1), offs[0], CodeDataType, SeverityError,
				fmt.Sprintf("%s SN.1 %q is not a comparator (%s)", what, texts[0], strings.Join(snComparators, " ")))
		}
		if texts[2] != "" && !slices.Contains(snSeparators, texts[2]) {
			v.add(partLocation(loc, depth, 3), offs[2], CodeDataType, SeverityError,
				fmt.Sprintf("%s SN.3 %q is not a separator or suffix (%s)", what, texts[2], strings.Join(snSeparators, " ")))
		}
	}
}

// universalID applies the rule shared by HD.2/HD.3 and EI.3/EI.4 (v2.5.1
// sections 2A.3.36 and 2A.3.22): the universal ID and its type are valued
// together, and the ID has the syntax its type names. idx is the 1-based
// position of the universal ID in the composite typ.
func (v *validation) universalID(what label, typ, id, idType string, idOff, typOff int, val Value, loc Location, depth, idx int) {
	end := val.Offset() + len(val.Raw())
	switch {
	case id != "" && idType == "":
		v.add(partLocation(loc, depth, idx+1), end, CodeRequiredFieldMissing, SeverityError,
			fmt.Sprintf("%s %s.%d (universal ID type) is required when %s %s.%d (universal ID) is valued", what, typ, idx+1, what, typ, idx))
	case id == "" && idType != "":
		if idOff < 0 {
			idOff = typOff
		}
		v.add(partLocation(loc, depth, idx), idOff, CodeRequiredFieldMissing, SeverityError,
			fmt.Sprintf("%s %s.%d (universal ID) is required when %s %s.%d (universal ID type) is valued", what, typ, idx, what, typ, idx+1))
	case id != "":
		if why := checkUniversalID(id, idType); why != "" {
			v.add(partLocation(loc, depth, idx), idOff, CodeDataType, SeverityError, fmt.Sprintf("%s %s.%d %s", what, typ, idx, why))
		}
	}
}

// table checks a coded value against its value set, when this package
// ships that table.
func (v *validation) table(what label, table, text string, loc Location, off int) {
	set, ok := valueSets[table]
	if !ok || text == "" || set.contains(text) {
		return
	}
	sev := SeverityError
	if set.open {
		sev = SeverityWarning
	}
	v.add(loc, off, CodeTableValueNotFound, sev, fmt.Sprintf("%s %q is not in HL7 table %s", what, text, table))
}

// part returns part n of val at the given depth: a component of a
// repetition (depth 0) or a subcomponent of a component (depth 1).
func part(val Value, depth, n int) Value {
	if depth == 0 {
		return val.Component(n)
	}
	return val.Sub(n)
}

func partCount(val Value, depth int) int {
	if depth == 0 {
		return val.Components()
	}
	return val.Subs()
}

// partLocation is loc narrowed to part n at the given depth.
func partLocation(loc Location, depth, n int) Location {
	if depth == 0 {
		loc.Component = n
	} else {
		loc.Subcomponent = n
	}
	return loc
}

// observationValue checks each repetition of OBX-5 against the value type
// in OBX-2, component by component for composite types.
func (v *validation) observationValue(seg Segment, seq int) {
	typ := seg.Field(2).Component(1).String()
	if !knownType(typ) {
		return
	}
	f := seg.Field(5)
	reps := f.Reps()
	for r := 1; r <= reps; r++ {
		rep := f.Rep(r)
		loc := Location{Segment: "OBX", SegmentSeq: seq, Field: 5}
		if reps > 1 {
			loc.Repetition = r
		}
		v.value(label{field: "Observation Value (" + typ + " from OBX-2)"}, typ, "", rep, loc, 0)
	}
}

// escapes reports malformed escape sequences, which Unescape keeps as
// written but a receiver may not.
func (v *validation) escapes(seg Segment, seq int) {
	d := v.m.Delimiters()
	raw := seg.Raw()
	id := seg.Name()
	header := id == "MSH" || id == "FHS" || id == "BHS"
	if bytes.IndexByte(raw, d.Escape) < 0 {
		return
	}
	for n := 1; n <= seg.NumFields(); n++ {
		if header && n <= 2 {
			continue
		}
		f := seg.Field(n)
		if bad := badEscape(f.Raw(), d); bad >= 0 {
			v.add(Location{Segment: seg.Name(), SegmentSeq: seq, Field: n}, f.Offset()+bad, CodeDataType, SeverityWarning,
				"malformed or unknown escape sequence")
		}
	}
}

// badEscape returns the offset of the first escape sequence in raw that
// Unescape would keep as written, or -1.
func badEscape(raw []byte, d Delimiters) int {
	for i := 0; i < len(raw); i++ {
		if raw[i] != d.Escape {
			continue
		}
		j := bytes.IndexByte(raw[i+1:], d.Escape)
		if j < 0 {
			return i
		}
		seq := raw[i+1 : i+1+j]
		if len(seq) == 0 || seq[0] != 'Z' {
			if _, ok := decodeEscape(nil, seq, d); !ok {
				return i
			}
		}
		i += j + 1
	}
	return -1
}

func fieldOffset(seg Segment, f Value) int {
	if f.Present() {
		return f.Offset()
	}
	return seg.Offset() + len(seg.Raw())
}

// rule applies one profile rule to a segment when the rule's path names it.
func (v *validation) rule(seg Segment, seq int, r Rule) {
	l, err := ParseLocation(r.Path)
	if err != nil || l.Field == 0 {
		v.add(Location{}, -1, CodeInternalError, SeverityError, fmt.Sprintf("profile rule path %q: invalid", r.Path))
		return
	}
	if l.Segment != seg.Name() || l.SegmentSeq > 0 && l.SegmentSeq != seq {
		return
	}
	loc := l
	loc.SegmentSeq = seq
	val, _ := v.m.Value(loc.String())
	text := val.String()
	off := val.Offset()
	if off < 0 {
		off = seg.Offset() + len(seg.Raw())
	}
	msg := func(s string) string {
		if r.Msg != "" {
			return s + " (" + r.Msg + ")"
		}
		return s
	}
	switch r.Usage {
	case UsageRequired:
		if text == "" {
			v.add(loc, off, CodeRequiredFieldMissing, SeverityError, msg(r.Path+" is required"))
			return
		}
	case UsageNotUsed:
		if text != "" {
			v.add(loc, off, CodeSegmentSequence, SeverityError, msg(r.Path+" must not be valued"))
		}
		return
	}
	if text == "" {
		return
	}
	typ := r.Type
	if typ == "TS" {
		typ = "DTM" // a rule addresses one leaf: the TS's time
	}
	if typ != "" && checkPrimitive(typ, text) != "" {
		v.add(loc, off, CodeDataType, SeverityError, msg(fmt.Sprintf("%q is not a valid %s", text, r.Type)))
	}
	if r.MaxLen > 0 && len([]rune(text)) > r.MaxLen {
		v.add(loc, off, CodeValueTooLong, SeverityError, msg(fmt.Sprintf("%d characters, at most %s allowed", len([]rune(text)), strconv.Itoa(r.MaxLen))))
	}
	if r.Values != nil && !slices.Contains(r.Values, text) {
		v.add(loc, off, CodeTableValueNotFound, SeverityError, msg(fmt.Sprintf("%q is not one of %s", text, strings.Join(r.Values, ", "))))
	}
	if r.Prefix != "" && !strings.HasPrefix(text, r.Prefix) {
		v.add(loc, off, CodeTableValueNotFound, SeverityError, msg(fmt.Sprintf("%q must start with %q", text, r.Prefix)))
	}
}
