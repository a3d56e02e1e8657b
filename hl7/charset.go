package hl7

import (
	"bytes"
	"strconv"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
)

// charsetInfo says how a character set of HL7 table 0211 is read.
type charsetInfo struct {
	name string            // the table 0211 value
	enc  encoding.Encoding // nil: bytes are already ASCII or UTF-8
	// transcode is set for sets whose multi-byte characters may contain
	// bytes equal to a delimiter (BIG-5, GB 18030, ISO 2022 JIS): such a
	// message is converted to UTF-8 as a whole before it is indexed.
	// Other sets are indexed as they are and decoded value by value.
	transcode bool
}

// charsets maps the names of HL7 table 0211 (upper case) to decoders.
// CNS 11643-1992 has no decoder in golang.org/x/text and is rejected.
var charsets = map[string]charsetInfo{
	"ASCII":         {},
	"ISO IR6":       {},
	"UNICODE":       {},
	"UNICODE UTF-8": {},
	"UTF-8":         {},
	"8859/1":        {enc: charmap.ISO8859_1},
	"ISO IR100":     {enc: charmap.ISO8859_1},
	"8859/2":        {enc: charmap.ISO8859_2},
	"8859/3":        {enc: charmap.ISO8859_3},
	"8859/4":        {enc: charmap.ISO8859_4},
	"8859/5":        {enc: charmap.ISO8859_5},
	"8859/6":        {enc: charmap.ISO8859_6},
	"8859/7":        {enc: charmap.ISO8859_7},
	"8859/8":        {enc: charmap.ISO8859_8},
	"8859/9":        {enc: charmap.ISO8859_9},
	"8859/15":       {enc: charmap.ISO8859_15},
	"ISO IR14":      {enc: japanese.ShiftJIS}, // JIS X 0201: ASCII plus half-width katakana 0xA1-0xDF
	"ISO IR87":      {enc: japanese.ISO2022JP, transcode: true},
	"ISO IR159":     {enc: japanese.ISO2022JP, transcode: true},
	"KS X 1001":     {enc: korean.EUCKR},
	"GB 18030-2000": {enc: simplifiedchinese.GB18030, transcode: true},
	"BIG-5":         {enc: traditionalchinese.Big5, transcode: true},
	// Not in table 0211, but what Windows senders use and call
	// "ISO-8859-1"; a superset of 8859/1 for everything but C1 controls.
	"WINDOWS-1252":   {enc: charmap.Windows1252},
	"UNICODE UTF-16": {}, // only readable when a BOM or zero bytes betray it; see decodeInput
	"UNICODE UTF-32": {},
}

func init() {
	for k, v := range charsets {
		v.name = k
		charsets[k] = v
	}
}

// LookupCharset reports whether name (an HL7 table 0211 value such as
// "8859/1", case-insensitive) is supported, and returns its encoding; a
// nil encoding means ASCII or UTF-8.
func LookupCharset(name string) (encoding.Encoding, bool) {
	ci, ok := charsets[strings.ToUpper(strings.TrimSpace(name))]
	return ci.enc, ok
}

// defaultCharsetAliases are the spellings senders put in MSH-18 instead
// of the HL7 table 0211 names: IANA and Windows names, and the names
// programming languages use. Keys are upper case.
var defaultCharsetAliases = map[string]string{
	"ISO-8859-1":     "8859/1",
	"ISO_8859-1":     "8859/1",
	"ISO8859-1":      "8859/1",
	"ISO88591":       "8859/1",
	"ISO-IR-100":     "8859/1",
	"LATIN1":         "8859/1",
	"LATIN-1":        "8859/1",
	"L1":             "8859/1",
	"IBM819":         "8859/1",
	"CP819":          "8859/1",
	"ISO-8859-2":     "8859/2",
	"ISO_8859-2":     "8859/2",
	"LATIN2":         "8859/2",
	"ISO-8859-15":    "8859/15",
	"ISO_8859-15":    "8859/15",
	"LATIN9":         "8859/15",
	"WINDOWS-1252":   "WINDOWS-1252",
	"CP1252":         "WINDOWS-1252",
	"CP-1252":        "WINDOWS-1252",
	"WIN1252":        "WINDOWS-1252",
	"ANSI":           "WINDOWS-1252",
	"UTF8":           "UNICODE UTF-8",
	"UTF-8":          "UNICODE UTF-8",
	"UNICODE":        "UNICODE UTF-8",
	"ASCII":          "ASCII",
	"US-ASCII":       "ASCII",
	"USASCII":        "ASCII",
	"ANSI_X3.4-1968": "ASCII",
	"SHIFT_JIS":      "ISO IR14",
	"EUC-KR":         "KS X 1001",
	"GB18030":        "GB 18030-2000",
	"BIG5":           "BIG-5",
}

// DefaultCharsetAliases returns a new copy of the spellings of MSH-18 that
// senders write instead of the HL7 table 0211 names, mapped to the table
// 0211 name (or, for Windows-1252, which table 0211 lacks, to
// "WINDOWS-1252", which LookupCharset knows): "ISO-8859-1", "ISO_8859-1"
// and "LATIN1" to "8859/1", "WINDOWS-1252" and "CP1252" to "WINDOWS-1252",
// "UTF8" and "UTF-8" to "UNICODE UTF-8", "US-ASCII" to "ASCII", and a few
// more. Keys are upper case; lookups ignore case and surrounding spaces.
//
// mllp.Server uses this map unless its CharsetAliases field says
// otherwise; ParseOptions uses none unless CharsetAliases is set. The map
// is the caller's to change.
func DefaultCharsetAliases() map[string]string {
	out := make(map[string]string, len(defaultCharsetAliases))
	for k, v := range defaultCharsetAliases {
		out[k] = v
	}
	return out
}

