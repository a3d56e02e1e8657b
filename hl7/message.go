package hl7

import (
	"math"
	"strconv"
	"sync"
	"sync/atomic"

	"golang.org/x/text/encoding"
)

// Message is one parsed HL7 v2 message in ER7 (pipe) encoding.
//
// Parsing builds a positional index of byte offsets into the input. The
// parse is one scan: bytes.IndexByte, a vector loop, finds the segments,
// the delimiters are read from the header, and MSH-18 is located because
// the character set decides how every value decodes. The rest of the index
// is deferred, each level to the first read that needs it:
//
//   - Fields: the first read of a field of a segment other than the
//     header indexes the fields of every segment, in one word-at-a-time
//     pass into one flat table (the header's fields alone are indexed by
//     the first read of a header field). Done inside the parse, this pass
//     would make it about three times slower: 7 to 14 times the IndexByte
//     scan of a typical message instead of 2.5 to 3.5 (BenchmarkParseVsFloor
//     reports both), because Go has no portable vector instructions to
//     classify bytes; and routers, ACK-only servers and batch splitters
//     never read a field.
//   - Repetitions, components and subcomponents are located inside a field
//     when it is read, by scanning that field's bytes only.
//   - Escape sequences and character sets are decoded when a value is read.
//
// The message keeps the input as it came, so Bytes returns it byte for
// byte: empty repetitions, trailing empty fields, Z-segments and unknown
// segments, line endings and blank lines all survive a round trip.
//
// A Message refers to the slice passed to Parse and does not copy it; the
// caller must not modify that slice while the message is in use. The
// modifying methods (Set, SetRaw, AppendSegment) build a new buffer and
// never write into the caller's slice. A Message is not safe for
// concurrent modification; concurrent reads are safe.
type Message struct {
	data    []byte // ER7 bytes the index points into (UTF-8 after transcoding)
	orig    []byte // the input, when data is a transcoding of it; nil otherwise
	enc     encoding.Encoding
	bom     []byte // byte order mark to write before re-encoded data
	start   int    // offset of the first segment (after a UTF-8 byte order mark)
	delims  Delimiters
	lenient bool
	segs    []segment
	blank   uint32                     // blank lines a lenient parse skipped
	charset string                     // effective character set (table 0211 name), "" for ASCII/UTF-8
	decoder encoding.Encoding          // decodes value bytes to UTF-8; nil when they already are
	msh18   charsetField               // where MSH-18 lies, found by the parse
	fmu     sync.Mutex                 // held while the field level is built
	ftab    atomic.Pointer[fieldTable] // field level, built on first read
	text    atomic.Pointer[string]     // data as one string, made by the first String that can share it
	segBuf  [10]segment
}

// segment is one entry of the positional index. Offsets are into Message.data.
type segment struct {
	start  int32 // offset of the segment ID
	end    int32 // offset just after the last byte of content (before the terminator)
	term   uint8 // terminator seen after the segment
	header bool  // MSH, FHS or BHS: field 1 is the field separator itself
}

// Segment terminators recorded by the index.
const (
	termNone uint8 = iota // last segment without terminator
	termCR
	termLF
	termCRLF
)

// LineEndings records the segment terminators a parse met. A strict parse
// only ever counts CR; a lenient parse also counts LF, CR LF and blank
// lines, so callers can tell what a sender does while Bytes still
// reproduces the input exactly.
type LineEndings struct {
	CR, LF, CRLF int  // segments terminated by each form
	Blank        int  // empty lines between or after segments
	Unterminated bool // the last segment has no terminator
}

// ParseOptions controls parsing. The zero value is the strict parser that
// Parse uses.
type ParseOptions struct {
	// Lenient accepts LF and CR LF as segment terminators and skips blank
	// lines, recording them in Message.LineEndings. A strict parse accepts
	// only CR (a final CR is optional).
	Lenient bool

	// Charset overrides MSH-18 with a character set name from HL7 table
	// 0211 ("8859/1", "UNICODE UTF-8", "GB 18030-2000", ...). A byte order
	// mark in the input always wins over both.
	Charset string

	// CharsetAliases maps spellings of MSH-18 that are not HL7 table 0211
	// names ("ISO-8859-1", "CP1252", "UTF8") to table 0211 names ("8859/1").
	// Keys match ignoring case and surrounding spaces. A name found in
	// table 0211 never goes through the map. Message.Charset reports the
	// table 0211 name; MSH-18 keeps the text the sender wrote, so Bytes and
	// NewACK echo it. Nil means no aliases: a strict parse rejects such a
	// name with ErrCharset and a lenient one decodes the message as
	// ASCII or UTF-8. DefaultCharsetAliases holds the common spellings.
	CharsetAliases map[string]string
}

// Parse parses one ER7-encoded message in strict mode: segments end with
// CR (the final CR may be missing) and the first segment is MSH (or FHS or
// BHS). It is ParseOptions{}.Parse(data). Parse does not copy data.
func Parse(data []byte) (*Message, error) {
	return ParseOptions{}.Parse(data)
}

// Parse parses one ER7-encoded message with the options o. Errors are
// *ParseError values wrapping one of the package's sentinel errors.
func (o ParseOptions) Parse(data []byte) (*Message, error) {
	m := new(Message)
	if err := o.ParseInto(m, data); err != nil {
		return nil, err
	}
	return m, nil
}

