package v2xml_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/vetlink/vetlink/hl7"
	"github.com/vetlink/vetlink/hl7/v2xml"
)

// FuzzUnmarshal feeds arbitrary documents to the decoder. It must never
// panic or hang, and whatever it accepts must survive a second trip:
// ER7 -> XML -> ER7 gives the same bytes.
func FuzzUnmarshal(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.xml")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`<!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>`))
	f.Add([]byte(`<ACK><MSH><MSH.1>|</MSH.1><MSH.2>^~\&amp;</MSH.2></MSH><ZZZ><ZZZ.2><X.3><Y.2>a<escape V="H"/>b</Y.2></X.3></ZZZ.2></ZZZ></ACK>`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		opts := v2xml.DecodeOptions{MaxBytes: 1 << 16}
		er7, err := opts.ER7(doc)
		if err != nil {
			var se *v2xml.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is not a *SyntaxError", err)
			}
			return
		}
		m, err := opts.Unmarshal(doc)
		if err != nil {
			return // well-formed v2.xml that is not a valid ER7 message
		}
		x, err := v2xml.Marshal(m)
		if err != nil {
			if !errors.Is(err, v2xml.ErrUnencodable) {
				t.Fatalf("Marshal: %v", err)
			}
			return
		}
		again, err := opts.ER7(x)
		if err != nil {
			t.Fatalf("decoding our own encoding: %v\n%s", err, x)
		}
		if !bytes.Equal(er7, again) {
			t.Fatalf("second trip differs:\n%q\n%q", er7, again)
		}
	})
}

// FuzzRoundTrip checks the exactness claim on arbitrary ER7: whatever
// strict Parse accepts and Marshal can encode comes back byte for byte
// (with the final CR, which v2.xml does not record, always written).
func FuzzRoundTrip(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.hl7")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("MSH|^~\\&|||||||ACK|1|P|2.6\rZZZ|~a|b^^|\\X0D\\&c^\\Zx\\|"))
	f.Add([]byte("MSH$*!%$A$$$$$$ACK$1\rNTE$1$$a%F%b!*@"))
	f.Fuzz(func(t *testing.T, er7 []byte) {
		m, err := hl7.Parse(er7)
		if err != nil || m.Charset() != "" || m.Segment(0).Name() != "MSH" {
			return
		}
		x, err := v2xml.Marshal(m)
		if err != nil {
			if !errors.Is(err, v2xml.ErrUnencodable) {
				t.Fatalf("Marshal: %v", err)
			}
			return
		}
		back, err := v2xml.DecodeOptions{}.ER7(x)
		if err != nil {
			t.Fatalf("decoding our own encoding: %v\n%s", err, x)
		}
		want := er7
		if !bytes.HasSuffix(want, []byte("\r")) {
			want = append(append([]byte(nil), want...), '\r')
		}
		if !bytes.Equal(want, back) {
			t.Fatalf("round trip differs:\n%q\n%q\n%s", want, back, x)
		}
	})
}
