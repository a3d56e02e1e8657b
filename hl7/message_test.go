package hl7

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		lenient bool
		err     error
		offset  int
		msg     string
	}{
		{"empty", "", false, ErrNoHeader, 0, ""},
		{"not a header", "PID|1\r", false, ErrNoHeader, 0, ""},
		{"encoding characters too long", "MSH|^~\\&#!|A\r", false, ErrDelimiters, 3, "longer than 5"},
		{"duplicate delimiter", "MSH|^^\\&|A\r", false, ErrDelimiters, 3, "both"},
		{"alphanumeric delimiter", "MSH|^~\\A|A\r", false, ErrDelimiters, 3, "printable punctuation"},
		{"missing escape character", "MSH|^~|A\r", false, ErrDelimiters, 3, "escape character missing"},
		{"bad segment ID", "MSH|^~\\&|A\rpid|1\r", false, ErrSegmentID, 11, `"pid|"`},
		{"segment ID without separator", "MSH|^~\\&|A\rPIDX|1\r", false, ErrSegmentID, 11, ""},
		{"blank line strict", "MSH|^~\\&|A\r\rPID|1\r", false, ErrLineEnding, 11, "blank segment"},
		{"LF strict", "MSH|^~\\&|A\nPID|1\n", false, ErrLineEnding, 10, "line feed"},
		{"CRLF strict", "MSH|^~\\&|A\r\nPID|1\r\n", false, ErrLineEnding, 11, "CR LF"},
		{"inner header with other delimiters", "BHS|^~\\&|A\rMSH|^~\\#|B\r", false, ErrDelimiters, 14, "differs"},
		{"second message", "MSH|^~\\&|A\rPID|1\rMSH|^~\\&|B\r", false, ErrMultipleMessages, 17, "starts another message"},
		{"second message, other delimiters", "MSH|^~\\&|A\rMSH|^~\\#|B\r", false, ErrMultipleMessages, 11, "starts another message"},
		{"batch header inside a message", "MSH|^~\\&|A\rBHS|^~\\&|B\r", false, ErrMultipleMessages, 11, "BHS"},
		{"fuzz: two bare headers", "MSH#$!\"#\rMSH#$!\"", false, ErrMultipleMessages, 9, "starts another message"},
		{"unknown charset strict", "MSH|^~\\&|A|||||||1|P|2.5||||||KLINGON\r", false, ErrCharset, 30, "KLINGON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseOptions{Lenient: tt.lenient}.Parse([]byte(tt.in))
			require.ErrorIs(t, err, tt.err)
			var pe *ParseError
			require.True(t, errors.As(err, &pe))
			require.Equal(t, tt.offset, pe.Offset, err.Error())
			require.Contains(t, err.Error(), tt.msg)
		})
	}
}

func TestParseLenientLineEndings(t *testing.T) {
	in := "MSH|^~\\&|A\r\nPID|1\n\nOBX|1|ST|||x\r\r\n"
	_, err := Parse([]byte(in))
	require.Error(t, err)
	m, err := ParseOptions{Lenient: true}.Parse([]byte(in))
	require.NoError(t, err)
	require.Equal(t, in, m.String())
	require.Equal(t, LineEndings{CR: 1, LF: 1, CRLF: 1, Blank: 2}, m.LineEndings())
	got, _ := m.Get("OBX-5")
	require.Equal(t, "x", got)

	// A modification keeps the recorded line endings.
	require.NoError(t, m.Set("PID-3", "42"))
	require.Equal(t, "MSH|^~\\&|A\r\nPID|1||42\n\nOBX|1|ST|||x\r\r\n", m.String())
}

func TestParseKeepsStructure(t *testing.T) {
	in := "MSH|^~\\&|A||||||ORU^R01|1|P|2.5.1\rPID|1||a~~b~||||\rZZ1|x\rOBX|||\r"
	m, err := Parse([]byte(in))
	require.NoError(t, err)
	require.Equal(t, in, string(m.Bytes()))
	pid, _ := m.Value("PID-3")
	require.Equal(t, 4, pid.Reps())
	require.True(t, pid.Rep(2).Present())
	require.True(t, pid.Rep(2).IsEmpty())
	require.False(t, pid.Rep(5).Present())
	require.Equal(t, 7, m.Segment(1).NumFields())
	require.Equal(t, 3, m.Segment(3).NumFields())
	require.Equal(t, 12, m.Segment(0).NumFields())
	require.Equal(t, "ZZ1", m.Segment(2).Name())
}

