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
	for i := range m.segs {
		seg := Segment{m: m, i: i}
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

// fields applies the standard's field definitions to one segment.
func (v *validation) fields(seg Segment, seq int) {
	id := seg.Name()
	for _, d := range segmentDefs[id] {
		f := seg.Field(d.Field)
		loc := Location{Segment: id, SegmentSeq: seq, Field: d.Field}
		if f.IsEmpty() {
			if d.Required {
				v.add(loc, fieldOffset(seg, f), CodeRequiredFieldMissing, SeverityError, d.Name+" is required")
			}
			continue
		}
		reps := f.Reps()
		if reps > 1 && !d.Repeating && d.Field > 2 {
			v.add(loc, f.Offset(), CodeSegmentSequence, SeverityError, fmt.Sprintf("%s does not repeat, has %d repetitions", d.Name, reps))
		}
		maxLen := d.MaxLen
		if (id == "MSH" && d.Field == 10 || id == "MSA" && d.Field == 2) && !versionAtLeast(v.version, 2, 7, 0) {
			maxLen = 20 // v2.7 raised the control ID from 20 to 199
		}
		for r := 1; r <= reps; r++ {
			rep := f.Rep(r)
			rl := loc
			if reps > 1 {
				rl.Repetition = r
			}
			if maxLen > 0 && len(rep.Raw()) > maxLen {
				v.add(rl, rep.Offset(), CodeValueTooLong, SeverityError, fmt.Sprintf("%s is %d characters, at most %d allowed", d.Name, len(rep.Raw()), maxLen))
			}
			first := rep.Component(1).Sub(1)
			if d.Field <= 2 && (id == "MSH" || id == "FHS" || id == "BHS") {
				first = rep
			}
			text := first.String()
			if !validType(d.Type, text) {
				v.add(rl, first.Offset(), CodeDataType, SeverityError, fmt.Sprintf("%s %q is not a valid %s", d.Name, text, d.Type))
			}
			if d.Table != "" && text != "" && !slices.Contains(tables[d.Table], text) {
				sev := SeverityError
				if userTables[d.Table] {
					sev = SeverityWarning
				}
				v.add(rl, first.Offset(), CodeTableValueNotFound, sev, fmt.Sprintf("%s %q is not in HL7 table %s", d.Name, text, d.Table))
			}
		}
	}
	if id == "OBX" {
		v.observationValue(seg, seq)
	}
	v.escapes(seg, seq)
}

// observationValue checks OBX-5 against the value type in OBX-2 for the
// primitive types that have a lexical rule (NM, DT, DTM, TS, TM).
func (v *validation) observationValue(seg Segment, seq int) {
	typ := seg.Field(2).Component(1).String()
	switch typ {
	case "NM", "DT", "DTM", "TS", "TM":
	default:
		return
	}
	f := seg.Field(5)
	reps := f.Reps()
	for r := 1; r <= reps; r++ {
		val := f.Rep(r).Component(1).Sub(1)
		text := val.String()
		if text == "" || text == `""` || validType(typ, text) {
			continue
		}
		loc := Location{Segment: "OBX", SegmentSeq: seq, Field: 5}
		if reps > 1 {
			loc.Repetition = r
		}
		v.add(loc, val.Offset(), CodeDataType, SeverityError, fmt.Sprintf("Observation Value %q is not a valid %s (OBX-2)", text, typ))
	}
}

// escapes reports malformed escape sequences, which Unescape keeps as
// written but a receiver may not.
func (v *validation) escapes(seg Segment, seq int) {
	d := v.m.delims
	raw := seg.Raw()
	if bytes.IndexByte(raw, d.Escape) < 0 {
		return
	}
	for n := 1; n <= seg.NumFields(); n++ {
		if seg.m.segs[seg.i].header && n <= 2 {
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
	return int(seg.m.segs[seg.i].end)
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
	val := seg.value(l.leaf())
	loc := l
	loc.SegmentSeq = seq
	text := val.String()
	off := val.Offset()
	if off < 0 {
		off = int(seg.m.segs[seg.i].end)
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
	if r.Type != "" && !validType(r.Type, text) {
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
