package v2xml

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/vetlink/vetlink/hl7"
)

// Default limits of DecodeOptions.
const (
	DefaultMaxBytes = 32 << 20
	DefaultMaxDepth = 32
)

// DecodeOptions bounds what the decoder accepts. The zero value uses
// DefaultMaxBytes and DefaultMaxDepth.
type DecodeOptions struct {
	// MaxBytes is the largest document accepted.
	MaxBytes int
	// MaxDepth is the deepest element nesting accepted. v2.xml needs the
	// group depth plus five (segment, field, component, subcomponent,
	// escape).
	MaxDepth int
}

// Unmarshal decodes a v2.xml document into a message. It is
// DecodeOptions{}.Unmarshal(data).
func Unmarshal(data []byte) (*hl7.Message, error) {
	return DecodeOptions{}.Unmarshal(data)
}

// Unmarshal decodes a v2.xml document into a message, parsed strictly.
// The document is UTF-8, so the message is read as UTF-8 whatever MSH-18
// declares.
func (o DecodeOptions) Unmarshal(data []byte) (*hl7.Message, error) {
	er7, err := o.ER7(data)
	if err != nil {
		return nil, err
	}
	return hl7.ParseOptions{Charset: "UNICODE UTF-8"}.Parse(er7)
}

// ER7 decodes a v2.xml document into the ER7 bytes of the message, each
// segment ending with CR, written with the delimiters of MSH.1 and MSH.2.
// Segments are taken in document order wherever they sit in groups; a
// part is placed by the number ending its element name. The root element
// may omit the namespace declaration; any other namespace, and prefixed
// names, are refused. Errors are *SyntaxError values.
func (o DecodeOptions) ER7(data []byte) ([]byte, error) {
	root, maxBytes, err := o.readDocument(data)
	if err != nil {
		return nil, err
	}
	return writeER7(root, maxBytes)
}

// readDocument checks data against the size limit and reads its element
// tree within the depth limit, returning the tree and the size limit the
// output must also keep to.
func (o DecodeOptions) readDocument(data []byte) (root *elem, maxBytes int, err error) {
	maxBytes, maxDepth := o.limits()
	if len(data) > maxBytes {
		return nil, 0, &SyntaxError{Err: ErrTooLarge, Msg: strconv.Itoa(len(data)) + " bytes, limit " + strconv.Itoa(maxBytes)}
	}
	root, err = readTree(data, maxDepth)
	return root, maxBytes, err
}

func (o DecodeOptions) limits() (maxBytes, maxDepth int) {
	maxBytes, maxDepth = o.MaxBytes, o.MaxDepth
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	if maxDepth <= 0 {
		maxDepth = DefaultMaxDepth
	}
	return maxBytes, maxDepth
}

// elem is an element of the document: its local name, the V attribute of
// an escape element, and its content in order.
type elem struct {
	name     string
	v        string
	line     int
	children []*elem
	text     []piece // text and escape elements, in order
	hasText  bool    // non-whitespace text seen
}

// piece is a run of text or, when esc is set, an escape element.
type piece struct {
	s   string
	esc bool
}

func (e *elem) structural() []*elem {
	var out []*elem
	for _, c := range e.children {
		if c.name != "escape" {
			out = append(out, c)
		}
	}
	return out
}