func TestValueNavigation(t *testing.T) {
	m, err := Parse([]byte("MSH|^~\\&|A\rPID|1||123^^^VL&1.2.3&ISO^MR~456|\"\"|Smith^Jo\\S\\e\r"))
	require.NoError(t, err)
	f, err := m.Value("PID-3")
	require.NoError(t, err)
	require.Equal(t, "123^^^VL&1.2.3&ISO^MR~456", string(f.Raw()))
	require.Equal(t, 2, f.Reps())
	require.Equal(t, 5, f.Components())
	require.Equal(t, 3, f.Rep(1).Component(4).Subs())
	require.Equal(t, "1.2.3", f.Rep(1).Component(4).Sub(2).String())
	require.Equal(t, "456", f.Rep(2).Component(1).Sub(1).String())
	require.Equal(t, "456", f.Rep(2).Component(1).Component(1).String())
	require.False(t, f.Rep(2).Component(1).Component(2).Present())
	require.Equal(t, 18, f.Offset())
	require.Equal(t, 27, f.Rep(1).Component(4).Sub(2).Offset())
	null, _ := m.Value("PID-4")
	require.True(t, null.IsNull())
	name, _ := m.Value("PID-5.2")
	require.Equal(t, "Jo^e", name.String())
	require.Equal(t, `Jo\S\e`, string(name.Raw()))
	msh1, _ := m.Value("MSH-1")
	require.Equal(t, "|", msh1.String())
	require.Equal(t, 3, msh1.Offset())
	msh2, _ := m.Value("MSH-2")
	require.Equal(t, `^~\&`, msh2.String())
	require.Equal(t, 1, msh2.Components())
}

func TestPaths(t *testing.T) {
	tests := []struct {
		path string
		want Location
		err  string
	}{
		{"PID", Location{Segment: "PID"}, ""},
		{"OBX[2]", Location{Segment: "OBX", SegmentSeq: 2}, ""},
		{"PID-3", Location{Segment: "PID", Field: 3}, ""},
		{"PID-3[2].1", Location{Segment: "PID", Field: 3, Repetition: 2, Component: 1}, ""},
		{"OBX[10]-5[1].2.3", Location{Segment: "OBX", SegmentSeq: 10, Field: 5, Repetition: 1, Component: 2, Subcomponent: 3}, ""},
		{"ZB1-1", Location{Segment: "ZB1", Field: 1}, ""},
		{"pid-3", Location{}, "segment ID"},
		{"PID-0", Location{}, "field number"},
		{"PID-3[0]", Location{}, "repetition"},
		{"PID[0]-3", Location{}, "segment occurrence"},
		{"PID-3.1.2.3", Location{}, "unexpected"},
		{"PID-3.", Location{}, "component"},
		{"PID.3", Location{}, "expected '-'"},
		{"PID-3[2", Location{}, "repetition"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			l, err := ParseLocation(tt.path)
			if tt.err != "" {
				require.ErrorIs(t, err, ErrPath)
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, l)
			require.Equal(t, tt.path, l.String())
		})
	}
	m, err := Parse([]byte("MSH|^~\\&|A\r"))
	require.NoError(t, err)
	_, err = m.Get("MSH")
	require.ErrorIs(t, err, ErrPath)
}

