package hl7

import (
	"bytes"
	"iter"
)

// AllFields returns an iterator over the fields of the segment, in order,
// with their HL7 numbers (1-based, as Field numbers them): every field up
// to NumFields, empty ones included. It reads the segment's field index
// once, where calling Field(n) for n up to NumFields looks each field up
// again. Like the other iterators it allocates nothing when ranged over
// directly.
func (s Segment) AllFields() iter.Seq2[int, Value] {
	return func(yield func(int, Value) bool) { s.eachField(yield) }
}

func (s Segment) eachField(yield func(int, Value) bool) {
	m := s.m
	seg := m.segs[s.i]
	if seg.header {
		// Fields 1 and 2 and MSH-18 are special; headers are few.
		n := s.NumFields()
		for i := 1; i <= n; i++ {
			if !yield(i, s.Field(i)) {
				return
			}
		}
		return
	}
	offs := m.fieldOffsets(s.i)
	for i := 1; i < len(offs); i++ {
		hi := int(seg.end)
		if i+1 < len(offs) {
			hi = int(offs[i+1]) - 1
		}
		if !yield(i, Value{m: m, lo: int(offs[i]), hi: hi, lvl: levelField, ok: true}) {
			return
		}
	}
}

// AllReps returns an iterator over the repetitions of a field, empty ones
// included, as Rep(1) to Rep(Reps()) would return them, scanning the field
// once instead of once per call. On a value below field level it yields
// the value itself; on an absent value it yields nothing.
func (v Value) AllReps() iter.Seq[Value] {
	return func(yield func(Value) bool) { v.eachRep(yield) }
}

func (v Value) eachRep(yield func(Value) bool) {
	if v.lvl != levelField {
		v.eachSelf(yield)
		return
	}
	v.eachPart(yield)
}

// AllComponents returns an iterator over the components of a repetition
// (of the first repetition when v is a field), as Component(1) to
// Component(Components()) would return them, scanning once. On a component
// or subcomponent it yields the value itself.
func (v Value) AllComponents() iter.Seq[Value] {
	return func(yield func(Value) bool) { v.eachComponent(yield) }
}

func (v Value) eachComponent(yield func(Value) bool) {
	switch v.lvl {
	case levelField:
		v.part(1).eachPart(yield)
	case levelRep:
		v.eachPart(yield)
	default:
		v.eachSelf(yield)
	}
}

// AllSubs returns an iterator over the subcomponents of a component (of
// the first component when v is a field or a repetition), as Sub(1) to
// Sub(Subs()) would return them, scanning once. On a subcomponent it
// yields the value itself.
func (v Value) AllSubs() iter.Seq[Value] {
	return func(yield func(Value) bool) { v.eachSub(yield) }
}

func (v Value) eachSub(yield func(Value) bool) {
	switch v.lvl {
	case levelField, levelRep:
		v.Component(1).eachPart(yield)
	case levelComponent:
		v.eachPart(yield)
	default:
		v.eachSelf(yield)
	}
}

// eachSelf yields v once when it is present.
func (v Value) eachSelf(yield func(Value) bool) {
	if v.ok {
		yield(v)
	}
}

// eachPart yields the pieces of v split at the separator of its level,
// each at the next level, as part(1) to part(count()) would, in one scan.
func (v Value) eachPart(yield func(Value) bool) {
	if !v.ok {
		return
	}
	sep := v.sep(v.lvl)
	if v.lvl == levelLeaf || sep == 0 {
		w := v
		if v.lvl != levelLeaf {
			w.lvl = min(v.lvl+1, levelSub)
		}
		yield(w)
		return
	}
	next := min(v.lvl+1, levelSub)
	data := v.m.data[:v.hi]
	lo := v.lo
	if v.hi-v.lo < 32 {
		// Most values are short: a byte loop beats a call to IndexByte
		// per piece.
		for i := lo; i < v.hi; i++ {
			if data[i] == sep {
				if !yield(Value{m: v.m, lo: lo, hi: i, lvl: next, ok: true}) {
					return
				}
				lo = i + 1
			}
		}
		yield(Value{m: v.m, lo: lo, hi: v.hi, lvl: next, ok: true})
		return
	}
	for {
		j := bytes.IndexByte(data[lo:], sep)
		if j < 0 {
			yield(Value{m: v.m, lo: lo, hi: v.hi, lvl: next, ok: true})
			return
		}
		if !yield(Value{m: v.m, lo: lo, hi: lo + j, lvl: next, ok: true}) {
			return
		}
		lo += j + 1
	}
}

// Decode decodes every value of the segment, for code that wants all of
// it: Decode()[f][r][c][s] is subcomponent s+1 of component c+1 of
// repetition r+1 of field f+1, with escape sequences and the character set
// decoded as String does. Field numbers are as Field numbers them (the
// header's field separator and encoding characters are single values).
// The segment is read once (see Leaves), and the result takes a fixed
// handful of allocations whatever the size of the segment: the decoded
// text is one string that the values share. Reading with Leaves is faster
// still (BenchmarkReadAll): it allocates nothing, where Decode pays for
// the slices it returns.
func (s Segment) Decode() [][][][]string {
	raw := s.Raw()
	n := s.NumFields()
	// Capacities: decoded text is no longer than the raw text (escape
	// sequences shrink; only a character set conversion can grow it, and
	// append copes), and a segment has at least one leaf per field.
	d := decoder{
		text:    make([]byte, 0, len(raw)),
		ends:    make([]int32, 0, 2*n),
		subEnd:  make([]int32, 0, 2*n),
		compEnd: make([]int32, 0, n),
		repEnd:  make([]int32, 0, n),
	}
	var last Position
	for p, v := range s.Leaves() {
		if last.Field != 0 {
			// Close the levels the new leaf leaves.
			switch {
			case p.Field != last.Field:
				d.closeComponent()
				d.closeRep()
				d.closeField()
			case p.Rep != last.Rep:
				d.closeComponent()
				d.closeRep()
			case p.Component != last.Component:
				d.closeComponent()
			}
		}
		d.leaf(v)
		last = p
	}
	if last.Field != 0 {
		d.closeComponent()
		d.closeRep()
		d.closeField()
	}
	return d.build()
}