// lookupAlias resolves name through aliases: an exact key first, then the
// upper-cased, trimmed name, then any key equal to it ignoring case. It
// returns the charsetInfo of the table 0211 name the alias maps to.
func lookupAlias(aliases map[string]string, name string) (charsetInfo, bool) {
	if len(aliases) == 0 {
		return charsetInfo{}, false
	}
	target, ok := aliases[name]
	if !ok {
		norm := strings.ToUpper(strings.TrimSpace(name))
		if target, ok = aliases[norm]; !ok {
			for k, v := range aliases {
				if strings.EqualFold(strings.TrimSpace(k), norm) {
					target, ok = v, true
					break
				}
			}
		}
	}
	if !ok {
		return charsetInfo{}, false
	}
	ci, ok := charsets[strings.ToUpper(strings.TrimSpace(target))]
	return ci, ok
}

// decodeInput detects a byte order mark, or the zero bytes of UTF-16 and
// UTF-32 text without one, and converts such input to UTF-8 before it is
// indexed. A UTF-8 byte order mark is only skipped.
func (m *Message) decodeInput(override string) error {
	data := m.data
	if len(data) > 1 && data[1] != 0 && (data[0] == 'M' || data[0] == 'F' || data[0] == 'B') {
		return nil // the common case: ASCII-compatible, no byte order mark
	}
	var enc encoding.Encoding
	var bom []byte
	var name string
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		m.start = 3
		return nil
	case bytes.HasPrefix(data, []byte{0x00, 0x00, 0xFE, 0xFF}):
		enc, bom, name = utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM), data[:4], "UNICODE UTF-32"
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE, 0x00, 0x00}):
		enc, bom, name = utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM), data[:4], "UNICODE UTF-32"
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		enc, bom, name = unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), data[:2], "UNICODE UTF-16"
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		enc, bom, name = unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), data[:2], "UNICODE UTF-16"
	case bytes.HasPrefix(data, []byte("M\x00\x00\x00S\x00\x00\x00")):
		enc, name = utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM), "UNICODE UTF-32"
	case bytes.HasPrefix(data, []byte("\x00\x00\x00M\x00\x00\x00S")):
		enc, name = utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM), "UNICODE UTF-32"
	case bytes.HasPrefix(data, []byte("M\x00S\x00")):
		enc, name = unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "UNICODE UTF-16"
	case bytes.HasPrefix(data, []byte("\x00M\x00S")):
		enc, name = unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "UNICODE UTF-16"
	default:
		return nil
	}
	out, err := enc.NewDecoder().Bytes(data[len(bom):])
	if err != nil {
		return &ParseError{Offset: 0, Err: ErrCharset, Msg: name + ": " + err.Error()}
	}
	m.orig, m.data, m.enc, m.bom, m.charset = data, out, enc, bom, name
	return nil
}

// selectCharset applies the caller's override or MSH-18. Sets that need
// transcoding convert the message to UTF-8 and index it again.
func (m *Message) selectCharset(override string, aliases map[string]string) error {
	if m.orig != nil { // a byte order mark decided
		return nil
	}
	var ci charsetInfo
	var ok bool
	name := override
	if name == "" {
		raw := m.declaredCharset()
		if len(raw) == 0 {
			return nil
		}
		// Indexing the map with string(raw) does not allocate; the
		// message keeps the name as written only when it is unusual.
		if ci, ok = charsets[string(raw)]; ok {
			name = ci.name
		} else {
			name = string(raw)
		}
	}
	if !ok {
		ci, ok = charsets[strings.ToUpper(strings.TrimSpace(name))]
	}
	if !ok {
		if ci, ok = lookupAlias(aliases, name); ok {
			name = ci.name
		}
	}
	if !ok {
		if m.lenient {
			return nil
		}
		return &ParseError{Offset: m.charsetOffset(), Location: Location{Segment: "MSH", SegmentSeq: 1, Field: 18}, Err: ErrCharset, Msg: strconv.Quote(name)}
	}
	m.charset = name
	if ci.enc == nil {
		return nil
	}
	if !ci.transcode {
		m.decoder = ci.enc
		return nil
	}
	body := m.data[m.start:]
	out, err := ci.enc.NewDecoder().Bytes(body)
	if err != nil {
		return &ParseError{Offset: m.start, Err: ErrCharset, Msg: name + ": " + err.Error()}
	}
	m.orig, m.data, m.enc, m.bom, m.start = m.data, out, ci.enc, append([]byte(nil), m.data[:m.start]...), 0
	return m.index()
}

// declaredCharset returns the first non-empty repetition of MSH-18 (a
// leading empty repetition means "ASCII by default", with the next one
// switched to by escape sequences).
func (m *Message) declaredCharset() []byte {
	// The parse records whether MSH-18 has a value.
	if len(m.segs) == 0 || !m.idIs(0, "MSH") || !m.msh18.declared {
		return nil
	}
	f := Segment{m: m, i: 0}.Field(18)
	for i := 1; i <= f.Reps(); i++ {
		if r := f.Rep(i).Raw(); len(r) > 0 {
			return r
		}
	}
	return nil
}

func (m *Message) charsetOffset() int {
	if seg, ok := m.FindSegment("MSH", 1); ok {
		return seg.Field(18).Offset()
	}
	return 0
}

// decodeText unescapes raw and converts it from the message's character
// set to UTF-8.
func (m *Message) decodeText(raw []byte) string {
	b := Unescape(raw, m.delims)
	if m.decoder != nil {
		if out, err := m.decoder.NewDecoder().Bytes(b); err == nil {
			return string(out)
		}
	}
	return string(b)
}
