package v2xml

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"

	"github.com/vetlink/vetlink/hl7"
)

// Namespace is the XML namespace of v2.xml documents.
const Namespace = "urn:hl7-org:v2xml"

// EncodeOptions controls Marshal. The zero value writes a compact document
// and finds the structure definition by MSH-9.
type EncodeOptions struct {
	// Indent, when not empty, puts each group, segment and field element
	// on its own line, indented by this string per level. Values are never
	// indented, so decoding an indented document gives the same message.
	Indent string

	// Structure overrides the definition hl7.LookupStructure finds for
	// MSH-9.3 (or MSH-9.1 and MSH-9.2) and MSH-12. Without a definition,
	// every segment is written directly under the root element.
	Structure *hl7.Structure

	// OmitNamespace leaves the xmlns="urn:hl7-org:v2xml" declaration off
	// the document element, for receivers that expect none: NAHLN's own
	// sender builds its documents without it (see package nahln). The
	// decoder reads documents with or without it.
	OmitNamespace bool
}

// Marshal returns the v2.xml encoding of m, compact. It is
// EncodeOptions{}.Marshal(m).
func Marshal(m *hl7.Message) ([]byte, error) {
	return EncodeOptions{}.Marshal(m)
}

// Marshal returns the v2.xml encoding of m. The message must start with
// MSH. Errors are *EncodeError values naming the value that has no XML
// form.
func (o EncodeOptions) Marshal(m *hl7.Message) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(m.Bytes()) * 3)
	buf.WriteString(xmlDeclaration)
	if err := o.message(&buf, m, 0, true); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

const xmlDeclaration = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// message writes the element of one message, its root element named by
// the message structure, at nesting depth base; xmlns says whether the
// element declares the namespace (it is the document's root).
func (o EncodeOptions) message(buf *bytes.Buffer, m *hl7.Message, base int, xmlns bool) error {
	if m.NumSegments() == 0 || m.Segment(0).Name() != "MSH" {
		return &EncodeError{Location: "MSH", Msg: "the message must start with MSH"}
	}
	// A second header is another message (hl7.Parse refuses it; a
	// message built segment by segment may still hold one): v2.xml has
	// no place for it inside this message's element, and decoding would
	// refuse what encoding wrote.
	for i := 1; i < m.NumSegments(); i++ {
		switch name := m.Segment(i).Name(); name {
		case "MSH", "BHS", "FHS":
			return &EncodeError{Location: name, Msg: "a second header segment starts another message; marshal each message on its own"}
		}
	}
	h := m.Header()
	root := structureName(h)
	if !isName(root) || isWrapper(root) {
		return &EncodeError{Location: "MSH-9", Msg: "message structure " + strconv.Quote(root) + " is not an XML name"}
	}
	st := o.Structure
	if st == nil {
		st, _ = hl7.LookupStructure(root, h.Version)
	}
	segs := m.Segments()
	paths := make([]string, len(segs))
	if st != nil {
		mt, _ := st.Match(m)
		for i := range segs {
			paths[i] = mt.Path(i)
		}
	}
	tree := groupTree(paths)
	e := &encoder{buf: buf, base: base, d: m.Delimiters(), version: h.Version, indent: o.Indent, root: root, segs: segs, seq: map[string]int{}}
	if cs := m.Charset(); cs != "" && !transcoded[strings.ToUpper(cs)] {
		// Single-byte and EUC sets are indexed as received and decoded
		// value by value; none of their bytes can be a delimiter, so a
		// whole segment can be decoded at once.
		if enc, ok := hl7.LookupCharset(cs); ok && enc != nil {
			e.dec = enc.NewDecoder()
		}
	}
	buf.WriteString("<" + root)
	if xmlns && !o.OmitNamespace {
		buf.WriteString(` xmlns="` + Namespace + `"`)
	}
	buf.WriteString(">")
	for _, c := range tree.children {
		if err := e.node(c, 1); err != nil {
			return err
		}
	}
	e.newline(0)
	buf.WriteString("</" + root + ">")
	return nil
}

// structureName returns the message structure ID a header declares.
func structureName(h hl7.Header) string {
	switch {
	case h.MessageStructure != "":
		return h.MessageStructure
	case h.MessageType == "ACK":
		return "ACK"
	}
	return h.MessageType + "_" + h.TriggerEvent
}

type encoder struct {
	buf     *bytes.Buffer
	base    int // nesting depth of the root element this encoder writes
	d       hl7.Delimiters
	version string
	indent  string
	root    string
	segs    []hl7.Segment
	seq     map[string]int    // occurrences of each segment ID so far, for locations
	obx2    string            // OBX-2 of the segment being written
	dec     *encoding.Decoder // converts segments to UTF-8; nil when they are
}

