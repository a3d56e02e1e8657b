package hl7

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"strconv"
	"sync/atomic"
)

// index scans m.data once and builds the segment level of the index:
// where each segment starts and ends and how it is terminated. Segment
// ends are found with bytes.IndexByte, whose vector loop touches each byte
// once. When the header reaches MSH-18 (the character set, which the parse
// must read), MSH-18 is located too. Fields are indexed on first use (see
// fieldOffsets).
func (m *Message) index() error {
	data := m.data
	if cap(m.segs) > len(m.segBuf) {
		m.segs = m.segs[:0] // storage a previous ParseInto grew
	} else {
		m.segs = m.segBuf[:0]
	}
	pos := m.start
	n := len(data)
	if n-pos < 3 || !isHeaderID(data[pos:]) {
		return &ParseError{Offset: pos, Err: ErrNoHeader}
	}
	d, err := parseDelimiters(data[pos:])
	if err != nil {
		return &ParseError{Offset: pos + 3, Location: Location{Segment: string(data[pos : pos+3]), Field: 2}, Err: ErrDelimiters, Msg: err.Error()}
	}
	m.delims = d
	m.blank = 0
	// nextCR is the offset of the next CR at or after pos (n: none left).
	// It is kept between segments so that a lenient scan of a file that
	// has only LF does not search to the end for a CR at every line.
	nextCR := -1
	for pos < n {
		var end, next int
		term := termNone
		if nextCR < pos {
			if i := bytes.IndexByte(data[pos:], '\r'); i >= 0 {
				nextCR = pos + i
			} else {
				nextCR = n
			}
		}
		cr := -1
		if nextCR < n {
			cr = nextCR - pos
		}
		if m.lenient {
			switch lf := bytes.IndexByte(data[pos:nextCR], '\n'); {
			case lf >= 0:
				end, next, term = pos+lf, pos+lf+1, termLF
			case cr >= 0:
				end, next, term = pos+cr, pos+cr+1, termCR
				if next < n && data[next] == '\n' {
					next, term = next+1, termCRLF
				}
			default:
				end, next = n, n
			}
			if end == pos {
				m.blank++
				pos = next
				continue
			}
		} else {
			if cr < 0 {
				end, next = n, n
			} else {
				end, next, term = pos+cr, pos+cr+1, termCR
			}
			if end == pos {
				return &ParseError{Offset: pos, Err: ErrLineEnding, Msg: "blank segment; use ParseOptions{Lenient: true}"}
			}
		}
		if err := m.addSegment(pos, end, term); err != nil {
			return err
		}
		pos = next
	}
	m.resetFields()
	// The parse must read MSH-18, the character set. Rather than index the
	// header's fields for it, count its separators (one vector pass) and,
	// when there are at least 17, step back over the ones after MSH-18.
	// The header's fields are indexed only when MSH-18 has a value, by
	// the read that declaredCharset makes.
	s := &m.segs[0]
	hdr := data[s.start:s.end]
	if k := bytes.Count(hdr, []byte{d.Field}); k >= 17 {
		end := len(hdr)
		for j := k; j >= 18; j-- {
			end = bytes.LastIndexByte(hdr[:end], d.Field)
		}
		if lo := bytes.LastIndexByte(hdr[:end], d.Field) + 1; end > lo {
			base := int32(s.start)
			m.msh18 = charsetField{declared: true, lo: base + int32(lo), hi: base + int32(end)}
		}
	}
	return nil
}

