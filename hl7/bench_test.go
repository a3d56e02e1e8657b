package hl7

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type corpusMessage struct {
	name string
	data []byte
}

func loadCorpus(b *testing.B) []corpusMessage {
	var out []corpusMessage
	for _, f := range corpusFiles(b) {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, corpusMessage{strings.TrimSuffix(filepath.Base(f), ".hl7"), data})
	}
	return out
}

// floorScan is the floor the parser is measured against: the same bytes
// read once, segment by segment, with bytes.IndexByte looking for the
// segment terminator term. No parser can index a message without at least
// this work.
func floorScan(data []byte, term byte) int {
	n := 0
	for len(data) > 0 {
		i := bytes.IndexByte(data, term)
		if i < 0 {
			return n + 1
		}
		n++
		data = data[i+1:]
	}
	return n
}

// terminator returns the segment terminator a corpus file uses.
func terminator(name string) byte {
	if strings.Contains(name, "_lf") {
		return '\n'
	}
	return '\r'
}

var sinkInt int

// BenchmarkParse parses each corpus message (index mode: values are not
// decoded). Compare with BenchmarkFloor in the same run.
func BenchmarkParse(b *testing.B) {
	for _, c := range loadCorpus(b) {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.data)))
			b.ReportAllocs()
			for b.Loop() {
				m, err := parseCorpus(c.data, c.name)
				if err != nil {
					b.Fatal(err)
				}
				sinkInt += m.NumSegments()
			}
		})
	}
}

// BenchmarkParseInto parses each corpus message into a reused Message:
// the index alone, without the allocation of Parse.
func BenchmarkParseInto(b *testing.B) {
	for _, c := range loadCorpus(b) {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.data)))
			b.ReportAllocs()
			var m Message
			opts := ParseOptions{Lenient: strings.Contains(c.name, "_lf")}
			for b.Loop() {
				if err := opts.ParseInto(&m, c.data); err != nil {
					b.Fatal(err)
				}
				sinkInt += m.NumSegments()
			}
		})
	}
}

// BenchmarkFloor scans the same bytes as BenchmarkParse once with
// bytes.IndexByte.
func BenchmarkFloor(b *testing.B) {
	for _, c := range loadCorpus(b) {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.data)))
			for b.Loop() {
				sinkInt += floorScan(c.data, terminator(c.name))
			}
		})
	}
}

// BenchmarkParseCorpus parses the whole corpus per iteration;
// BenchmarkFloorCorpus is its floor.
func BenchmarkParseCorpus(b *testing.B) {
	corpus := loadCorpus(b)
	var size int64
	for _, c := range corpus {
		size += int64(len(c.data))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, c := range corpus {
			m, err := parseCorpus(c.data, c.name)
			if err != nil {
				b.Fatal(err)
			}
			sinkInt += m.NumSegments()
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(corpus)), "ns/msg")
}

func BenchmarkFloorCorpus(b *testing.B) {
	corpus := loadCorpus(b)
	var size int64
	for _, c := range corpus {
		size += int64(len(c.data))
	}
	b.SetBytes(size)
	for b.Loop() {
		for _, c := range corpus {
			sinkInt += floorScan(c.data, terminator(c.name))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(corpus)), "ns/msg")
}

var sinkHeader Header

// BenchmarkReadHeader reads MSH from a small message and from a 1 MB one;
// the cost must not depend on the size.
func BenchmarkReadHeader(b *testing.B) {
	small, err := os.ReadFile(filepath.Join("testdata", "oru_r01_251_cbc.hl7"))
	if err != nil {
		b.Fatal(err)
	}
	pdf, err := os.ReadFile(filepath.Join("testdata", "oru_r01_pdf.hl7"))
	if err != nil {
		b.Fatal(err)
	}
	large := append(append([]byte(nil), pdf...), bytes.Repeat([]byte("OBX|2|ST|DX^Diagnosis^L||filler text for size||||||F\r"), (1<<20-len(pdf))/52+1)...)
	for _, c := range []struct {
		name string
		data []byte
	}{{"small", small}, {"1MB", large}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				h, err := ReadHeader(c.data)
				if err != nil {
					b.Fatal(err)
				}
				sinkHeader = h
			}
		})
	}
}

// BenchmarkParseVsFloor times Parse, ParseInto and the floor scan of each
// corpus message in alternating batches, so that all three see the same
// machine load, and reports their times and the ratios to the floor
// (metrics parse/floor and into/floor). The acceptance bound is 4.
func BenchmarkParseVsFloor(b *testing.B) {
	const batch = 32
	for _, c := range loadCorpus(b) {
		b.Run(c.name, func(b *testing.B) {
			opts := ParseOptions{Lenient: strings.Contains(c.name, "_lf")}
			var m Message
			var tParse, tInto, tFloor time.Duration
			n := 0
			for b.Loop() {
				t0 := time.Now()
				for range batch {
					msg, err := opts.Parse(c.data)
					if err != nil {
						b.Fatal(err)
					}
					sinkInt += msg.NumSegments()
				}
				t1 := time.Now()
				for range batch {
					if err := opts.ParseInto(&m, c.data); err != nil {
						b.Fatal(err)
					}
					sinkInt += m.NumSegments()
				}
				t2 := time.Now()
				for range batch {
					sinkInt += floorScan(c.data, terminator(c.name))
				}
				t3 := time.Now()
				tParse += t1.Sub(t0)
				tInto += t2.Sub(t1)
				tFloor += t3.Sub(t2)
				n += batch
			}
			b.ReportMetric(float64(tParse.Nanoseconds())/float64(n), "parse-ns")
			b.ReportMetric(float64(tInto.Nanoseconds())/float64(n), "into-ns")
			b.ReportMetric(float64(tFloor.Nanoseconds())/float64(n), "floor-ns")
			b.ReportMetric(float64(tParse)/float64(tFloor), "parse/floor")
			b.ReportMetric(float64(tInto)/float64(tFloor), "into/floor")
		})
	}
}