// ParseInto is Parse reusing m's storage, for servers that parse message
// after message on one connection: after the first message it allocates
// nothing for messages of up to 10 segments. Everything m held before is
// discarded, and Segments and Values taken from it must no longer be
// used. On error m is left empty.
func (o ParseOptions) ParseInto(m *Message, data []byte) error {
	m.data, m.orig, m.enc, m.bom, m.start = data, nil, nil, nil, 0
	m.lenient, m.charset, m.decoder = o.Lenient, "", nil
	err := o.parseInto(m, data)
	if err != nil {
		m.data, m.orig, m.segs = nil, nil, nil
		m.resetFields()
	}
	return err
}

func (o ParseOptions) parseInto(m *Message, data []byte) error {
	if len(data) > math.MaxInt32 {
		return &ParseError{Offset: 0, Err: ErrTooLarge, Msg: strconv.Itoa(len(data)) + " bytes"}
	}
	if err := m.decodeInput(o.Charset); err != nil {
		return err
	}
	if err := m.index(); err != nil {
		return err
	}
	return m.selectCharset(o.Charset, o.CharsetAliases)
}

// location names raw field f of a segment that is about to become segment
// number si (0-based) in the index.
func (m *Message) location(si int, seg []byte, field int) Location {
	id := string(seg[:3])
	seq := 1
	for i := 0; i < si && i < len(m.segs); i++ {
		if m.segmentID(i) == id {
			seq++
		}
	}
	return Location{Segment: id, SegmentSeq: seq, Field: field}
}

func isHeaderID(id []byte) bool {
	if len(id) < 3 || id[2] != 'S' && id[2] != 'H' {
		return false
	}
	a, b, c := id[0], id[1], id[2]
	return a == 'M' && b == 'S' && c == 'H' || a == 'F' && b == 'H' && c == 'S' || a == 'B' && b == 'H' && c == 'S'
}

// validSegmentID reports whether seg starts with a segment ID (an upper
// case letter and two upper case letters or digits) followed by the field
// separator or the end of the segment.
func validSegmentID(seg []byte, fs byte) bool {
	if len(seg) < 3 || len(seg) > 3 && seg[3] != fs {
		return false
	}
	if seg[0] < 'A' || seg[0] > 'Z' {
		return false
	}
	for _, c := range seg[1:3] {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// Bytes returns the ER7 encoding of the message. For a parsed message that
// has not been modified it is the parsed input, byte for byte (the same
// slice; do not modify it). A message parsed from another character set is
// returned in that character set.
func (m *Message) Bytes() []byte {
	if m.orig != nil {
		return m.orig
	}
	if m.enc != nil {
		out, err := m.enc.NewEncoder().Bytes(m.data)
		if err == nil {
			return append(append([]byte(nil), m.bom...), out...)
		}
	}
	return m.data
}

// String returns the ER7 text of the message (see Bytes).
func (m *Message) String() string { return string(m.Bytes()) }

// Delimiters returns the delimiters declared in the header.
func (m *Message) Delimiters() Delimiters { return m.delims }

// LineEndings reports the segment terminators the parse met. They are
// counted from the index, which records each segment's terminator; only
// blank lines are counted by the parse.
func (m *Message) LineEndings() LineEndings {
	e := LineEndings{Blank: int(m.blank)}
	for i := range m.segs {
		switch m.segs[i].term {
		case termCR:
			e.CR++
		case termLF:
			e.LF++
		case termCRLF:
			e.CRLF++
		default:
			e.Unterminated = true
		}
	}
	return e
}

// Charset returns the character set (HL7 table 0211 name) values are
// decoded from; "" means ASCII or UTF-8.
func (m *Message) Charset() string { return m.charset }

// NumSegments returns the number of segments in the message.
func (m *Message) NumSegments() int { return len(m.segs) }

// Segment returns the i-th segment (0-based, in message order).
func (m *Message) Segment(i int) Segment { return Segment{m: m, i: i} }

// Segments returns all segments in message order, unknown and Z-segments
// included.
func (m *Message) Segments() []Segment {
	out := make([]Segment, len(m.segs))
	for i := range out {
		out[i] = Segment{m: m, i: i}
	}
	return out
}

func (m *Message) segmentID(i int) string {
	s := &m.segs[i]
	return string(m.data[s.start : s.start+3])
}

func (m *Message) idIs(i int, id string) bool {
	p := m.data[m.segs[i].start:]
	return len(id) == 3 && p[0] == id[0] && p[1] == id[1] && p[2] == id[2]
}

// rawField returns the span of raw field i (0 is the segment ID) of
// segment si, or ok=false when the segment has fewer fields.
func (m *Message) rawField(si, i int) (lo, hi int, ok bool) {
	if si == 0 && i == 17 && m.msh18.declared {
		// MSH-18, located by the parse: reading the character set does
		// not index the header.
		return int(m.msh18.lo), int(m.msh18.hi), true
	}
	offs := m.fieldOffsets(si)
	if i < 0 || i >= len(offs) {
		return 0, 0, false
	}
	lo = int(offs[i])
	if i+1 < len(offs) {
		hi = int(offs[i+1]) - 1
	} else {
		hi = int(m.segs[si].end)
	}
	return lo, hi, true
}