func TestSetAndSetRaw(t *testing.T) {
	in := []byte("MSH|^~\\&|A||||||ORU^R01|1|P|2.5.1\rPID|1||123~456||Smith^Jo\rOBX|1\r")
	orig := string(in)
	m, err := Parse(in)
	require.NoError(t, err)
	require.NoError(t, m.Set("PID-5.2", "Joe|Jr"))
	require.NoError(t, m.Set("PID-3[3].4.2", "1.2.3"))
	require.NoError(t, m.Set("OBX-5", "7.5"))
	require.NoError(t, m.SetRaw("PID-7", "20200101"))
	require.NoError(t, m.SetRaw("OBX-3", "GLU^Glucose^L"))
	require.Equal(t, "MSH|^~\\&|A||||||ORU^R01|1|P|2.5.1\rPID|1||123~456~^^^&1.2.3||Smith^Joe\\F\\Jr||20200101\rOBX|1||GLU^Glucose^L||7.5\r", m.String())
	require.Equal(t, orig, string(in), "the caller's buffer is never written")

	seg, err := m.AppendSegment("ZVL")
	require.NoError(t, err)
	require.Equal(t, 3, seg.Index())
	require.NoError(t, m.Set("ZVL-2", "x"))
	require.True(t, strings.HasSuffix(m.String(), "\rZVL||x\r"))

	require.ErrorIs(t, m.Set("MSH-2", "x"), ErrPath)
	require.ErrorIs(t, m.Set("NK1-1", "x"), ErrPath)
	require.ErrorIs(t, m.SetRaw("PID-5", "a|b"), ErrPath)
	_, err = m.AppendSegment("bad")
	require.ErrorIs(t, err, ErrSegmentID)
}

func TestCharsets(t *testing.T) {
	latin1 := func(s string) []byte {
		b, err := charmap.ISO8859_1.NewEncoder().Bytes([]byte(s))
		require.NoError(t, err)
		return b
	}
	t.Run("8859/1 from MSH-18", func(t *testing.T) {
		in := latin1("MSH|^~\\&|A|||||||1|P|2.5||||||8859/1\rPID|1||1||Müller^Zoë\r")
		m, err := Parse(in)
		require.NoError(t, err)
		require.Equal(t, "8859/1", m.Charset())
		got, _ := m.Get("PID-5.2")
		require.Equal(t, "Zoë", got)
		require.Equal(t, in, m.Bytes())
	})
	t.Run("caller override", func(t *testing.T) {
		in := latin1("MSH|^~\\&|A|||||||1|P|2.5\rPID|1||1||Müller\r")
		m, err := ParseOptions{Charset: "8859/1"}.Parse(in)
		require.NoError(t, err)
		got, _ := m.Get("PID-5")
		require.Equal(t, "Müller", got)
	})
	t.Run("GB 18030 is transcoded before indexing", func(t *testing.T) {
		// 亅 (U+4E85) is 0x81 0x7C in GB 18030: its second byte is '|'.
		text := "MSH|^~\\&|A|||||||1|P|2.5||||||GB 18030-2000\rPID|1||1||亅\r"
		in, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(text))
		require.NoError(t, err)
		require.Contains(t, string(in), "\x81|")
		m, err := Parse(in)
		require.NoError(t, err)
		got, _ := m.Get("PID-5")
		require.Equal(t, "亅", got)
		require.Equal(t, in, m.Bytes())
		require.NoError(t, m.Set("PID-6", "亅"))
		out, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte("MSH|^~\\&|A|||||||1|P|2.5||||||GB 18030-2000\rPID|1||1||亅|亅\r"))
		require.NoError(t, err)
		require.Equal(t, out, m.Bytes())
	})
	t.Run("UTF-16 with byte order mark", func(t *testing.T) {
		text := "MSH|^~\\&|A|||||||1|P|2.5||||||UNICODE UTF-16\rPID|1||1||Ωmega\r"
		in, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(text))
		require.NoError(t, err)
		m, err := Parse(in)
		require.NoError(t, err)
		got, _ := m.Get("PID-5")
		require.Equal(t, "Ωmega", got)
		require.Equal(t, in, m.Bytes())
		h := m.Header()
		require.Equal(t, "1", h.ControlID)
	})
	t.Run("UTF-8 byte order mark", func(t *testing.T) {
		in := []byte("\xef\xbb\xbfMSH|^~\\&|A\rPID|1||1||Ωmega\r")
		m, err := Parse(in)
		require.NoError(t, err)
		got, _ := m.Get("PID-5")
		require.Equal(t, "Ωmega", got)
		require.Equal(t, in, m.Bytes())
		h, err := ReadHeader(in)
		require.NoError(t, err)
		require.Equal(t, "A", h.SendingApplication.NamespaceID)
	})
	t.Run("unknown charset lenient", func(t *testing.T) {
		m, err := ParseOptions{Lenient: true}.Parse([]byte("MSH|^~\\&|A|||||||1|P|2.5||||||KLINGON\r"))
		require.NoError(t, err)
		require.Equal(t, "", m.Charset())
	})
}

