package hl7

import (
	"fmt"
	"strconv"
)

// ParseLocation parses a path such as "PID-3", "PID-3[2].1", "OBX[2]-5.1.2"
// or "MSH-9.2" into a Location. Numbers are 1-based: [n] after the segment
// ID selects its n-th occurrence, [n] after the field number selects a
// repetition, and dotted numbers select the component and subcomponent.
// A path naming only a segment ("PID" or "OBX[3]") is accepted.
func ParseLocation(path string) (Location, error) {
	var l Location
	fail := func(msg string) (Location, error) {
		return Location{}, &PathError{Path: path, Msg: msg}
	}
	if len(path) < 3 || !validSegmentID([]byte(path[:3]), 0) {
		return fail("must start with a segment ID such as PID")
	}
	l.Segment = path[:3]
	i := 3
	num := func() (int, bool) {
		j := i
		for j < len(path) && path[j] >= '0' && path[j] <= '9' {
			j++
		}
		if j == i || j-i > 9 {
			return 0, false
		}
		n, _ := strconv.Atoi(path[i:j])
		i = j
		return n, n > 0
	}
	bracket := func() (int, bool) {
		if i >= len(path) || path[i] != '[' {
			return 0, true
		}
		i++
		n, ok := num()
		if !ok || i >= len(path) || path[i] != ']' {
			return 0, false
		}
		i++
		return n, true
	}
	var ok bool
	if l.SegmentSeq, ok = bracket(); !ok {
		return fail("segment occurrence must be [n] with n >= 1")
	}
	if i == len(path) {
		return l, nil
	}
	if path[i] != '-' {
		return fail("expected '-' and a field number after the segment")
	}
	i++
	if l.Field, ok = num(); !ok {
		return fail("field number must be >= 1")
	}
	if l.Repetition, ok = bracket(); !ok {
		return fail("repetition must be [n] with n >= 1")
	}
	for _, dst := range []*int{&l.Component, &l.Subcomponent} {
		if i == len(path) {
			return l, nil
		}
		if path[i] != '.' {
			return fail(fmt.Sprintf("unexpected %q", path[i]))
		}
		i++
		if *dst, ok = num(); !ok {
			return fail("component and subcomponent numbers must be >= 1")
		}
	}
	if i != len(path) {
		return fail(fmt.Sprintf("unexpected %q after the subcomponent", path[i:]))
	}
	return l, nil
}

// FindSegment returns the seq-th (1-based; 0 means 1) segment with the
// given ID, or ok=false.
func (m *Message) FindSegment(id string, seq int) (Segment, bool) {
	if seq < 1 {
		seq = 1
	}
	for i := range m.segs {
		if m.idIs(i, id) {
			if seq--; seq == 0 {
				return Segment{m: m, i: i}, true
			}
		}
	}
	return Segment{}, false
}

// SegmentsNamed returns every segment with the given ID, in order.
func (m *Message) SegmentsNamed(id string) []Segment {
	var out []Segment
	for i := range m.segs {
		if m.idIs(i, id) {
			out = append(out, Segment{m: m, i: i})
		}
	}
	return out
}

// Value returns the part of the message a path addresses, at exactly the
// level the path names: "PID-3" is the whole field with all its
// repetitions, "PID-3[2]" one repetition, "PID-3[2].1" a component. A
// value that is not in the message is returned absent (Present is false);
// the error is non-nil only for a malformed path or one without a field.
func (m *Message) Value(path string) (Value, error) {
	l, err := ParseLocation(path)
	if err != nil {
		return Value{}, err
	}
	if l.Field == 0 {
		return Value{}, &PathError{Path: path, Msg: "names a segment, not a field"}
	}
	return m.valueAt(l), nil
}

func (m *Message) valueAt(l Location) Value {
	seg, ok := m.FindSegment(l.Segment, l.SegmentSeq)
	if !ok {
		return Value{m: m}
	}
	return seg.value(l)
}

// value returns the part of the segment that l's field, repetition,
// component and subcomponent name.
func (seg Segment) value(l Location) Value {
	v := seg.Field(l.Field)
	if l.Repetition > 0 {
		v = v.Rep(l.Repetition)
	}
	if l.Component > 0 {
		v = v.Component(l.Component)
	}
	if l.Subcomponent > 0 {
		v = v.Sub(l.Subcomponent)
	}
	return v
}

// Get returns the decoded text at path (see ParseLocation). Unspecified
// parts default to the first: "PID-5" reads PID-5[1].1.1, the first
// subcomponent of the first component of the first repetition, so a
// composite field never leaks its separators into the result. Use Value
// for the raw or composite form. A path that is well formed but not
// present in the message yields "" and a nil error.
func (m *Message) Get(path string) (string, error) {
	l, err := ParseLocation(path)
	if err != nil {
		return "", err
	}
	if l.Field == 0 {
		return "", &PathError{Path: path, Msg: "names a segment, not a field"}
	}
	return m.valueAt(l.leaf()).String(), nil
}

// leaf returns l with unspecified repetition, component and subcomponent
// set to 1.
func (l Location) leaf() Location {
	if l.Repetition == 0 {
		l.Repetition = 1
	}
	if l.Component == 0 {
		l.Component = 1
	}
	if l.Subcomponent == 0 {
		l.Subcomponent = 1
	}
	return l
}
