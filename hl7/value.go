package hl7

import "bytes"

// Segment is a view of one segment of a message.
type Segment struct {
	m *Message
	i int
}

// Name returns the three-character segment ID, for example "PID" or "ZBX".
func (s Segment) Name() string { return s.m.segmentID(s.i) }

// Index returns the position of the segment in the message, 0-based.
func (s Segment) Index() int { return s.i }

// Offset returns the byte offset of the segment in the message.
func (s Segment) Offset() int { return int(s.m.segs[s.i].start) }

// Raw returns the ER7 bytes of the segment without its terminator.
func (s Segment) Raw() []byte {
	seg := s.m.segs[s.i]
	return s.m.data[seg.start:seg.end]
}

// NumFields returns the number of the last field present, in HL7
// numbering: for "PID|1||123" it is 3, and for "MSH|^~\&|A" it is 3.
// Trailing empty fields count when their separators are present.
func (s Segment) NumFields() int {
	n := len(s.m.fieldOffsets(s.i)) - 1
	if s.m.segs[s.i].header {
		n++
	}
	return n
}

// Field returns field n in HL7 numbering (1-based). In MSH, FHS and BHS
// field 1 is the field separator and field 2 the encoding characters; both
// are returned as they are, never split or unescaped. A field past the end
// of the segment is returned as absent (Present reports false).
func (s Segment) Field(n int) Value {
	seg := s.m.segs[s.i]
	raw := n
	if seg.header {
		switch n {
		case 1:
			return Value{m: s.m, lo: int(seg.start) + 3, hi: int(seg.start) + 4, lvl: levelLeaf, ok: true}
		case 2:
			lo, hi, ok := s.m.rawField(s.i, 1)
			return Value{m: s.m, lo: lo, hi: hi, lvl: levelLeaf, ok: ok}
		}
		raw = n - 1
	}
	if n < 1 {
		return Value{m: s.m}
	}
	lo, hi, ok := s.m.rawField(s.i, raw)
	return Value{m: s.m, lo: lo, hi: hi, lvl: levelField, ok: ok}
}

// level is the structural level of a Value, which decides what separator
// splits it further.
type level uint8

const (
	levelField level = iota
	levelRep
	levelComponent
	levelSub
	levelLeaf // MSH-1 and MSH-2: never split, never unescaped
)

// Value is a view of part of a message: a field, one repetition of it, a
// component or a subcomponent. It holds offsets into the message; nothing
// is copied or decoded until Raw or String is called.
//
// Navigation is lenient in the HL7 way: asking a value for component 1
// when it has no component separator returns the value itself, and asking
// for a part that does not exist returns an absent value whose String is "".
type Value struct {
	m      *Message
	lo, hi int
	lvl    level
	ok     bool
}

// Present reports whether the value exists in the message (its separator
// is there), even if it is empty.
func (v Value) Present() bool { return v.ok }

// IsEmpty reports whether the value is absent or has no characters.
func (v Value) IsEmpty() bool { return !v.ok || v.lo == v.hi }

// IsNull reports whether the value is the explicit HL7 null `""`, which
// tells the receiver to delete the stored value.
func (v Value) IsNull() bool {
	return v.ok && v.hi-v.lo == 2 && v.m.data[v.lo] == '"' && v.m.data[v.lo+1] == '"'
}

// Offset returns the byte offset of the value in the message, or -1 when
// it is absent.
func (v Value) Offset() int {
	if !v.ok {
		return -1
	}
	return v.lo
}

// Raw returns the value's bytes as they are in the message, separators
// and escape sequences included. Do not modify them.
func (v Value) Raw() []byte {
	if !v.ok {
		return nil
	}
	return v.m.data[v.lo:v.hi]
}

// String returns the value with escape sequences decoded (see Unescape)
// and converted from the message's character set to UTF-8. For a
// composite value the separators between its parts are kept as they are;
// address a leaf with Rep, Component and Sub to read one part.
func (v Value) String() string {
	if !v.ok || v.lo == v.hi {
		return ""
	}
	raw := v.m.data[v.lo:v.hi]
	if v.lvl == levelLeaf || v.m.decoder == nil && bytes.IndexByte(raw, v.m.delims.Escape) < 0 {
		// Nothing to decode: share the message's text rather than copy
		// each value.
		return v.m.textAt(v.lo, v.hi)
	}
	return v.m.decodeText(raw)
}