// addSegment checks the segment data[start:end] and appends it to the index.
func (m *Message) addSegment(start, end int, term uint8) error {
	seg := m.data[start:end]
	fs := m.delims.Field
	if !validSegmentID(seg, fs) {
		pe := &ParseError{Offset: start, Err: ErrSegmentID, Msg: strconv.Quote(string(seg[:min(len(seg), 4)]))}
		if seg[0] == '\n' {
			pe.Err, pe.Msg = ErrLineEnding, "CR LF terminators; use ParseOptions{Lenient: true}"
		}
		return pe
	}
	hdr := isHeaderID(seg)
	if len(m.segs) == 0 {
		// A strict parse of LF-terminated text would otherwise see one
		// long MSH; line feeds never belong in a header.
		if lf := bytes.IndexByte(seg, '\n'); lf >= 0 && !m.lenient {
			return &ParseError{Offset: start + lf, Location: Location{Segment: string(seg[:3]), SegmentSeq: 1}, Err: ErrLineEnding, Msg: "line feed in header; use ParseOptions{Lenient: true}"}
		}
	} else if hdr {
		if m.idIs(0, "MSH") {
			return &ParseError{Offset: start, Location: Location{Segment: string(seg[:3]), SegmentSeq: m.headerSeq(seg)}, Err: ErrMultipleMessages,
				Msg: string(seg[:3]) + " starts another message; split the input with Reader"}
		}
		if hd, err := parseDelimiters(seg); err != nil || hd != m.delims {
			return &ParseError{Offset: start + 3, Location: m.location(len(m.segs), seg, 2), Err: ErrDelimiters, Msg: "differs from the first header"}
		}
	}
	m.segs = append(m.segs, segment{start: int32(start), end: int32(end), term: term, header: hdr})
	return nil
}

// headerSeq returns the sequence number seg, a header segment about to be
// added, will have among the segments with its ID.
func (m *Message) headerSeq(seg []byte) int {
	n := 1
	for i := range m.segs {
		if m.segs[i].header && m.idIs(i, string(seg[:3])) {
			n++
		}
	}
	return n
}

// fieldTable is the field level of the index: for every segment, the
// offset of its ID and of each of its raw fields (the first byte after
// each field separator), segment after segment in one flat slice. It is
// built in one pass over all segments the first time a field of a segment
// other than the header is read; the header's fields alone are indexed
// when one of them is read first. Its storage is reused by ParseInto.
type fieldTable struct {
	hdrReady atomic.Bool // hdr is complete and immutable
	allReady atomic.Bool // offs and first are complete and immutable
	hdr      []int32     // the first segment's field starts
	offs     []int32     // raw field starts; offs[first[si]] is segment si's start
	first    []int32     // first[si]..first[si+1] delimit segment si in offs
}

// charsetField records what the parse found out about MSH-18 (the
// character set): whether it has a value, and where it lies, so that
// reading it does not need the header's field index.
type charsetField struct {
	declared bool
	lo, hi   int32 // MSH-18 when declared
}

// resetFields forgets the field level of a previous index, keeping its
// storage. It must not run while the message is being read.
func (m *Message) resetFields() {
	m.msh18 = charsetField{}
	m.text.Store(nil)
	if t := m.ftab.Load(); t != nil {
		if t.hdrReady.Load() {
			t.hdrReady.Store(false)
		}
		if t.allReady.Load() {
			t.allReady.Store(false)
		}
	}
}

// fieldOffsets returns the field offsets of segment si: element 0 is the
// segment's start, element i the start of raw field i. Once the field
// level is built, a call costs three loads; the first call builds it (see
// fieldTable), and concurrent readers wait for that build.
func (m *Message) fieldOffsets(si int) []int32 {
	if t := m.ftab.Load(); t != nil {
		if t.allReady.Load() {
			return t.offs[t.first[si]:t.first[si+1]:t.first[si+1]]
		}
		if si == 0 && t.hdrReady.Load() {
			return t.hdr
		}
	}
	return m.indexFields(si)
}