func TestReadHeader(t *testing.T) {
	cbc := parseFile(t, "oru_r01_251_cbc.hl7")
	h, err := ReadHeader(cbc.Bytes())
	require.NoError(t, err)
	require.Equal(t, Header{
		Delimiters:           DefaultDelimiters,
		SendingApplication:   HD{"IDEXX", "2.16.840.1.113883.3.5.1", "ISO"},
		SendingFacility:      HD{"VETLAB", "LAB01", "L"},
		ReceivingApplication: HD{NamespaceID: "VETLINK"},
		ReceivingFacility:    HD{NamespaceID: "RIVERSIDE VET"},
		DateTime:             "20261121093000-0500",
		MessageType:          "ORU",
		TriggerEvent:         "R01",
		MessageStructure:     "ORU_R01",
		ControlID:            "LAB20261121-0042",
		ProcessingID:         "P",
		Version:              "2.5.1",
		AcceptAckType:        "AL",
		ApplicationAckType:   "NE",
		CharacterSet:         "UNICODE UTF-8",
	}, h)
	require.Equal(t, h, cbc.Header())

	alt, err := ReadHeader([]byte("MSH#$*@%!#S@T@1#F###20260101##ADT$A08#ID@F@1#P#2.7\nPID#1"))
	require.NoError(t, err)
	require.Equal(t, "S%1", alt.SendingApplication.NamespaceID)
	require.Equal(t, "ID#1", alt.ControlID)
	require.Equal(t, "2.7", alt.Version)

	_, err = ReadHeader([]byte("PID|1"))
	require.ErrorIs(t, err, ErrNoHeader)
	_, err = ReadHeader([]byte("MSH|^^"))
	require.ErrorIs(t, err, ErrDelimiters)
}

// TestScanLongRuns covers the hand-over from the word-at-a-time scan to
// bytes.IndexByte on long runs without delimiters, at every alignment.
func TestScanLongRuns(t *testing.T) {
	for pad := 0; pad < 9; pad++ {
		for _, term := range []string{"\r", "\n", "\r\n"} {
			long := strings.Repeat("A", 300+pad)
			in := "MSH|^~\\&|X" + term + "OBX|1|ED|" + long + "|" + long + term + "NTE|" + long + term + "ZZZ|" + long
			m, err := ParseOptions{Lenient: true}.Parse([]byte(in))
			require.NoError(t, err, "pad %d term %q", pad, term)
			require.Equal(t, 4, m.NumSegments())
			got, _ := m.Get("OBX-4")
			require.Equal(t, long, got)
			got, _ = m.Get("OBX-3")
			require.Equal(t, long, got)
			got, _ = m.Get("NTE-1")
			require.Equal(t, long, got)
			got, _ = m.Get("ZZZ-1")
			require.Equal(t, long, got)
			require.Equal(t, 4, m.Segment(1).NumFields())
		}
	}
}

func TestParseInto(t *testing.T) {
	var m Message
	big := "MSH|^~\\&|A\r" + strings.Repeat("OBX|1|ST|X||v\r", 20)
	for _, in := range []string{"MSH|^~\\&|A\rPID|1||first\r", big, "MSH|^~\\&|B\rPID|1||third\rOBX|1\r"} {
		require.NoError(t, ParseOptions{}.ParseInto(&m, []byte(in)))
		require.Equal(t, in, m.String())
	}
	got, _ := m.Get("PID-3")
	require.Equal(t, "third", got)
	require.Equal(t, 3, m.NumSegments())
	require.Error(t, ParseOptions{}.ParseInto(&m, []byte("PID|1")))
	require.Equal(t, 0, m.NumSegments())
	data := []byte("MSH|^~\\&|B\rPID|1||third\rOBX|1\r")
	allocs := testing.AllocsPerRun(100, func() {
		_ = ParseOptions{}.ParseInto(&m, data)
	})
	require.Zero(t, allocs)
	cbc := parseFile(t, "oru_r01_251_cbc.hl7").Bytes() // 10 segments, MSH-18 valued
	allocs = testing.AllocsPerRun(100, func() {
		_ = ParseOptions{}.ParseInto(&m, cbc)
	})
	require.Zero(t, allocs)
	require.Equal(t, "UNICODE UTF-8", m.Charset())
}