// textAt returns data[lo:hi] as a string cut from one string copy of the
// whole message, made on the first call. Reading every value of a message
// then costs one copy of it instead of one allocation per value; the price
// is that a string kept from a message keeps the message's text alive.
func (m *Message) textAt(lo, hi int) string {
	p := m.text.Load()
	if p == nil {
		s := string(m.data)
		if m.text.CompareAndSwap(nil, &s) {
			p = &s
		} else {
			p = m.text.Load()
		}
	}
	return (*p)[lo:hi]
}

func (v Value) sep(l level) byte {
	d := &v.m.delims
	switch l {
	case levelField:
		return d.Repetition
	case levelRep:
		return d.Component
	case levelComponent:
		return d.Subcomponent
	}
	return 0
}

// part returns the n-th (1-based) piece of v split at the separator of
// v's level; the piece is at the next level.
func (v Value) part(n int) Value {
	if !v.ok || n < 1 {
		return Value{m: v.m}
	}
	sep := v.sep(v.lvl)
	next := v.lvl + 1
	if next > levelSub {
		next = levelSub
	}
	if v.lvl == levelLeaf || sep == 0 {
		if n == 1 {
			if v.lvl != levelLeaf {
				v.lvl = next
			}
			return v
		}
		return Value{m: v.m}
	}
	data := v.m.data[:v.hi]
	lo := v.lo
	for i := 1; i < n; i++ {
		j := bytes.IndexByte(data[lo:], sep)
		if j < 0 {
			return Value{m: v.m}
		}
		lo += j + 1
	}
	hi := v.hi
	if j := bytes.IndexByte(data[lo:], sep); j >= 0 {
		hi = lo + j
	}
	return Value{m: v.m, lo: lo, hi: hi, lvl: next, ok: true}
}

func (v Value) count() int {
	if !v.ok {
		return 0
	}
	sep := v.sep(v.lvl)
	if v.lvl == levelLeaf || sep == 0 {
		return 1
	}
	return bytes.Count(v.m.data[v.lo:v.hi], []byte{sep}) + 1
}

// Rep returns repetition n (1-based) of a field. On a value below field
// level, Rep(1) is the value itself.
func (v Value) Rep(n int) Value {
	if v.lvl != levelField {
		return v.same(n)
	}
	return v.part(n)
}

// Reps returns the number of repetitions of a field, empty ones included
// ("a~~b" has 3); it is 0 for an absent field and 1 for an empty one.
func (v Value) Reps() int {
	if v.lvl != levelField {
		return v.sameCount()
	}
	return v.count()
}

// Component returns component n (1-based). On a field it reads the first
// repetition; on a component or subcomponent, Component(1) is the value
// itself.
func (v Value) Component(n int) Value {
	switch v.lvl {
	case levelField:
		return v.part(1).part(n)
	case levelRep:
		return v.part(n)
	}
	return v.same(n)
}

// Components returns the number of components (of the first repetition
// when v is a field).
func (v Value) Components() int {
	switch v.lvl {
	case levelField:
		return v.part(1).count()
	case levelRep:
		return v.count()
	}
	return v.sameCount()
}

// Sub returns subcomponent n (1-based) of a component. On a field or a
// repetition it reads the first component.
func (v Value) Sub(n int) Value {
	switch v.lvl {
	case levelField, levelRep:
		return v.Component(1).part(n)
	case levelComponent:
		return v.part(n)
	}
	return v.same(n)
}

// Subs returns the number of subcomponents of a component (of the first
// component when v is a field or a repetition).
func (v Value) Subs() int {
	switch v.lvl {
	case levelField, levelRep:
		return v.Component(1).count()
	case levelComponent:
		return v.count()
	}
	return v.sameCount()
}

func (v Value) same(n int) Value {
	if n == 1 {
		return v
	}
	return Value{m: v.m}
}

func (v Value) sameCount() int {
	if !v.ok {
		return 0
	}
	return 1
}
