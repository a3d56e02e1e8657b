package hl7

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// stream returns n ORU messages one after another.
func stream(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		b.WriteString("MSH|^~\\&|LAB|VETLAB|PMS|CLINIC|20261121||ORU^R01^ORU_R01|M")
		b.WriteString(strings.Repeat("0", i%7))
		b.WriteString("|P|2.5.1\rPID|1||P1||Bossie^Cow\rOBR|1|O1|F1|CBC^CBC^L\r")
		for range 1 + i%5 {
			b.WriteString("OBX|1|NM|6690-2^WBC^LN||7.5|10*3/uL|5.5-19.5||||F\r")
		}
	}
	return b.Bytes()
}

// TestReaderReuse checks that a reusing Reader returns the same messages
// as one that does not, and that its allocations do not grow with the
// input.
func TestReaderReuse(t *testing.T) {
	data := stream(50)
	var want []string
	for m, err := range NewReader(bytes.NewReader(data), ReaderOptions{}).All() {
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, m.String())
	}
	i := 0
	for m, err := range NewReader(bytes.NewReader(data), ReaderOptions{Reuse: true}).All() {
		if err != nil {
			t.Fatal(err)
		}
		if got := m.String(); i >= len(want) || got != want[i] {
			t.Fatalf("message %d = %q, want %q", i, got, want[i])
		}
		if v, _ := m.Get("OBX-5"); v != "7.5" {
			t.Fatalf("message %d: OBX-5 = %q", i, v)
		}
		i++
	}
	if i != len(want) {
		t.Fatalf("%d messages, want %d", i, len(want))
	}

	allocs := func(n int) float64 {
		data := stream(n)
		return testing.AllocsPerRun(5, func() {
			r := NewReader(bytes.NewReader(data), ReaderOptions{Reuse: true})
			for {
				if _, err := r.Next(); err == io.EOF {
					return
				} else if err != nil {
					t.Fatal(err)
				}
			}
		})
	}
	small, large := allocs(10), allocs(1000)
	if large > small+2 {
		t.Errorf("allocations grow with the input: %v for 10 messages, %v for 1000", small, large)
	}
	t.Logf("allocations per stream: %v for 10 messages, %v for 1000", small, large)
}

// BenchmarkReader reads a stream of 1,000 messages with and without Reuse;
// B/op against the stream's size (SetBytes) shows what each allocates.
func BenchmarkReader(b *testing.B) {
	data := stream(1000)
	for _, reuse := range []bool{false, true} {
		name := "new"
		if reuse {
			name = "reuse"
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				r := NewReader(bytes.NewReader(data), ReaderOptions{Reuse: reuse})
				for {
					m, err := r.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					sinkInt += m.NumSegments()
				}
			}
		})
	}
}
