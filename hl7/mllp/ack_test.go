package mllp

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/hl7"
)

// ackCases are messages whose acknowledgments exercise every branch of
// appendACK: the hl7 corpus plus versions around 2.3.1 and 2.7, enhanced
// mode, empty trailing fields, MSH-18 and escapes in the trigger event.
func ackCases(t testing.TB) map[string][]byte {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "*.hl7"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	cases := map[string][]byte{
		"v2.3":          []byte("MSH|^~\\&|A|B|C|D|20260101||ORU^R01|X1|P|2.3\rPID|1\r"),
		"v2.3.1 no 9.2": []byte("MSH|^~\\&|A|B|C|D|20260101||ORU|X1|P|2.3.1\r"),
		"v2.7 trunc":    []byte("MSH|^~\\&#|A|B|C|D|20260101||ORU^R01|X1|P|2.7|||AL|NE\r"),
		"v2.6 trunc":    []byte("MSH|^~\\&#|A|B|C|D|20260101||ORU^R01|X1|P|2.6\r"),
		"no 11 12":      []byte("MSH|^~\\&|A|B|C|D|20260101||ORU^R01|X1\r"),
		"only 11":       []byte("MSH|^~\\&|A|B|C|D|20260101||ORU^R01|X1|P\r"),
		"no control id": []byte("MSH|^~\\&|A|B|C|D|20260101||ORU^R01||P|2.5.1\r"),
		"msh18 only":    []byte("MSH|^~\\&|A|B|C|D|20260101||ORU^R01|X1||||||||~UNICODE UTF-8\r"),
		"msh18 8859":    []byte("MSH|^~\\&|A|B|C|D|20260101||ORU^R01|X1|P|2.5.1||||||8859/1\r"),
		"escaped event": []byte("MSH|^~\\&|A|B|C|D|20260101||ORU^R\\S\\01|X1|P|2.5.1\r"),
		"bad version":   []byte("MSH|^~\\&|A|B|C|D|20260101||ORU^R01|X1|P|2.\r"),
		"odd delims":    []byte("MSH#-~*@#A-1#B#C#D#20260101##ORU-R01#X1#P#2.5.1\r"),
		"batch":         []byte("BHS|^~\\&|A\rMSH|^~\\&|A|B|C|D|20260101||ORU^R01|X1|P|2.5.1\rBTS|1\r"),
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		cases[filepath.Base(f)] = data
	}
	return cases
}

// TestAppendACKMatchesNewACK checks that the Server's own acknowledgments
// are byte for byte what hl7.NewACK builds, and that appendACK declines
// exactly the cases it does not handle.
func TestAppendACKMatchesNewACK(t *testing.T) {
	at := time.Date(2026, 11, 22, 1, 2, 3, 0, time.FixedZone("", -6*3600))
	optsList := []hl7.ACKOptions{
		{ControlID: "ACK-1", Time: at},
		{ControlID: "A|B^C", Time: at.UTC(), Text: "thanks & bye|x"},
		{ControlID: "E", Time: at, Errors: []hl7.AckError{{Code: hl7.CodeInternalError}}},
	}
	compared := 0
	for name, data := range ackCases(t) {
		m, err := hl7.ParseOptions{Lenient: true}.Parse(data)
		require.NoError(t, err, name)
		h := m.Header()
		for _, code := range []hl7.AckCode{hl7.AA, hl7.AE, hl7.AR, hl7.CA, hl7.CE, hl7.CR, "ZZ"} {
			for _, opts := range optsList {
				want, werr := hl7.NewACK(m, code, opts)
				got, ok := appendACK(nil, m, h, code, opts)
				if !ok {
					msh18 := m.Segment(0).Field(18).Raw()
					declined := len(opts.Errors) > 0 || werr != nil || m.Segment(0).Name() != "MSH" ||
						len(msh18) > 0 && !plainCharset(msh18, m.Delimiters().Repetition)
					require.True(t, declined, "%s %s: appendACK declined a case NewACK handles", name, code)
					continue
				}
				require.NoError(t, werr, "%s %s: appendACK built an ACK NewACK refuses", name, code)
				require.Equal(t, string(want.Bytes()), string(got), "%s %s", name, code)
				compared++
			}
		}
	}
	require.Greater(t, compared, 60, "too few cases took the fast path")
}

// TestAppendACKRandomID checks the control ID appendACK makes when the
// options give none: 20 upper-case hexadecimal digits, the rest as NewACK.
func TestAppendACKRandomID(t *testing.T) {
	m := message(t, "RND1")
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	got, ok := appendACK(nil, m, m.Header(), hl7.AA, hl7.ACKOptions{Time: at})
	require.True(t, ok)
	ack, err := hl7.Parse(got)
	require.NoError(t, err)
	id := get(t, ack, "MSH-10")
	require.Regexp(t, regexp.MustCompile(`^[0-9A-F]{20}$`), id)
	want, err := hl7.NewACK(m, hl7.AA, hl7.ACKOptions{Time: at, ControlID: id})
	require.NoError(t, err)
	require.Equal(t, string(want.Bytes()), string(got))
}

// FuzzAppendACK holds appendACK to hl7.NewACK on arbitrary messages.
func FuzzAppendACK(f *testing.F) {
	for _, data := range ackCases(f) {
		if len(data) < 4096 {
			f.Add(data)
		}
	}
	at := time.Date(2026, 11, 22, 1, 2, 3, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, lenient := range []bool{false, true} {
			m, err := hl7.ParseOptions{Lenient: lenient}.Parse(data)
			if err != nil {
				continue
			}
			h := m.Header()
			for _, code := range []hl7.AckCode{hl7.AA, hl7.CE} {
				opts := hl7.ACKOptions{ControlID: "F1", Time: at, Text: strings.Repeat("t", len(data)%3)}
				want, werr := hl7.NewACK(m, code, opts)
				got, ok := appendACK(nil, m, h, code, opts)
				if !ok {
					continue
				}
				if werr != nil {
					t.Fatalf("appendACK built %q where NewACK fails: %v", got, werr)
				}
				if !bytes.Equal(want.Bytes(), got) {
					t.Fatalf("appendACK\n%q\nNewACK\n%q", got, want.Bytes())
				}
			}
		}
	})
}