// TestConcurrentReads reads one message from many goroutines while the
// field index is built lazily, some starting with the header (which
// indexes the header alone) and some with another segment (which indexes
// them all); run with -race.
func TestConcurrentReads(t *testing.T) {
	m := parseFile(t, "oru_r01_251_cbc.hl7")
	done := make(chan string, 8)
	for i := range 8 {
		go func() {
			var a, b, c string
			if i%2 == 0 {
				c, _ = m.Get("MSH-10")
				a, _ = m.Get("OBX[3]-5")
				b, _ = m.Get("PID-3[2].1")
			} else {
				a, _ = m.Get("OBX[3]-5")
				b, _ = m.Get("PID-3[2].1")
				c, _ = m.Get("MSH-10")
			}
			done <- a + " " + b + " " + c
		}()
	}
	for range 8 {
		require.Equal(t, "21 840003123456789 LAB20261121-0042", <-done)
	}
}

// TestLenientLinearInLF parses and streams 100,000 LF-terminated
// segments. A scan that searched the rest of the input for CR at every
// line would take minutes here; a linear one takes milliseconds.
func TestLenientLinearInLF(t *testing.T) {
	in := "MSH|^~\\&|A\n" + strings.Repeat("OBX|1|ST|X||value\n", 100000)
	m, err := ParseOptions{Lenient: true}.Parse([]byte(in))
	require.NoError(t, err)
	require.Equal(t, 100001, m.NumSegments())
	require.Equal(t, 100001, m.LineEndings().LF)

	r := NewReader(strings.NewReader(in), ReaderOptions{Parse: ParseOptions{Lenient: true}})
	msg, err := r.Next()
	require.NoError(t, err)
	require.Equal(t, 100001, msg.NumSegments())
}

func TestUnicodeDetection(t *testing.T) {
	const text = "MSH|^~\\&|A\rPID|1||1||Ωmega\r"
	tests := []struct {
		name string
		enc  func(string) ([]byte, error)
		cs   string
	}{
		{"UTF-16BE with BOM", func(s string) ([]byte, error) {
			return unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(s))
		}, "UNICODE UTF-16"},
		{"UTF-16LE without BOM", func(s string) ([]byte, error) {
			return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewEncoder().Bytes([]byte(s))
		}, "UNICODE UTF-16"},
		{"UTF-16BE without BOM", func(s string) ([]byte, error) {
			return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM).NewEncoder().Bytes([]byte(s))
		}, "UNICODE UTF-16"},
		{"UTF-32LE with BOM", func(s string) ([]byte, error) {
			return utf32.UTF32(utf32.LittleEndian, utf32.UseBOM).NewEncoder().Bytes([]byte(s))
		}, "UNICODE UTF-32"},
		{"UTF-32BE without BOM", func(s string) ([]byte, error) {
			return utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM).NewEncoder().Bytes([]byte(s))
		}, "UNICODE UTF-32"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := tt.enc(text)
			require.NoError(t, err)
			m, err := Parse(in)
			require.NoError(t, err)
			require.Equal(t, tt.cs, m.Charset())
			got, _ := m.Get("PID-5")
			require.Equal(t, "Ωmega", got)
			require.Equal(t, in, m.Bytes())
			require.Equal(t, 11, m.Segment(1).Offset(), "offsets are into the UTF-8 text")
		})
	}
}

func TestLookupCharset(t *testing.T) {
	enc, ok := LookupCharset("8859/15")
	require.True(t, ok)
	require.Equal(t, charmap.ISO8859_15, enc)
	enc, ok = LookupCharset(" unicode utf-8 ")
	require.True(t, ok)
	require.Nil(t, enc)
	_, ok = LookupCharset("CNS 11643-1992")
	require.False(t, ok)
}
