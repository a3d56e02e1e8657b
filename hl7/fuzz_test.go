package hl7

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// addCorpusSeeds adds the small corpus messages as fuzz seeds.
func addCorpusSeeds(f *testing.F, add func([]byte)) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.hl7"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		if len(data) < 4096 {
			add(data)
		}
	}
}

// FuzzParse checks that Parse never panics, that an accepted message
// round-trips byte for byte, that every value it indexes lies inside the
// input, and that Set followed by Get returns what was set.
func FuzzParse(f *testing.F) {
	addCorpusSeeds(f, func(b []byte) { f.Add(b, false); f.Add(b, true) })
	f.Add([]byte("MSH|^~\\&|A\r\nPID|1\n\n"), true)
	f.Add([]byte("MSH#$*@%!#A#B\rPID#1#@F@@X0D@@.br@\r"), false)
	f.Add([]byte("\xef\xbb\xbfMSH|^~\\&|A"), false)
	f.Add([]byte("\xff\xfeM\x00S\x00H\x00|\x00^\x00~\x00\\\x00&\x00"), false)
	f.Fuzz(func(t *testing.T, data []byte, lenient bool) {
		in := append([]byte(nil), data...)
		m, err := ParseOptions{Lenient: lenient}.Parse(data)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			return
		}
		if !bytes.Equal(m.Bytes(), in) {
			t.Fatalf("round trip changed the message")
		}
		for _, s := range m.Segments() {
			// The index must agree with a plain split of the segment.
			parts := bytes.Split(s.Raw(), []byte{m.delims.Field})
			first := 1
			if m.segs[s.Index()].header {
				first = 2
			}
			if got := s.NumFields() - first + 2; got != len(parts) {
				t.Fatalf("segment %d: %d fields indexed, split gives %d", s.Index(), got, len(parts))
			}
			for k := 1; k < len(parts); k++ {
				if got := s.Field(k + first - 1).Raw(); !bytes.Equal(got, parts[k]) {
					t.Fatalf("segment %d field %d: index %q, split %q", s.Index(), k+first-1, got, parts[k])
				}
			}
			for n := 1; n <= s.NumFields(); n++ {
				f := s.Field(n)
				checkValue(t, m, f)
				for r := 1; r <= f.Reps(); r++ {
					rep := f.Rep(r)
					checkValue(t, m, rep)
					for c := 1; c <= rep.Components(); c++ {
						comp := rep.Component(c)
						checkValue(t, m, comp)
						for sc := 1; sc <= comp.Subs(); sc++ {
							checkValue(t, m, comp.Sub(sc))
						}
					}
				}
			}
		}
		_ = Validate(m)
		if m.NumSegments() > 0 && m.idIs(0, "MSH") && m.orig == nil {
			if h, err := ReadHeader(m.data); err == nil && m.decoder == nil {
				if id, _ := m.Get("MSH-10"); id != h.ControlID {
					t.Fatalf("ReadHeader control ID %q, Get %q", h.ControlID, id)
				}
			}
			_, _ = NewACK(m, AE, ACKOptions{ControlID: "X", Errors: []AckError{{Location: Location{Segment: "MSH", Field: 1}}}})
		}
		if m.decoder != nil || m.enc != nil {
			return
		}
		path := m.Segment(0).Name() + "-3[2].2"
		const text = "a|b^c~d\\e&f\rg"
		if err := m.Set(path, text); err != nil {
			t.Fatalf("Set(%s): %v", path, err)
		}
		if got, _ := m.Get(path); got != text {
			t.Fatalf("Get after Set = %q, want %q", got, text)
		}
		if _, err := (ParseOptions{Lenient: lenient}).Parse(m.Bytes()); err != nil {
			t.Fatalf("modified message does not parse: %v", err)
		}
	})
}

func checkValue(t *testing.T, m *Message, v Value) {
	t.Helper()
	if !v.Present() {
		return
	}
	if v.Offset() < 0 || v.Offset() > len(m.data) || v.Offset()+len(v.Raw()) > len(m.data) {
		t.Fatalf("value at %d (+%d) outside a %d-byte message", v.Offset(), len(v.Raw()), len(m.data))
	}
	_ = v.String()
}

