package rxdoc_test

import (
	"bytes"
	"fmt"

	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/rxdoc"
)

// Counts are written in figures and words, as on a paper prescription.
func ExampleWords() {
	for _, n := range []int{3, 96, 240} {
		fmt.Printf("%d (%s)\n", n, rxdoc.Words(n))
	}
	// Output:
	// 3 (three)
	// 96 (ninety-six)
	// 240 (two hundred forty)
}

// A document that lacks what its reader needs is not made: the error says
// what is missing.
func ExampleWritePrescription() {
	var pdf bytes.Buffer
	err := rxdoc.WritePrescription(&pdf, rxdoc.Prescription{Rx: rx.Prescription{ID: "RX-1"}})
	fmt.Println(err, pdf.Len())
	// Output:
	// rxdoc: document incomplete: prescription RX-1: has no treatment 0
}