// transcoded are the character sets package hl7 converts to UTF-8 as a
// whole before indexing (their multi-byte characters may contain delimiter
// bytes), so segment bytes are UTF-8 already.
var transcoded = map[string]bool{"ISO IR87": true, "ISO IR159": true, "GB 18030-2000": true, "BIG-5": true}

func (e *encoder) newline(depth int) {
	if e.indent == "" {
		return
	}
	e.buf.WriteByte('\n')
	for range e.base + depth {
		e.buf.WriteString(e.indent)
	}
}

func (e *encoder) node(n *node, depth int) error {
	e.newline(depth)
	if n.seg < 0 {
		name := e.root + "." + n.group
		e.buf.WriteString("<" + name + ">")
		for _, c := range n.children {
			if err := e.node(c, depth+1); err != nil {
				return err
			}
		}
		e.newline(depth)
		e.buf.WriteString("</" + name + ">")
		return nil
	}
	return e.segment(e.segs[n.seg], depth)
}

// segment writes one segment element with its fields.
func (e *encoder) segment(s hl7.Segment, depth int) error {
	return e.segmentRaw(s.Name(), s.Raw(), depth)
}

// segmentRaw writes the segment id whose ER7 bytes (without terminator)
// are raw.
func (e *encoder) segmentRaw(id string, raw []byte, depth int) error {
	e.seq[id]++
	loc := hl7.Location{Segment: id, SegmentSeq: e.seq[id]}
	if e.dec != nil {
		utf, err := e.dec.Bytes(raw)
		if err != nil {
			return &EncodeError{Location: loc.String(), Msg: "character set " + err.Error()}
		}
		raw = utf
	}
	fields := splitFields(raw, e.d.Field, id == "MSH" || id == "FHS" || id == "BHS")
	if len(fields) == 0 {
		e.buf.WriteString("<" + id + "/>")
		return nil
	}
	e.buf.WriteString("<" + id + ">")
	e.obx2 = ""
	if id == "OBX" && len(fields) >= 2 {
		e.obx2 = string(fields[1])
	}
	for i, f := range fields {
		n := i + 1
		loc.Field = n
		name := id + "." + strconv.Itoa(n)
		last := n == len(fields)
		if (id == "MSH" || id == "FHS" || id == "BHS") && n <= 2 {
			// MSH-1 and MSH-2 are the delimiters themselves, never split.
			e.newline(depth + 1)
			if err := e.text(name, f, loc); err != nil {
				return err
			}
			continue
		}
		if len(f) == 0 {
			if last {
				e.newline(depth + 1)
				e.buf.WriteString("<" + name + "/>")
			}
			continue
		}
		typ := FieldType(e.version, id, n)
		if typ == "varies" {
			typ = e.obx2
		}
		for r, rep := range bytes.Split(f, []byte{e.d.Repetition}) {
			loc.Repetition = r + 1
			e.newline(depth + 1)
			if err := e.repetition(name, typ, rep, loc); err != nil {
				return err
			}
		}
		loc.Repetition = 0
	}
	e.newline(depth)
	e.buf.WriteString("</" + id + ">")
	return nil
}

// splitFields returns the fields of a segment, field 1 first. In a header
// segment field 1 is the field separator and field 2 the encoding
// characters.
func splitFields(raw []byte, fs byte, header bool) [][]byte {
	if len(raw) <= 3 {
		return nil
	}
	if !header {
		return bytes.Split(raw[4:], []byte{fs})
	}
	rest := raw[4:]
	enc := rest
	var tail [][]byte
	if i := bytes.IndexByte(rest, fs); i >= 0 {
		enc = rest[:i]
		tail = bytes.Split(rest[i+1:], []byte{fs})
	}
	return append([][]byte{raw[3:4], enc}, tail...)
}

// repetition writes one repetition of a field as the element name, its
// components named by the field's data type typ.
func (e *encoder) repetition(name, typ string, rep []byte, loc hl7.Location) error {
	if len(rep) == 0 {
		e.buf.WriteString("<" + name + "/>")
		return nil
	}
	comps := bytes.Split(rep, []byte{e.d.Component})
	if !composite(typ) && len(comps) == 1 && (e.d.Subcomponent == 0 || bytes.IndexByte(rep, e.d.Subcomponent) < 0) {
		return e.text(name, rep, loc)
	}
	prefix := typ
	if !composite(typ) {
		prefix = name
	}
	e.buf.WriteString("<" + name + ">")
	for c, comp := range comps {
		loc.Component = c + 1
		if len(comp) == 0 && c+1 < len(comps) {
			continue
		}
		cname := prefix + "." + strconv.Itoa(c+1)
		if err := e.component(cname, componentType(typ, c+1), comp, loc); err != nil {
			return err
		}
	}
	e.buf.WriteString("</" + name + ">")
	return nil
}

