package hl7

import (
	"fmt"
)

// Builder constructs a message segment by segment. Values given to it are
// plain text; the builder escapes them with its delimiters. The first
// segment must be MSH (or FHS or BHS); its fields 1 and 2 are written
// from the delimiters.
//
//	b := hl7.NewBuilder(hl7.Delimiters{})
//	b.Segment("MSH").Set("3", "LAB").Set("9", "ORU").Set("9.2", "R01")
//	b.Segment("PID").SetField(5, "Smith", "Bossie")
//	msg, err := b.Build()
type Builder struct {
	d    Delimiters
	segs []*SegmentBuilder
}

// NewBuilder returns a builder writing with the delimiters d; the zero
// Delimiters mean DefaultDelimiters.
func NewBuilder(d Delimiters) *Builder {
	if d == (Delimiters{}) {
		d = DefaultDelimiters
	}
	return &Builder{d: d}
}

// SegmentBuilder holds the fields of one segment being built. Its methods
// return the receiver so calls can be chained; the first error (a bad path
// or field number) is kept and returned by Builder.Build.
type SegmentBuilder struct {
	id     string
	header bool
	fields [][][][]fieldText // field (HL7 number - 1) -> repetition -> component -> subcomponent
	raw    map[int]string    // fields set with SetRaw
	err    error
}

type fieldText = string

// Segment appends a segment with the given ID and returns its builder.
func (b *Builder) Segment(id string) *SegmentBuilder {
	s := &SegmentBuilder{id: id, header: isHeaderID([]byte(id))}
	if !validSegmentID([]byte(id), 0) || len(id) != 3 {
		s.err = fmt.Errorf("%w: %q", ErrSegmentID, id)
	}
	b.segs = append(b.segs, s)
	return s
}

// Set writes text at a path relative to the segment: "5" is field 5,
// "5.2" its second component, "3[2].1" the first component of the second
// repetition of field 3, "3[2].4.1" a subcomponent.
func (s *SegmentBuilder) Set(path, text string) *SegmentBuilder {
	l, err := ParseLocation(s.id + "-" + path)
	if err != nil {
		return s.fail(err)
	}
	l = l.leaf()
	return s.put(l.Field, l.Repetition, l.Component, l.Subcomponent, text)
}

// SetField writes the components of the first repetition of field n.
func (s *SegmentBuilder) SetField(n int, components ...string) *SegmentBuilder {
	for i, c := range components {
		s.put(n, 1, i+1, 1, c)
	}
	return s
}

// AddRepetition appends a repetition to field n with the given components.
func (s *SegmentBuilder) AddRepetition(n int, components ...string) *SegmentBuilder {
	rep := 1
	if n >= 1 && n <= len(s.fields) {
		rep = len(s.fields[n-1]) + 1
	}
	if len(components) == 0 {
		components = []string{""}
	}
	for i, c := range components {
		s.put(n, rep, i+1, 1, c)
	}
	return s
}

// SetRaw writes field n as raw ER7 text, separators and escape sequences
// included; it replaces anything set before in that field.
func (s *SegmentBuilder) SetRaw(n int, raw string) *SegmentBuilder {
	if err := s.checkField(n); err != nil {
		return s.fail(err)
	}
	if s.raw == nil {
		s.raw = map[int]string{}
	}
	s.raw[n] = raw
	if n <= len(s.fields) {
		s.fields[n-1] = nil
	}
	return s
}

func (s *SegmentBuilder) checkField(n int) error {
	if n < 1 {
		return fmt.Errorf("%w: %s field %d: must be >= 1", ErrPath, s.id, n)
	}
	if s.header && n <= 2 {
		return fmt.Errorf("%w: %s-%d is written from the builder's delimiters", ErrPath, s.id, n)
	}
	return nil
}

