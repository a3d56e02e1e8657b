package hl7

import (
	"os"
	"testing"
)

var sinkLen int

// readIndexed reads and decodes every subcomponent with the natural loop
// over Reps, Components and Subs, which rescan the value on every call.
func readIndexed(m *Message) int {
	n := 0
	for i := range m.NumSegments() {
		s := m.Segment(i)
		for f := 1; f <= s.NumFields(); f++ {
			fv := s.Field(f)
			for r := 1; r <= fv.Reps(); r++ {
				rv := fv.Rep(r)
				for c := 1; c <= rv.Components(); c++ {
					cv := rv.Component(c)
					for sc := 1; sc <= cv.Subs(); sc++ {
						n += len(cv.Sub(sc).String())
					}
				}
			}
		}
	}
	return n
}

// readIter does the same work with the iterators, which scan once.
func readIter(m *Message) int {
	n := 0
	for i := range m.NumSegments() {
		for _, f := range m.Segment(i).AllFields() {
			for r := range f.AllReps() {
				for c := range r.AllComponents() {
					for sc := range c.AllSubs() {
						n += len(sc.String())
					}
				}
			}
		}
	}
	return n
}

// readDecode does it with Segment.Decode.
func readDecode(m *Message) int {
	n := 0
	for i := range m.NumSegments() {
		for _, f := range m.Segment(i).Decode() {
			for _, r := range f {
				for _, c := range r {
					for _, s := range c {
						n += len(s)
					}
				}
			}
		}
	}
	return n
}

// readFloor is the least work any full read can do: one copy of the
// message into a string and one pass that cuts it at every separator.
// It knows nothing of HL7 beyond the four separators of the CBC result.
func readFloor(data []byte) int {
	text := string(data)
	n, lo := 0, 0
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '|', '^', '~', '&', '\r':
			n += len(text[lo:i])
			lo = i + 1
		}
	}
	return n + len(text[lo:])
}

// BenchmarkReadAll parses the CBC result (oru_r01_251_cbc, 962 bytes) and
// reads and decodes every subcomponent of every segment four ways: the
// indexed loop (Reps, Rep, Components, ...), the nested iterators, Leaves
// and Decode; "floor" is readFloor, the bound none can beat. Compare the
// MB/s of the sub-benchmarks of one run.
func BenchmarkReadAll(b *testing.B) {
	data, err := os.ReadFile("testdata/oru_r01_251_cbc.hl7")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("floor", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			sinkLen += readFloor(data)
		}
	})
	for _, bm := range []struct {
		name string
		read func(*Message) int
	}{{"indexed", readIndexed}, {"iter", readIter}, {"Leaves", readLeaves}, {"Decode", readDecode}} {
		b.Run(bm.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			var m Message
			for b.Loop() {
				if err := (ParseOptions{}).ParseInto(&m, data); err != nil {
					b.Fatal(err)
				}
				sinkLen += bm.read(&m)
			}
		})
	}
}

// readLeaves does it with Segment.Leaves, one pass over each segment.
func readLeaves(m *Message) int {
	n := 0
	for i := range m.NumSegments() {
		for _, v := range m.Segment(i).Leaves() {
			n += len(v.String())
		}
	}
	return n
}