// readTree reads the document into a tree, refusing DOCTYPE, foreign
// processing instructions, other namespaces and deep nesting.
func readTree(data []byte, maxDepth int) (*elem, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	dec.Entity = nil // only the five predefined entities
	var stack []*elem
	var root *elem
	fail := func(err error, el, msg string) error {
		line, _ := dec.InputPos()
		return &SyntaxError{Line: line, Element: el, Msg: msg, Err: err}
	}
	for {
		tok, err := dec.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fail(ErrSyntax, "", err.Error())
		}
		switch t := tok.(type) {
		case xml.Directive:
			if bytes.HasPrefix(bytes.TrimSpace(t), []byte("DOCTYPE")) {
				return nil, fail(ErrDoctype, "", "")
			}
			return nil, fail(ErrSyntax, "", "unexpected <!"+string(firstWord(t))+" declaration")
		case xml.ProcInst:
			if t.Target != "xml" {
				return nil, fail(ErrSyntax, "", "unexpected processing instruction "+strconv.Quote(t.Target))
			}
			if enc := procInstParam(string(t.Inst), "encoding"); enc != "" && !strings.EqualFold(enc, "UTF-8") {
				return nil, fail(ErrSyntax, "", "encoding "+strconv.Quote(enc)+": only UTF-8 is accepted")
			}
		case xml.Comment:
		case xml.StartElement:
			if root != nil && len(stack) == 0 {
				return nil, fail(ErrSyntax, t.Name.Local, "more than one root element")
			}
			if len(stack) >= maxDepth {
				return nil, fail(ErrTooDeep, t.Name.Local, "limit "+strconv.Itoa(maxDepth))
			}
			if t.Name.Space != "" {
				return nil, fail(ErrSyntax, t.Name.Space+":"+t.Name.Local, "namespace prefixes are not used in v2.xml")
			}
			line, _ := dec.InputPos()
			e := &elem{name: t.Name.Local, line: line}
			for _, a := range t.Attr {
				switch {
				case a.Name.Space == "" && a.Name.Local == "xmlns":
					if a.Value != Namespace {
						return nil, fail(ErrSyntax, e.name, "namespace "+strconv.Quote(a.Value)+", want "+Namespace)
					}
				case e.name == "escape" && a.Name.Space == "" && a.Name.Local == "V":
					e.v = a.Value
				case a.Name.Space == "xmlns" || a.Name.Space == "xml":
					// Namespace declarations and xml:space carry no data.
				default:
					return nil, fail(ErrSyntax, e.name, "unexpected attribute "+strconv.Quote(a.Name.Local))
				}
			}
			if len(stack) == 0 {
				root = e
			} else {
				p := stack[len(stack)-1]
				p.children = append(p.children, e)
				if e.name == "escape" {
					p.text = append(p.text, piece{s: e.v, esc: true})
				}
			}
			stack = append(stack, e)
		case xml.EndElement:
			// RawToken does not pair start and end tags; do it here.
			if len(stack) == 0 || t.Name.Space != "" || stack[len(stack)-1].name != t.Name.Local {
				return nil, fail(ErrSyntax, t.Name.Local, "end tag does not match")
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 {
				if len(bytes.TrimSpace(t)) != 0 {
					return nil, fail(ErrSyntax, "", "text outside the root element")
				}
				continue
			}
			p := stack[len(stack)-1]
			p.text = append(p.text, piece{s: string(t)})
			if len(bytes.TrimSpace(t)) != 0 {
				p.hasText = true
			}
		}
	}
	if root == nil {
		return nil, &SyntaxError{Err: ErrSyntax, Msg: "no root element"}
	}
	if len(stack) > 0 {
		return nil, &SyntaxError{Element: stack[len(stack)-1].name, Err: ErrSyntax, Msg: "element not closed"}
	}
	return root, nil
}

func firstWord(b []byte) []byte {
	b = bytes.TrimSpace(b)
	if i := bytes.IndexAny(b, " \t\r\n"); i >= 0 {
		return b[:i]
	}
	return b
}

// procInstParam returns the value of param in an XML declaration.
func procInstParam(inst, param string) string {
	i := strings.Index(inst, param+"=")
	if i < 0 {
		return ""
	}
	v := inst[i+len(param)+1:]
	if len(v) == 0 || v[0] != '"' && v[0] != '\'' {
		return ""
	}
	q := v[0]
	v = v[1:]
	if j := strings.IndexByte(v, q); j >= 0 {
		return v[:j]
	}
	return ""
}

// writeER7 turns the tree into ER7: every element whose name is a segment
// ID is a segment; every other element under the root is a group. The
// result may not exceed limit bytes: positions in names could otherwise
// turn a small document into a huge run of separators.
func writeER7(root *elem, limit int) ([]byte, error) {
	if isWrapper(root.name) {
		return nil, &SyntaxError{Line: root.line, Element: root.name, Err: ErrSyntax, Msg: "a batch document: decode it with BatchER7"}
	}
	out, _, err := writeMessage(root, limit)
	return out, err
}