// decoder collects the decoded leaves of a segment and the bounds of each
// level, then carves the nested slices out of four flat ones.
type decoder struct {
	text                    []byte  // all decoded leaves, one after another
	ends                    []int32 // end of each leaf in text
	subEnd, compEnd, repEnd []int32 // end of each component, repetition, field in the level below
}

func (d *decoder) leaf(v Value) {
	raw := v.Raw()
	if v.lvl == levelLeaf || v.m.decoder == nil && bytes.IndexByte(raw, v.m.delims.Escape) < 0 {
		d.text = append(d.text, raw...)
	} else {
		d.text = append(d.text, v.String()...)
	}
	d.ends = append(d.ends, int32(len(d.text)))
}

func (d *decoder) closeComponent() { d.subEnd = append(d.subEnd, int32(len(d.ends))) }
func (d *decoder) closeRep()       { d.compEnd = append(d.compEnd, int32(len(d.subEnd))) }
func (d *decoder) closeField()     { d.repEnd = append(d.repEnd, int32(len(d.compEnd))) }

func (d *decoder) build() [][][][]string {
	text := string(d.text)
	leaves := make([]string, len(d.ends))
	lo := int32(0)
	for i, hi := range d.ends {
		leaves[i] = text[lo:hi]
		lo = hi
	}
	comps := make([][]string, len(d.subEnd))
	lo = 0
	for i, hi := range d.subEnd {
		comps[i] = leaves[lo:hi:hi]
		lo = hi
	}
	reps := make([][][]string, len(d.compEnd))
	lo = 0
	for i, hi := range d.compEnd {
		reps[i] = comps[lo:hi:hi]
		lo = hi
	}
	fields := make([][][][]string, len(d.repEnd))
	lo = 0
	for i, hi := range d.repEnd {
		fields[i] = reps[lo:hi:hi]
		lo = hi
	}
	return fields
}

// Position locates a subcomponent in a segment: its field, repetition,
// component and subcomponent numbers, 1-based, as Field, Rep, Component
// and Sub number them.
type Position struct {
	Field, Rep, Component, Sub int
}

// Leaves returns an iterator over every subcomponent of the segment, in
// order, with its position: the values the nested loop over AllFields,
// AllReps, AllComponents and AllSubs reaches, empty ones included, and in
// the same order. It reads the segment's bytes once, classifying each
// byte as it goes, so it is the fastest way to read everything (see
// BenchmarkReadAll). In MSH, FHS and BHS, fields 1 and 2 (the field
// separator and the encoding characters) are yielded whole, as Field
// returns them.
func (s Segment) Leaves() iter.Seq2[Position, Value] {
	return func(yield func(Position, Value) bool) { s.eachLeaf(yield) }
}

// Separator classes for eachLeaf.
const (
	classNone uint8 = iota
	classField
	classRep
	classComponent
	classSub
)

func (s Segment) eachLeaf(yield func(Position, Value) bool) {
	m := s.m
	seg := m.segs[s.i]
	pos := Position{Field: 1, Rep: 1, Component: 1, Sub: 1}
	var lo int // where the first field split here starts
	if seg.header {
		// Headers are one or two a message: let the header's field
		// index place MSH-3.
		for f := 1; f <= 2 && f <= s.NumFields(); f++ {
			if !yield(Position{Field: f, Rep: 1, Component: 1, Sub: 1}, s.Field(f)) {
				return
			}
		}
		offs := m.fieldOffsets(s.i)
		if len(offs) <= 2 {
			return
		}
		lo, pos.Field = int(offs[2]), 3
	} else {
		// The segment ID is three characters and the field separator
		// follows it (addSegment checked): no field index is needed.
		if seg.end-seg.start <= 3 {
			return
		}
		lo = int(seg.start) + 4
	}
	var class [256]uint8
	d := &m.delims
	// Set the least specific first, so that a delimiter shared between
	// levels (which a parse does not allow) would still split as Field.
	for _, c := range [...]struct {
		sep   byte
		class uint8
	}{{d.Subcomponent, classSub}, {d.Component, classComponent}, {d.Repetition, classRep}, {d.Field, classField}} {
		if c.sep != 0 {
			class[c.sep] = c.class
		}
	}
	data := m.data[:seg.end]
	for i := lo; i < len(data); i++ {
		k := class[data[i]]
		if k == classNone {
			continue
		}
		if !yield(pos, Value{m: m, lo: lo, hi: i, lvl: levelSub, ok: true}) {
			return
		}
		lo = i + 1
		switch k {
		case classField:
			pos = Position{Field: pos.Field + 1, Rep: 1, Component: 1, Sub: 1}
		case classRep:
			pos = Position{Field: pos.Field, Rep: pos.Rep + 1, Component: 1, Sub: 1}
		case classComponent:
			pos.Component, pos.Sub = pos.Component+1, 1
		case classSub:
			pos.Sub++
		}
	}
	yield(pos, Value{m: m, lo: lo, hi: len(data), lvl: levelSub, ok: true})
}