func (s *SegmentBuilder) put(f, r, c, sc int, text string) *SegmentBuilder {
	if err := s.checkField(f); err != nil {
		return s.fail(err)
	}
	if r < 1 || c < 1 || sc < 1 {
		return s.fail(fmt.Errorf("%w: %s-%d: indexes are 1-based", ErrPath, s.id, f))
	}
	delete(s.raw, f)
	for len(s.fields) < f {
		s.fields = append(s.fields, nil)
	}
	reps := s.fields[f-1]
	for len(reps) < r {
		reps = append(reps, nil)
	}
	comps := reps[r-1]
	for len(comps) < c {
		comps = append(comps, nil)
	}
	subs := comps[c-1]
	for len(subs) < sc {
		subs = append(subs, "")
	}
	subs[sc-1] = text
	comps[c-1] = subs
	reps[r-1] = comps
	s.fields[f-1] = reps
	return s
}

func (s *SegmentBuilder) fail(err error) *SegmentBuilder {
	if s.err == nil {
		s.err = err
	}
	return s
}

// Bytes returns the ER7 encoding of the segments built so far, each ending
// with CR. Trailing empty components, subcomponents and fields are left
// out, as the standard allows.
func (b *Builder) Bytes() ([]byte, error) {
	if err := b.d.Validate(); err != nil {
		return nil, err
	}
	if len(b.segs) == 0 || !b.segs[0].header {
		return nil, ErrNoHeader
	}
	var out []byte
	for _, s := range b.segs {
		if s.err != nil {
			return nil, s.err
		}
		out = s.appendTo(out, b.d)
	}
	return out, nil
}

// Build encodes the segments and parses the result, so the message it
// returns is indexed exactly like one received from a peer.
func (b *Builder) Build() (*Message, error) {
	data, err := b.Bytes()
	if err != nil {
		return nil, err
	}
	return Parse(data)
}

// buildWith is Build parsing the result with o, for messages whose MSH-18
// names a character set by an alias or not at all known.
func (b *Builder) buildWith(o ParseOptions) (*Message, error) {
	data, err := b.Bytes()
	if err != nil {
		return nil, err
	}
	return o.Parse(data)
}

func (s *SegmentBuilder) appendTo(out []byte, d Delimiters) []byte {
	out = append(out, s.id...)
	first := 1
	if s.header {
		out = append(out, d.Field)
		out = append(out, d.EncodingCharacters()...)
		first = 3
	}
	last := len(s.fields)
	for n := range s.raw {
		last = max(last, n)
	}
	// Leave out trailing empty fields.
	for last >= first && s.fieldEmpty(last) {
		last--
	}
	for n := first; n <= last; n++ {
		out = append(out, d.Field)
		if raw, ok := s.raw[n]; ok {
			out = append(out, raw...)
			continue
		}
		if n > len(s.fields) {
			continue
		}
		for ri, rep := range s.fields[n-1] {
			if ri > 0 {
				out = append(out, d.Repetition)
			}
			nc := len(rep)
			for nc > 0 && allEmpty(rep[nc-1]) {
				nc--
			}
			for ci, comp := range rep[:nc] {
				if ci > 0 {
					out = append(out, d.Component)
				}
				ns := len(comp)
				for ns > 0 && comp[ns-1] == "" {
					ns--
				}
				if d.Subcomponent == 0 {
					ns = min(ns, 1) // no separator declared: only the first subcomponent exists
				}
				for si, sub := range comp[:ns] {
					if si > 0 {
						out = append(out, d.Subcomponent)
					}
					out = AppendEscaped(out, []byte(sub), d)
				}
			}
		}
	}
	return append(out, '\r')
}

func (s *SegmentBuilder) fieldEmpty(n int) bool {
	if raw, ok := s.raw[n]; ok {
		return raw == ""
	}
	if n > len(s.fields) {
		return true
	}
	reps := s.fields[n-1]
	if len(reps) > 1 {
		return false
	}
	for _, r := range reps {
		for _, c := range r {
			if !allEmpty(c) {
				return false
			}
		}
	}
	return true
}

func allEmpty(subs []string) bool {
	for _, s := range subs {
		if s != "" {
			return false
		}
	}
	return true
}