// writeMessage is writeER7 for one message element, returning the
// delimiters its MSH declares too.
func writeMessage(root *elem, limit int) ([]byte, hl7.Delimiters, error) {
	fail := func(err error) ([]byte, hl7.Delimiters, error) { return nil, hl7.Delimiters{}, err }
	if root.name == "escape" || root.name == "MSH" {
		return fail(&SyntaxError{Line: root.line, Element: root.name, Err: ErrSyntax, Msg: "the root element must be a message structure"})
	}
	var segs []*elem
	if err := collectSegments(root, &segs); err != nil {
		return fail(err)
	}
	if len(segs) == 0 || segs[0].name != "MSH" {
		return fail(&SyntaxError{Line: root.line, Element: root.name, Err: ErrSyntax, Msg: "the first segment must be MSH"})
	}
	w := &writer{limit: limit}
	if err := w.delimiters(segs[0]); err != nil {
		return fail(err)
	}
	for i, s := range segs {
		if i > 0 && (s.name == "MSH" || s.name == "FHS" || s.name == "BHS") {
			return fail(&SyntaxError{Line: s.line, Element: s.name, Err: ErrSyntax, Msg: "a header segment after the first segment"})
		}
		if err := w.segment(s); err != nil {
			return fail(err)
		}
		if len(w.out) > limit {
			return fail(&SyntaxError{Line: s.line, Element: s.name, Err: ErrTooLarge, Msg: "the message would exceed " + strconv.Itoa(limit) + " bytes"})
		}
	}
	return w.out, w.d, nil
}

func collectSegments(g *elem, out *[]*elem) error {
	if g.hasText {
		return &SyntaxError{Line: g.line, Element: g.name, Err: ErrSyntax, Msg: "text in a group"}
	}
	for _, c := range g.children {
		switch {
		case isSegmentID(c.name):
			*out = append(*out, c)
		case c.name == "escape":
			return &SyntaxError{Line: c.line, Element: g.name, Err: ErrSyntax, Msg: "escape element in a group"}
		default:
			if err := collectSegments(c, out); err != nil {
				return err
			}
		}
	}
	return nil
}

