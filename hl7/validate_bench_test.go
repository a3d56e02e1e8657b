package hl7

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkValidate measures Validate (structure, field tables and data
// types) on a lab result and on the result carrying a 544 KB base64 PDF.
func BenchmarkValidate(b *testing.B) {
	for _, name := range []string{"oru_r01_251_cbc.hl7", "opu_r25_nahln.hl7", "oru_r01_pdf.hl7"} {
		b.Run(name, func(b *testing.B) {
			data, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				b.Fatal(err)
			}
			m, err := Parse(data)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if p := Validate(m); len(p) != 0 {
					b.Fatal(p)
				}
			}
		})
	}
}