// indexFields builds the header's field index (si == 0) or the field
// index of every segment, and returns the offsets of segment si.
func (m *Message) indexFields(si int) []int32 {
	m.fmu.Lock()
	defer m.fmu.Unlock()
	t := m.ftab.Load()
	if t == nil {
		t = new(fieldTable)
		m.ftab.Store(t)
	}
	fs := m.delims.Field
	if si == 0 && !t.allReady.Load() {
		if !t.hdrReady.Load() {
			s := &m.segs[0]
			t.hdr = append(t.hdr[:0], s.start)
			t.hdr = appendFieldStarts(t.hdr, m.data[s.start:s.end], fs, int(s.start))
			t.hdrReady.Store(true)
		}
		return t.hdr
	}
	if !t.allReady.Load() {
		offs, first := t.offs[:0], t.first[:0]
		if cap(first) < len(m.segs)+1 {
			first = make([]int32, 0, len(m.segs)+1)
		}
		if cap(offs) < len(m.segs)*12 {
			offs = make([]int32, 0, len(m.segs)*12)
		}
		for i := range m.segs {
			s := &m.segs[i]
			first = append(first, int32(len(offs)))
			offs = append(offs, s.start)
			offs = appendFieldStarts(offs, m.data[s.start:s.end], fs, int(s.start))
		}
		first = append(first, int32(len(offs)))
		t.offs, t.first = offs, first
		t.allReady.Store(true)
	}
	return t.offs[t.first[si]:t.first[si+1]:t.first[si+1]]
}

const (
	swarLow7 = 0x7f7f7f7f7f7f7f7f
	swarOnes = 0x0101010101010101
)

// appendFieldStarts appends to dst the offset (base + position + 1) just
// after every field separator fs in seg.
//
// The segment is read eight bytes at a time: each 64-bit word is compared
// with fs in every byte lane at once, and the lanes that match are read
// off with TrailingZeros64. Up to four matches are written without a
// branch per match (a word holds 1 to 2 separators in typical HL7), which
// keeps mispredictions to about one per word with more than four. After
// two words without a separator the scan hands over to bytes.IndexByte,
// whose vector loop wins on long fields such as a base64 document in
// OBX-5, and resumes word by word after the separator it finds.
func appendFieldStarts(dst []int32, seg []byte, fs byte, base int) []int32 {
	pat := uint64(fs) * swarOnes
	n := len(dst)
	i, empty := 0, 0
	for i+8 <= len(seg) {
		x := binary.LittleEndian.Uint64(seg[i:]) ^ pat
		// Exact zero-byte test: bit 7 of a lane is set iff the lane is 0.
		hits := ^(((x & swarLow7) + swarLow7) | x | swarLow7)
		if hits == 0 {
			i += 8
			if empty++; empty < 2 {
				continue
			}
			j := bytes.IndexByte(seg[i:], fs)
			if j < 0 {
				return dst[:n]
			}
			i += j + 1
			if n == cap(dst) {
				dst = append(dst[:n], 0)[:n]
			}
			dst = dst[:n+1]
			dst[n] = int32(base + i)
			n++
			empty = 0
			continue
		}
		empty = 0
		if cap(dst)-n < 8 {
			dst = append(dst[:n], make([]int32, 8)...)[:n]
		}
		w := dst[n : n+4 : n+4]
		b := int32(base + i + 1)
		w[0] = b + int32(bits.TrailingZeros64(hits)>>3)
		h := hits & (hits - 1)
		w[1] = b + int32(bits.TrailingZeros64(h)>>3)
		h &= h - 1
		w[2] = b + int32(bits.TrailingZeros64(h)>>3)
		h &= h - 1
		w[3] = b + int32(bits.TrailingZeros64(h)>>3)
		h &= h - 1
		c := bits.OnesCount64(hits)
		if c > 4 {
			w := dst[n+4 : n+8 : n+8]
			for k := 0; h != 0; k++ {
				w[k] = b + int32(bits.TrailingZeros64(h)>>3)
				h &= h - 1
			}
		}
		n += c
		i += 8
	}
	dst = dst[:n]
	for ; i < len(seg); i++ {
		if seg[i] == fs {
			dst = append(dst, int32(base+i+1))
		}
	}
	return dst
}
