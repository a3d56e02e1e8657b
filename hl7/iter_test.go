package hl7

import (
	"os"
	"slices"
	"testing"
)

// checkIterators compares every iterator of m with the indexed calls it
// replaces, at every level, and Decode with String of every leaf.
func checkIterators(t testing.TB, m *Message) {
	t.Helper()
	same := func(what string, got []Value, n int, at func(int) Value) {
		t.Helper()
		if len(got) != n {
			t.Fatalf("%s: iterator yields %d values, count says %d", what, len(got), n)
		}
		for i, v := range got {
			if w := at(i + 1); v != w {
				t.Fatalf("%s[%d]: iterator %+v, indexed %+v", what, i+1, v, w)
			}
		}
	}
	for _, s := range m.Segments() {
		// Leaves yields what the nested iterators reach, in order.
		type leaf struct {
			p Position
			v Value
		}
		var nested, flat []leaf
		for fn, f := range s.AllFields() {
			r := 0
			for rv := range f.AllReps() {
				r++
				c := 0
				for cv := range rv.AllComponents() {
					c++
					sc := 0
					for sv := range cv.AllSubs() {
						sc++
						nested = append(nested, leaf{Position{fn, r, c, sc}, sv})
					}
				}
			}
		}
		for p, v := range s.Leaves() {
			flat = append(flat, leaf{p, v})
		}
		if len(flat) != len(nested) {
			t.Fatalf("%s: Leaves yields %d values, the nested iterators %d", s.Name(), len(flat), len(nested))
		}
		for i := range flat {
			if flat[i] != nested[i] {
				t.Fatalf("%s leaf %d: Leaves %+v, nested iterators %+v", s.Name(), i, flat[i], nested[i])
			}
		}
		var nums []int
		var fields []Value
		for n, f := range s.AllFields() {
			nums = append(nums, n)
			fields = append(fields, f)
		}
		same(s.Name()+" fields", fields, s.NumFields(), s.Field)
		dec := s.Decode()
		if len(dec) != len(fields) {
			t.Fatalf("%s: Decode gives %d fields, want %d", s.Name(), len(dec), len(fields))
		}
		for fi, f := range fields {
			what := s.Name() + "-" + itoaOrEmpty(nums[fi])
			same(what+" components", slices.Collect(f.AllComponents()), f.Components(), f.Component)
			same(what+" subs", slices.Collect(f.AllSubs()), f.Subs(), f.Sub)
			reps := slices.Collect(f.AllReps())
			same(what+" reps", reps, f.Reps(), f.Rep)
			if len(dec[fi]) != len(reps) {
				t.Fatalf("%s: Decode gives %d reps, want %d", what, len(dec[fi]), len(reps))
			}
			for ri, r := range reps {
				comps := slices.Collect(r.AllComponents())
				same(what+" rep components", comps, r.Components(), r.Component)
				same(what+" rep subs", slices.Collect(r.AllSubs()), r.Subs(), r.Sub)
				for ci, c := range comps {
					subs := slices.Collect(c.AllSubs())
					same(what+" component subs", subs, c.Subs(), c.Sub)
					same(what+" component reps", slices.Collect(c.AllReps()), c.Reps(), c.Rep)
					for si, sc := range subs {
						same(what+" sub comps", slices.Collect(sc.AllComponents()), sc.Components(), sc.Component)
						if got := dec[fi][ri][ci][si]; got != sc.String() {
							t.Fatalf("%s: Decode %q, String %q", what, got, sc.String())
						}
					}
				}
			}
		}
	}
}

// TestIteratorsMatchIndexedCalls runs checkIterators on the corpus and on
// values absent or empty.
func TestIteratorsMatchIndexedCalls(t *testing.T) {
	t.Parallel()
	for _, f := range corpusFiles(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m, err := ParseOptions{Lenient: true}.Parse(data)
		if err != nil {
			continue // the batch file: several messages
		}
		t.Run(f, func(t *testing.T) { checkIterators(t, m) })
	}
	m, err := Parse([]byte("MSH|^~\\&|A\rPID|1||a~~b^c&d&^||\r"))
	if err != nil {
		t.Fatal(err)
	}
	checkIterators(t, m)
	pid, _ := m.FindSegment("PID", 1)
	tests := []struct {
		field int
		reps  int
	}{{3, 3}, {4, 1}, {9, 0}}
	for _, tt := range tests {
		if n := len(slices.Collect(pid.Field(tt.field).AllReps())); n != tt.reps {
			t.Errorf("PID-%d: %d repetitions, want %d", tt.field, n, tt.reps)
		}
	}
	// Stopping early stops the scan.
	for r := range pid.Field(3).AllReps() {
		if string(r.Raw()) != "a" {
			t.Errorf("first repetition %q", r.Raw())
		}
		break
	}
}

// FuzzIterators holds the iterators to the indexed calls on any message
// Parse accepts.
func FuzzIterators(f *testing.F) {
	addCorpusSeeds(f, func(b []byte) { f.Add(b) })
	f.Add([]byte("MSH|^~\\&|A\rPID|1||a~~b^c&d&^||\r"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseOptions{Lenient: true}.Parse(data)
		if err != nil {
			return
		}
		checkIterators(t, m)
	})
}