// FuzzUnescape checks that decoding never panics and that Escape is
// undone by Unescape under three delimiter sets, and that escaped text
// holds no separator or line break.
func FuzzUnescape(f *testing.F) {
	for _, s := range []string{`a\F\b`, `\X0D\\X000d\`, `\.sp 3\\.br\`, `\H\x\N\`, `\C2842\\M2442\`, `\Zx\`, `\`, `\X4\`, `\.sk 99999999999\`} {
		f.Add([]byte(s), []byte("a|b^c&d~e\\f\r\n#$%*@!"))
	}
	f.Fuzz(func(t *testing.T, raw, text []byte) {
		for _, d := range []Delimiters{delimsDefault, delimsHash, delimsBang} {
			_ = Unescape(raw, d)
			esc := Escape(text, d)
			for _, c := range []byte{d.Field, d.Component, d.Repetition, d.Subcomponent, d.Truncation, '\r', '\n'} {
				if c != 0 && bytes.IndexByte(esc, c) >= 0 {
					t.Fatalf("escaped %q holds %q", esc, c)
				}
			}
			if got := Unescape(esc, d); !bytes.Equal(got, text) {
				t.Fatalf("Unescape(Escape(%q)) = %q", text, got)
			}
		}
	})
}

// FuzzReader checks that the stream reader never panics and that each
// message it returns is a copy of bytes from the stream.
func FuzzReader(f *testing.F) {
	addCorpusSeeds(f, func(b []byte) { f.Add(b, false) })
	f.Add([]byte("FHS|^~\\&\rBHS|^~\\&\rMSH|^~\\&|A\rBTS|1\rFTS|1\r"), false)
	f.Add([]byte("MSH|^~\\&|A\r\n\r\nMSH|^~\\&|B\n"), true)
	f.Fuzz(func(t *testing.T, data []byte, lenient bool) {
		r := NewReader(bytes.NewReader(data), ReaderOptions{Parse: ParseOptions{Lenient: lenient}, MaxMessageSize: 1 << 16})
		for range 1000 {
			m, err := r.Next()
			if err != nil {
				if err != io.EOF && !errors.Is(err, ErrBatch) {
					var pe *ParseError
					if !errors.As(err, &pe) {
						t.Fatalf("unexpected error type %T: %v", err, err)
					}
				}
				return
			}
			if m.orig == nil && !strings.Contains(string(data), string(m.Bytes())) {
				t.Fatalf("message %q is not from the stream", m.Bytes())
			}
		}
	})
}

// FuzzReadHeader checks that ReadHeader reads nothing past the end of MSH
// (the same header with or without the rest of the message gives the same
// result) and that each field it returns is what the index gives for the
// same path when the message parses.
func FuzzReadHeader(f *testing.F) {
	addCorpusSeeds(f, func(b []byte) { f.Add(b) })
	f.Add([]byte("\xEF\xBB\xBFMSH|^~\\&|A^1.2^ISO&x|B|C~D|E|20260101||ORU^R\\S\\01^ORU_R01|ID\\F\\1|P|2.5.1|||AL|NE||~UNICODE UTF-8\nPID|1\n"))
	f.Add([]byte("MSH#$*@%#S$U$T#F##R####T$E#C#P#2.7#########\r"))
	f.Fuzz(func(t *testing.T, in []byte) {
		h, err := ReadHeader(in)
		end := len(in)
		if i := bytes.IndexAny(in, "\r\n"); i >= 0 {
			end = i
		}
		h2, err2 := ReadHeader(in[:end])
		if (err == nil) != (err2 == nil) || h != h2 {
			t.Fatalf("ReadHeader depends on bytes after MSH:\n%+v %v\n%+v %v", h, err, h2, err2)
		}
		if err != nil {
			return
		}
		m, err := Parse(in)
		if err != nil || m.decoder != nil || m.orig != nil {
			return
		}
		for path, got := range map[string]string{
			"MSH-3.1": h.SendingApplication.NamespaceID, "MSH-3.2": h.SendingApplication.UniversalID, "MSH-3.3": h.SendingApplication.UniversalIDType,
			"MSH-4.1": h.SendingFacility.NamespaceID, "MSH-5.2": h.ReceivingApplication.UniversalID, "MSH-6.3": h.ReceivingFacility.UniversalIDType,
			"MSH-7": h.DateTime, "MSH-9.1": h.MessageType, "MSH-9.2": h.TriggerEvent, "MSH-9.3": h.MessageStructure,
			"MSH-10": h.ControlID, "MSH-11": h.ProcessingID, "MSH-12": h.Version, "MSH-15": h.AcceptAckType, "MSH-16": h.ApplicationAckType,
		} {
			if want, _ := m.Get(path); got != want {
				t.Fatalf("%s: ReadHeader %q, Get %q", path, got, want)
			}
		}
	})
}