// isSegmentID reports whether name is a segment ID: an upper case letter
// and two upper case letters or digits.
func isSegmentID(name string) bool {
	if len(name) != 3 || name[0] < 'A' || name[0] > 'Z' {
		return false
	}
	for i := 1; i < 3; i++ {
		c := name[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// maxPosition bounds the position numbers in element names, so a document
// cannot ask for millions of empty fields.
const maxPosition = 1000

// position returns the number after the last dot of an element name.
func position(e *elem) (int, error) {
	i := strings.LastIndexByte(e.name, '.')
	n, err := strconv.Atoi(e.name[i+1:])
	if i < 0 || err != nil || n < 1 || n > maxPosition || e.name[i+1] == '+' || e.name[i+1] == '0' {
		return 0, &SyntaxError{Line: e.line, Element: e.name, Err: ErrSyntax, Msg: "name must end with a position from 1 to " + strconv.Itoa(maxPosition)}
	}
	return n, nil
}

type writer struct {
	out   []byte
	limit int
	d     hl7.Delimiters
}

// delimiters reads MSH.1 and MSH.2 (FHS.1 and FHS.2, BHS.1 and BHS.2 in
// a batch header).
func (w *writer) delimiters(msh *elem) error {
	var fs, enc *elem
	id := msh.name
	for _, c := range msh.children {
		switch c.name {
		case id + ".1":
			fs = c
		case id + ".2":
			enc = c
		}
	}
	if fs == nil || enc == nil {
		return &SyntaxError{Line: msh.line, Element: id, Err: ErrSyntax, Msg: id + ".1 and " + id + ".2 are required"}
	}
	f, e := leafText(fs), leafText(enc)
	if len(f) != 1 || len(e) < 3 || len(e) > 5 {
		return &SyntaxError{Line: fs.line, Element: id + ".2", Err: ErrSyntax, Msg: id + ".1 must be one character and " + id + ".2 three to five"}
	}
	d := hl7.Delimiters{Field: f[0], Component: e[0], Repetition: e[1], Escape: e[2]}
	if len(e) > 3 {
		d.Subcomponent = e[3]
	}
	if len(e) > 4 {
		d.Truncation = e[4]
	}
	if err := d.Validate(); err != nil {
		return &SyntaxError{Line: enc.line, Element: id + ".2", Err: ErrSyntax, Msg: err.Error()}
	}
	w.d = d
	return nil
}

// leafText is the text of an element without escape elements.
func leafText(e *elem) string {
	var b strings.Builder
	for _, p := range e.text {
		if !p.esc {
			b.WriteString(p.s)
		}
	}
	return b.String()
}

func (w *writer) segment(s *elem) error {
	if s.hasText {
		return &SyntaxError{Line: s.line, Element: s.name, Err: ErrSyntax, Msg: "text in a segment"}
	}
	header := s.name == "MSH" || s.name == "FHS" || s.name == "BHS"
	fields := map[int][]*elem{}
	last := 0
	for _, c := range s.children {
		if !strings.HasPrefix(c.name, s.name+".") || strings.Count(c.name, ".") != 1 {
			return &SyntaxError{Line: c.line, Element: c.name, Err: ErrSyntax, Msg: "not a field of " + s.name}
		}
		n, err := position(c)
		if err != nil {
			return err
		}
		fields[n] = append(fields[n], c)
		last = max(last, n)
	}
	w.out = append(w.out, s.name...)
	first := 1
	if header {
		w.out = append(w.out, w.d.Field)
		w.out = append(w.out, w.d.EncodingCharacters()...)
		first = 3
		last = max(last, 2)
		if len(fields[1]) != 1 || len(fields[2]) != 1 {
			return &SyntaxError{Line: s.line, Element: s.name, Err: ErrSyntax, Msg: s.name + ".1 and " + s.name + ".2 must occur once"}
		}
	}
	for n := first; n <= last; n++ {
		if len(w.out) > w.limit {
			return nil
		}
		w.out = append(w.out, w.d.Field)
		for r, rep := range fields[n] {
			if r > 0 {
				w.out = append(w.out, w.d.Repetition)
			}
			if err := w.parts(rep, 0); err != nil {
				return err
			}
		}
	}
	w.out = append(w.out, '\r')
	return nil
}

// parts writes a repetition (level 0) or a component (level 1): its child
// elements by position, or its text when it has none.
func (w *writer) parts(e *elem, level int) error {
	kids := e.structural()
	if len(kids) == 0 {
		return w.leaf(e)
	}
	if e.hasText || len(kids) < len(e.children) {
		return &SyntaxError{Line: e.line, Element: e.name, Err: ErrSyntax, Msg: "text mixed with components"}
	}
	if level == 2 {
		return &SyntaxError{Line: e.line, Element: e.name, Err: ErrSyntax, Msg: "subcomponents cannot have parts"}
	}
	sep := w.d.Component
	if level == 1 {
		sep = w.d.Subcomponent
	}
	byPos := make(map[int]*elem, len(kids))
	last := 0
	for _, k := range kids {
		n, err := position(k)
		if err != nil {
			return err
		}
		if byPos[n] != nil {
			return &SyntaxError{Line: k.line, Element: k.name, Err: ErrSyntax, Msg: "position given twice"}
		}
		byPos[n] = k
		last = max(last, n)
	}
	if last > 1 && sep == 0 {
		// A composite component written as one subcomponent needs no
		// separator; more than one does.
		return &SyntaxError{Line: e.line, Element: e.name, Err: ErrSyntax, Msg: "subcomponents without a subcomponent separator in MSH.2"}
	}
	for n := 1; n <= last; n++ {
		if n > 1 {
			w.out = append(w.out, sep)
		}
		if k := byPos[n]; k != nil {
			if err := w.parts(k, level+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// leaf writes the text of a value, escaping delimiters, CR and LF, and
// writing escape elements as the sequences they hold.
func (w *writer) leaf(e *elem) error {
	d := w.d
	for _, p := range e.text {
		if p.esc {
			for i := 0; i < len(p.s); i++ {
				switch c := p.s[i]; c {
				case d.Field, d.Component, d.Repetition, d.Escape, d.Subcomponent, '\r', '\n':
					if c != 0 {
						return &SyntaxError{Line: e.line, Element: e.name, Err: ErrSyntax, Msg: "escape V " + strconv.Quote(p.s) + " holds a delimiter"}
					}
				}
			}
			w.out = append(w.out, d.Escape)
			w.out = append(w.out, p.s...)
			w.out = append(w.out, d.Escape)
			continue
		}
		for i := 0; i < len(p.s); i++ {
			var code string
			switch c := p.s[i]; c {
			case d.Field:
				code = "F"
			case d.Component:
				code = "S"
			case d.Repetition:
				code = "R"
			case d.Escape:
				code = "E"
			case '\r':
				code = "X0D"
			case '\n':
				code = "X0A"
			default:
				if c == d.Subcomponent && c != 0 {
					code = "T"
				} else {
					w.out = append(w.out, c)
					continue
				}
			}
			w.out = append(w.out, d.Escape)
			w.out = append(w.out, code...)
			w.out = append(w.out, d.Escape)
		}
	}
	return nil
}
