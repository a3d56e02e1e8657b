package hl7

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"strconv"
)

// index scans m.data once and builds the segment index: where each
// segment starts and ends and how it is terminated. Segment ends are found
// with bytes.IndexByte, whose vector loop touches each byte once; the
// field offsets of a segment are indexed when one of its fields is first
// read (see fieldOffsets), so parsing costs little more than finding the
// line ends.
func (m *Message) index() error {
	data := m.data
	m.segs = m.segBuf[:0]
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
	m.endings = LineEndings{}
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
				m.endings.Blank++
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
	m.resetFieldCache()
	// When the header reaches field 18 (MSH-18, the character set), the
	// parse reads it, so its fields are indexed now, into storage the
	// Message owns. Counting separators first is a single vector pass.
	s := &m.segs[0]
	if hdr := data[s.start:s.end]; bytes.Count(hdr, []byte{d.Field}) >= 17 {
		m.hdrIndex.offs = append(m.hdrIndex.small[:0], s.start)
		m.hdrIndex.offs = appendFieldStarts(m.hdrIndex.offs, hdr, d.Field, int(s.start))
		m.fcache[0].Store(&m.hdrIndex)
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
		if hd, err := parseDelimiters(seg); err != nil || hd != m.delims {
			return &ParseError{Offset: start + 3, Location: m.location(len(m.segs), seg, 2), Err: ErrDelimiters, Msg: "differs from the first header"}
		}
	}
	m.segs = append(m.segs, segment{start: int32(start), end: int32(end), term: term, header: hdr})
	switch term {
	case termCR:
		m.endings.CR++
	case termLF:
		m.endings.LF++
	case termCRLF:
		m.endings.CRLF++
	default:
		m.endings.Unterminated = true
	}
	return nil
}

// fieldIndex holds the offsets of a segment's raw fields: offs[0] is the
// segment ID, offs[i] the first byte after the i-th field separator.
type fieldIndex struct {
	offs  []int32
	small [24]int32 // backing store for segments of up to 24 fields
}

// resetFieldCache sizes the per-segment field cache for a new index.
func (m *Message) resetFieldCache() {
	n := len(m.segs)
	for i := range m.fcache { // a previous index of this message
		if m.fcache[i].Load() != nil {
			m.fcache[i].Store(nil)
		}
	}
	if n <= len(m.cacheBuf) {
		m.fcache = m.cacheBuf[:n]
		return
	}
	m.fcache = make([]fieldCache, n)
}

// fieldOffsets returns the field offsets of segment si, scanning the
// segment once on first use. Concurrent readers may race to build the
// same index; one of the identical results is kept, so reads stay safe.
func (m *Message) fieldOffsets(si int) []int32 {
	c := &m.fcache[si]
	if fi := c.Load(); fi != nil {
		return fi.offs
	}
	s := &m.segs[si]
	fi := &fieldIndex{}
	fi.offs = append(fi.small[:0], s.start)
	fi.offs = appendFieldStarts(fi.offs, m.data[s.start:s.end], m.delims.Field, int(s.start))
	if c.CompareAndSwap(nil, fi) {
		return fi.offs
	}
	return c.Load().offs
}

const (
	swarLow7 = 0x7f7f7f7f7f7f7f7f
	swarOnes = 0x0101010101010101
	// longSegment is the length from which the field scan hands over to
	// bytes.IndexByte, whose vector loop wins on long fields such as a
	// base64 document in OBX-5.
	longSegment = 256
)

// appendFieldStarts appends to dst the offset (base + position + 1) just
// after every field separator fs in seg.
//
// Short segments are scanned eight bytes at a time: each 64-bit word is
// compared with fs in every byte lane at once, and the lanes that match
// are read off with TrailingZeros64. This costs a few instructions per
// word plus one per separator, where calling bytes.IndexByte once per
// field costs a function call per field.
func appendFieldStarts(dst []int32, seg []byte, fs byte, base int) []int32 {
	if len(seg) >= longSegment {
		for off := 0; ; {
			j := bytes.IndexByte(seg[off:], fs)
			if j < 0 {
				return dst
			}
			off += j + 1
			dst = append(dst, int32(base+off))
		}
	}
	pat := uint64(fs) * swarOnes
	i := 0
	for ; i+8 <= len(seg); i += 8 {
		x := binary.LittleEndian.Uint64(seg[i:]) ^ pat
		// Exact zero-byte test: bit 7 of a lane is set iff the lane is 0.
		hits := ^(((x & swarLow7) + swarLow7) | x | swarLow7)
		for hits != 0 {
			dst = append(dst, int32(base+i+bits.TrailingZeros64(hits)>>3+1))
			hits &= hits - 1
		}
	}
	for ; i < len(seg); i++ {
		if seg[i] == fs {
			dst = append(dst, int32(base+i+1))
		}
	}
	return dst
}
