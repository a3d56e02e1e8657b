package hl7

import (
	"fmt"
	"strconv"
	"strings"
)

// Node is one element of a message structure: a segment, a choice of
// segments, or a named group of nodes.
type Node struct {
	Name      string   // segment ID, or group name such as "ORDER_OBSERVATION"
	Group     bool     // Children hold the group's elements
	Choice    []string // for a choice: the segment IDs of which one appears
	Required  bool
	Repeating bool
	Children  []*Node
}

// Structure is the abstract message syntax of one message structure
// (HL7 v2 section 2.12), such as ORU_R01 in v2.5.1: which segments and
// groups appear, in which order, which are required and which repeat.
type Structure struct {
	Name    string // for example "ORU_R01"
	Version string // for example "2.5.1"
	Nodes   []*Node
	ids     map[string]bool
}

// ParseStructure builds a Structure from the bracket notation of the
// standard's message tables: "SEG" is required, "[SEG]" optional,
// "{SEG}" repeating, "[{SEG}]" both; "NAME<...>" is a group of elements
// and "(A|B|C)" a choice of one segment. For example
//
//	MSH [{SFT}] MSA [{ERR}]
//	{PATIENT_RESULT< [PATIENT< PID [PD1] >] {ORDER_OBSERVATION< [ORC] OBR >} >}
func ParseStructure(name, version, notation string) (*Structure, error) {
	p := &notationParser{src: notation}
	p.lex()
	nodes, err := p.seq("")
	if err != nil {
		return nil, fmt.Errorf("hl7: structure %s %s: %w", name, version, err)
	}
	s := &Structure{Name: name, Version: version, Nodes: nodes, ids: map[string]bool{}}
	var walk func([]*Node)
	walk = func(ns []*Node) {
		for _, n := range ns {
			switch {
			case n.Group:
				walk(n.Children)
			case n.Choice != nil:
				for _, c := range n.Choice {
					s.ids[c] = true
				}
			default:
				s.ids[n.Name] = true
			}
		}
	}
	walk(nodes)
	return s, nil
}

// MustParseStructure is ParseStructure for package-level definitions; it
// panics on a malformed notation.
func MustParseStructure(name, version, notation string) *Structure {
	s, err := ParseStructure(name, version, notation)
	if err != nil {
		panic(err)
	}
	return s
}

type notationParser struct {
	src  string
	toks []string
	pos  int
}

func (p *notationParser) lex() {
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			p.toks = append(p.toks, cur.String())
			cur.Reset()
		}
	}
	for _, r := range p.src {
		switch {
		case strings.ContainsRune("[]{}<>()|", r):
			flush()
			p.toks = append(p.toks, string(r))
		case r == ' ' || r == '\n' || r == '\t' || r == '\r':
			flush()
		default:
			cur.WriteRune(r)
		}
	}
	flush()
}

func (p *notationParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *notationParser) accept(t string) bool {
	if p.peek() == t {
		p.pos++
		return true
	}
	return false
}

