package hl7

import (
	"bytes"
	"fmt"
)

// Set writes text at path, escaping it with the message's delimiters.
// Like Get, unspecified parts default to the first, so Set("PID-5",
// "Smith") replaces PID-5[1].1.1 and keeps the other components. Missing
// fields, repetitions and components are created; the segment must exist
// (see AppendSegment). MSH-1 and MSH-2 cannot be set.
//
// Set builds a new buffer and indexes it again: it costs O(len(message))
// and never writes into the slice the message was parsed from.
func (m *Message) Set(path, text string) error {
	l, err := ParseLocation(path)
	if err != nil {
		return err
	}
	return m.setAt(path, l.leaf(), AppendEscaped(nil, []byte(text), m.delims))
}

// SetRaw writes raw ER7 bytes (separators and escape sequences are taken
// as they are) at exactly the level path names: SetRaw("PID-5",
// "Smith^John") replaces the whole field. The bytes must not contain the
// field separator or a segment terminator.
func (m *Message) SetRaw(path, raw string) error {
	l, err := ParseLocation(path)
	if err != nil {
		return err
	}
	if bytes.IndexByte([]byte(raw), m.delims.Field) >= 0 || bytes.ContainsAny([]byte(raw), "\r\n") {
		return &PathError{Path: path, Msg: "raw value holds a field separator or a line break"}
	}
	if l.Subcomponent > 0 && l.Component == 0 {
		l.Component = 1
	}
	if l.Component > 0 && l.Repetition == 0 {
		l.Repetition = 1
	}
	return m.setAt(path, l, []byte(raw))
}

func (m *Message) setAt(path string, l Location, val []byte) error {
	if l.Field == 0 {
		return &PathError{Path: path, Msg: "names a segment, not a field"}
	}
	seg, ok := m.FindSegment(l.Segment, l.SegmentSeq)
	if !ok {
		return &PathError{Path: path, Msg: "segment not in message"}
	}
	s := m.segs[seg.i]
	raw := l.Field
	if s.header {
		if l.Field <= 2 {
			return &PathError{Path: path, Msg: "the delimiters (fields 1 and 2) cannot be set"}
		}
		raw--
	}
	var idx []int
	for _, n := range []int{l.Repetition, l.Component, l.Subcomponent} {
		if n == 0 {
			break
		}
		idx = append(idx, n)
	}
	d := m.delims
	seps := []byte{d.Repetition, d.Component, d.Subcomponent}
	if d.Subcomponent == 0 && len(idx) == 3 {
		if idx[2] != 1 {
			return &PathError{Path: path, Msg: "the message declares no subcomponent separator"}
		}
		idx = idx[:2]
	}
	var lo, hi int
	var prefix []byte
	if flo, fhi, ok := m.rawField(seg.i, raw); ok {
		lo, hi = flo, fhi
	} else {
		lo, hi = int(s.end), int(s.end)
		prefix = bytes.Repeat([]byte{d.Field}, raw-len(m.fieldOffsets(seg.i))+1)
	}
	field := replacePart(m.data[lo:hi], seps, idx, val)
	out := make([]byte, 0, len(m.data)-(hi-lo)+len(prefix)+len(field))
	out = append(out, m.data[:lo]...)
	out = append(out, prefix...)
	out = append(out, field...)
	out = append(out, m.data[hi:]...)
	return m.replaceData(out)
}

// replacePart replaces the part of raw addressed by idx (1-based indexes
// at the levels split by seps) with val, adding empty parts as needed.
func replacePart(raw, seps []byte, idx []int, val []byte) []byte {
	if len(idx) == 0 {
		return val
	}
	parts := bytes.Split(raw, seps[:1])
	for len(parts) < idx[0] {
		parts = append(parts, nil)
	}
	parts[idx[0]-1] = replacePart(parts[idx[0]-1], seps[1:], idx[1:], val)
	return bytes.Join(parts, seps[:1])
}

// AppendSegment adds an empty segment with the given ID at the end of the
// message and returns it; fill it with Set or SetRaw using the path
// "ID[n]-f", n being its occurrence.
func (m *Message) AppendSegment(id string) (Segment, error) {
	if !validSegmentID([]byte(id), 0) || len(id) != 3 {
		return Segment{}, fmt.Errorf("%w: %q", ErrSegmentID, id)
	}
	out := make([]byte, 0, len(m.data)+5)
	out = append(out, m.data...)
	last := m.segs[len(m.segs)-1]
	if last.term == termNone && int(last.end) == len(m.data) {
		out = append(out, '\r')
	}
	out = append(out, id...)
	out = append(out, '\r')
	if err := m.replaceData(out); err != nil {
		return Segment{}, err
	}
	return Segment{m: m, i: len(m.segs) - 1}, nil
}

// replaceData swaps in a modified buffer and rebuilds the index.
func (m *Message) replaceData(out []byte) error {
	old := m.data
	oldOrig := m.orig
	m.data, m.orig = out, nil
	if err := m.index(); err != nil {
		m.data, m.orig = old, oldOrig
		_ = m.index()
		return err
	}
	return nil
}