// component writes one component, its subcomponents named by its data
// type typ.
func (e *encoder) component(name, typ string, comp []byte, loc hl7.Location) error {
	var subs [][]byte
	if e.d.Subcomponent != 0 {
		subs = bytes.Split(comp, []byte{e.d.Subcomponent})
	} else {
		subs = [][]byte{comp}
	}
	if !composite(typ) && len(subs) == 1 || len(comp) == 0 {
		return e.text(name, comp, loc)
	}
	prefix := typ
	if !composite(typ) {
		prefix = name
	}
	e.buf.WriteString("<" + name + ">")
	for s, sub := range subs {
		loc.Subcomponent = s + 1
		if len(sub) == 0 && s+1 < len(subs) {
			continue
		}
		if err := e.text(prefix+"."+strconv.Itoa(s+1), sub, loc); err != nil {
			return err
		}
	}
	e.buf.WriteString("</" + name + ">")
	return nil
}

// text writes an element holding one ER7 value: delimiter escapes become
// the delimiter characters, other escape sequences <escape V="..."/>.
func (e *encoder) text(name string, raw []byte, loc hl7.Location) error {
	if len(raw) == 0 {
		e.buf.WriteString("<" + name + "/>")
		return nil
	}
	e.buf.WriteString("<" + name + ">")
	header := (loc.Segment == "MSH" || loc.Segment == "FHS" || loc.Segment == "BHS") && loc.Field <= 2
	for len(raw) > 0 {
		i := bytes.IndexByte(raw, e.d.Escape)
		if header || i < 0 {
			i = len(raw)
		}
		if err := e.chars(raw[:i], loc); err != nil {
			return err
		}
		raw = raw[i:]
		if len(raw) == 0 {
			break
		}
		j := bytes.IndexByte(raw[1:], e.d.Escape)
		if j < 0 {
			return &EncodeError{Location: loc.String(), Msg: "unterminated escape sequence " + strconv.Quote(string(raw))}
		}
		seq := raw[1 : 1+j]
		raw = raw[j+2:]
		if c, ok := e.delimiterEscape(seq); ok {
			xml.EscapeText(e.buf, []byte{c})
			continue
		}
		if err := checkChars(seq); err != nil {
			return &EncodeError{Location: loc.String(), Msg: "escape sequence " + strconv.Quote(string(seq)) + ": " + err.Error()}
		}
		e.buf.WriteString(`<escape V="`)
		xml.EscapeText(e.buf, seq)
		e.buf.WriteString(`"/>`)
	}
	e.buf.WriteString("</" + name + ">")
	return nil
}

// delimiterEscape returns the delimiter an escape sequence stands for:
// \F\ \S\ \T\ \R\ \E\. The truncation character's \P\ is kept as an escape
// element, since a bare truncation character in a value means something
// else.
func (e *encoder) delimiterEscape(seq []byte) (byte, bool) {
	if len(seq) != 1 {
		return 0, false
	}
	var c byte
	switch seq[0] {
	case 'F':
		c = e.d.Field
	case 'S':
		c = e.d.Component
	case 'T':
		c = e.d.Subcomponent
	case 'R':
		c = e.d.Repetition
	case 'E':
		c = e.d.Escape
	}
	return c, c != 0
}

func (e *encoder) chars(b []byte, loc hl7.Location) error {
	if err := checkChars(b); err != nil {
		return &EncodeError{Location: loc.String(), Msg: err.Error()}
	}
	xml.EscapeText(e.buf, b)
	return nil
}

type charError string

func (c charError) Error() string { return string(c) }

// checkChars accepts text that XML 1.0 can carry as it is: valid UTF-8
// made of tab and characters from U+0020 on, without the non-characters
// U+FFFE and U+FFFF. CR and LF are refused too: an ER7 value carries them
// only as escape sequences, and an XML parser would normalise them.
func checkChars(b []byte) error {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' {
				return charError("control character 0x" + strconv.FormatUint(uint64(c), 16) + " at byte " + strconv.Itoa(i))
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 || r == 0xFFFE || r == 0xFFFF {
			return charError("invalid UTF-8 or non-character at byte " + strconv.Itoa(i))
		}
		i += n
	}
	return nil
}

// isName reports whether s can be used as an element name here: ASCII
// letters, digits and underscores, not starting with a digit.
func isName(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
