package v2xml_test

import (
	"os"
	"testing"

	"github.com/vetlink/vetlink/hl7"
	"github.com/vetlink/vetlink/hl7/v2xml"
)

func benchMessage(b *testing.B) (*hl7.Message, []byte) {
	data, err := os.ReadFile("testdata/opu_r25.hl7")
	if err != nil {
		b.Fatal(err)
	}
	m, err := hl7.Parse(data)
	if err != nil {
		b.Fatal(err)
	}
	x, err := v2xml.Marshal(m)
	if err != nil {
		b.Fatal(err)
	}
	return m, x
}

func BenchmarkMarshal(b *testing.B) {
	m, x := benchMessage(b)
	b.SetBytes(int64(len(x)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v2xml.Marshal(m); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkER7(b *testing.B) {
	_, x := benchMessage(b)
	b.SetBytes(int64(len(x)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (v2xml.DecodeOptions{}).ER7(x); err != nil {
			b.Fatal(err)
		}
	}
}
