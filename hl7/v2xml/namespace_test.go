package v2xml_test

import (
	"bytes"
	"testing"

	"github.com/vetlink/vetlink/hl7"
	"github.com/vetlink/vetlink/hl7/v2xml"
)

// TestOmitNamespace checks that EncodeOptions.OmitNamespace leaves the
// declaration off messages and batches, and that the decoder reads both
// forms to the same message.
func TestOmitNamespace(t *testing.T) {
	t.Parallel()
	const er7 = "MSH|^~\\&|A|B|C|D|20261121||ACK^R01^ACK|1|P|2.5.1\rMSA|AA|X1\r"
	m, err := hl7.Parse([]byte(er7))
	if err != nil {
		t.Fatal(err)
	}
	xmlns := []byte(`xmlns="` + v2xml.Namespace + `"`)
	for _, omit := range []bool{false, true} {
		o := v2xml.EncodeOptions{OmitNamespace: omit}
		x, err := o.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if got := bytes.Contains(x, xmlns); got == omit {
			t.Errorf("OmitNamespace=%v: namespace declared = %v\n%s", omit, got, x)
		}
		back, err := v2xml.DecodeOptions{}.ER7(x)
		if err != nil {
			t.Fatalf("OmitNamespace=%v: decoding: %v", omit, err)
		}
		if string(back) != er7 {
			t.Errorf("OmitNamespace=%v: round trip = %q", omit, back)
		}
		b, err := o.MarshalBatch([]byte("BHS|^~\\&|A\r" + er7 + "BTS|1\r"))
		if err != nil {
			t.Fatal(err)
		}
		if got := bytes.Contains(b, xmlns); got == omit {
			t.Errorf("OmitNamespace=%v: batch namespace declared = %v\n%s", omit, got, b)
		}
	}
}