func (p *notationParser) seq(end string) ([]*Node, error) {
	var out []*Node
	for p.peek() != end {
		if p.peek() == "" {
			return nil, fmt.Errorf("missing %q", end)
		}
		n, err := p.elem()
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	p.pos++
	return out, nil
}

func (p *notationParser) elem() (*Node, error) {
	n := &Node{Required: true}
	opt := p.accept("[")
	rep := p.accept("{")
	n.Required, n.Repeating = !opt, rep
	if p.accept("(") {
		for {
			id := p.peek()
			if !validSegmentID([]byte(id), 0) || len(id) != 3 {
				return nil, fmt.Errorf("bad segment %q in choice", id)
			}
			p.pos++
			n.Choice = append(n.Choice, id)
			if p.accept(")") {
				break
			}
			if !p.accept("|") {
				return nil, fmt.Errorf("expected | or ) in choice")
			}
		}
		n.Name = strings.Join(n.Choice, "|")
	} else {
		n.Name = p.peek()
		if n.Name == "" || strings.ContainsAny(n.Name, "[]{}<>()|") {
			return nil, fmt.Errorf("expected a segment or group name, got %q", n.Name)
		}
		p.pos++
		if p.accept("<") {
			n.Group = true
			children, err := p.seq(">")
			if err != nil {
				return nil, err
			}
			if len(children) == 0 {
				return nil, fmt.Errorf("group %s is empty", n.Name)
			}
			n.Children = children
		} else if !validSegmentID([]byte(n.Name), 0) || len(n.Name) != 3 {
			return nil, fmt.Errorf("bad segment ID %q", n.Name)
		}
	}
	if rep && !p.accept("}") {
		return nil, fmt.Errorf("missing } after %s", n.Name)
	}
	if opt && !p.accept("]") {
		return nil, fmt.Errorf("missing ] after %s", n.Name)
	}
	return n, nil
}

// first reports whether segment id can start node n.
func (n *Node) first(id string) bool {
	switch {
	case n.Group:
		for _, c := range n.Children {
			if c.first(id) {
				return true
			}
			if c.Required && !c.optionalContent() {
				return false
			}
		}
		return false
	case n.Choice != nil:
		for _, c := range n.Choice {
			if c == id {
				return true
			}
		}
		return false
	}
	return n.Name == id
}

// optionalContent reports whether a group may be present with none of
// its segments (every child optional), as the v2.3.1 ORU_R01 OBSERVATION
// group is.
func (n *Node) optionalContent() bool {
	if !n.Group {
		return false
	}
	for _, c := range n.Children {
		if c.Required && !c.optionalContent() {
			return false
		}
	}
	return true
}

// Match is the result of matching a message against a Structure: the
// group path of every segment, for group-path access.
type Match struct {
	m     *Message
	s     *Structure
	paths []string // per segment: "PATIENT_RESULT[1]/ORDER_OBSERVATION[2]/OBX[1]"; "" if unplaced
	index map[string]int
}

// Path returns the group path of segment i, such as
// "PATIENT_RESULT[1]/ORDER_OBSERVATION[2]/OBSERVATION[1]/OBX[1]", or ""
// for a segment the structure does not place.
func (mt *Match) Path(i int) string { return mt.paths[i] }

// Get reads a value by group path: groups separated by "/", each with an
// optional [n] (1-based, default 1), ending with a segment path such as
// "OBX-5.1", for example
// "PATIENT_RESULT/ORDER_OBSERVATION[2]/OBSERVATION[3]/OBX-5". Occurrence
// numbers count within the enclosing group, the way the standard's
// structures nest. Defaults and decoding are those of Message.Get.
func (mt *Match) Get(path string) (string, error) {
	v, err := mt.Value(path)
	if err != nil {
		return "", err
	}
	return v.String(), nil
}

// Value is Get's raw form: the addressed value at the level the final
// segment path names, defaulting repetition, component and subcomponent
// to 1 like Get.
func (mt *Match) Value(path string) (Value, error) {
	parts := strings.Split(path, "/")
	var key strings.Builder
	for _, g := range parts[:len(parts)-1] {
		name, n, err := splitOccurrence(g)
		if err != nil {
			return Value{}, &PathError{Path: path, Msg: err.Error()}
		}
		key.WriteString(name + "[" + strconv.Itoa(n) + "]/")
	}
	l, err := ParseLocation(parts[len(parts)-1])
	if err != nil {
		return Value{}, err
	}
	if l.Field == 0 {
		return Value{}, &PathError{Path: path, Msg: "names a segment, not a field"}
	}
	key.WriteString(l.Segment + "[" + strconv.Itoa(max(l.SegmentSeq, 1)) + "]")
	i, ok := mt.index[key.String()]
	if !ok {
		return Value{m: mt.m}, nil
	}
	return Segment{m: mt.m, i: i}.value(l.leaf()), nil
}

func splitOccurrence(s string) (string, int, error) {
	name, n := s, 1
	if i := strings.IndexByte(s, '['); i >= 0 {
		if !strings.HasSuffix(s, "]") {
			return "", 0, fmt.Errorf("bad group %q", s)
		}
		v, err := strconv.Atoi(s[i+1 : len(s)-1])
		if err != nil || v < 1 {
			return "", 0, fmt.Errorf("bad group occurrence in %q", s)
		}
		name, n = s[:i], v
	}
	if name == "" {
		return "", 0, fmt.Errorf("empty group name")
	}
	return name, n, nil
}

// matcher walks a message's segments through a structure.
type matcher struct {
	m        *Message
	s        *Structure
	pos      int
	paths    []string
	problems []Problem
	seqOf    []int // occurrence number of each segment's ID in the message
	unknown  Severity
}

// Match places each segment of m in the structure and reports structural
// problems: required segments or groups that are missing (code 100 or
// 101), segments the structure does not contain and segments out of
// order (code 100). Z-segments may appear anywhere and are not reported.
// No segment is dropped: unplaced segments keep an empty path.
func (s *Structure) Match(m *Message) (*Match, []Problem) {
	return s.match(m, SeverityWarning)
}

func (s *Structure) match(m *Message, unknown Severity) (*Match, []Problem) {
	mt := &matcher{m: m, s: s, paths: make([]string, len(m.segs)), seqOf: occurrences(m), unknown: unknown}
	mt.seq(s.Nodes, "")
	for mt.skip(); mt.pos < len(m.segs); mt.skip() {
		id := m.segmentID(mt.pos)
		mt.problem(mt.pos, CodeSegmentSequence, SeverityError, "segment "+id+" is out of sequence for "+s.Name)
		mt.pos++
	}
	res := &Match{m: m, s: s, paths: mt.paths, index: map[string]int{}}
	for i, p := range mt.paths {
		if p != "" {
			res.index[p] = i
		}
	}
	return res, mt.problems
}

// skip passes over Z-segments and segments the structure does not know,
// reporting the latter.
func (mt *matcher) skip() {
	for mt.pos < len(mt.m.segs) {
		id := mt.m.segmentID(mt.pos)
		if mt.s.ids[id] {
			return
		}
		if id[0] != 'Z' {
			mt.problem(mt.pos, CodeSegmentSequence, mt.unknown, "unexpected segment "+id+" in "+mt.s.Name)
		}
		mt.pos++
	}
}

func (mt *matcher) seq(nodes []*Node, prefix string) {
	counts := map[string]int{}
	for _, n := range nodes {
		matched := 0
		for {
			mt.skip()
			if mt.pos >= len(mt.m.segs) || matched > 0 && !n.Repeating {
				break
			}
			id := mt.m.segmentID(mt.pos)
			if !n.first(id) {
				break
			}
			start := mt.pos
			if n.Group {
				counts[n.Name]++
				mt.seq(n.Children, prefix+n.Name+"["+strconv.Itoa(counts[n.Name])+"]/")
			} else {
				counts[id]++
				mt.paths[mt.pos] = prefix + id + "[" + strconv.Itoa(counts[id]) + "]"
				mt.pos++
			}
			if mt.pos == start {
				break
			}
			matched++
		}
		if matched == 0 && n.Required && !n.optionalContent() {
			what := "segment " + n.Name
			if n.Group {
				what = "group " + n.Name
			}
			if n.Choice != nil {
				what = "one of the segments " + n.Name
			}
			p := mt.problem(mt.pos, CodeSegmentSequence, SeverityError, "required "+what+" missing in "+mt.s.Name)
			if !n.Group && n.Choice == nil {
				// ERR-2 names the missing segment, not its neighbour.
				p.Location = Location{Segment: n.Name}
			}
		}
	}
}

func (mt *matcher) problem(i int, code ErrorCode, sev Severity, msg string) *Problem {
	p := Problem{Code: code, Severity: sev, Msg: msg, Offset: len(mt.m.data)}
	if i < len(mt.m.segs) {
		id := mt.m.segmentID(i)
		p.Location = Location{Segment: id, SegmentSeq: mt.seqOf[i]}
		p.Offset = int(mt.m.segs[i].start)
	}
	mt.problems = append(mt.problems, p)
	return &mt.problems[len(mt.problems)-1]
}

// occurrences returns, for each segment, the occurrence number of its ID
// in the message (the n of "OBX[n]").
func occurrences(m *Message) []int {
	out := make([]int, len(m.segs))
	seen := map[string]int{}
	for i := range m.segs {
		id := m.segmentID(i)
		seen[id]++
		out[i] = seen[id]
	}
	return out
}
