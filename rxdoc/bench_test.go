package rxdoc_test

import (
	"io"
	"testing"

	"github.com/vetlink/vetlink/rxdoc"
)

// BenchmarkWritePrescription makes the two-treatment prescription of the
// tests (three pages, one extra-label label).
func BenchmarkWritePrescription(b *testing.B) {
	d := fixture(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := rxdoc.WritePrescription(io.Discard, d); err != nil {
			b.Fatal(err)
		}
	}
}
