package hl7

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"strconv"
)

// DefaultMaxMessageSize is the largest message a Reader accepts when
// ReaderOptions.MaxMessageSize is zero.
const DefaultMaxMessageSize = 64 << 20

// ReaderOptions configure a Reader. The zero value reads strictly with a
// 64 MiB limit per message.
type ReaderOptions struct {
	// Parse is used for each message; Parse.Lenient also lets the reader
	// accept LF and CR LF terminators and blank lines.
	Parse ParseOptions
	// MaxMessageSize bounds the bytes buffered for one message (and so the
	// reader's memory); a longer message fails with ErrBatch.
	MaxMessageSize int
	// Without Reuse, each message returned costs two allocations, its
	// own copy of its bytes and its Message, whatever its size.
	//
	// Reuse makes the Reader reuse one buffer and one Message for every
	// message it returns, as bufio.Scanner reuses its token: the Message
	// returned by Next (or yielded by All) is valid only until the next
	// call; to keep one, parse a copy of its Bytes. The Reader's allocations then no
	// longer grow with the input: after the largest message, reading
	// another allocates nothing but what a character set conversion needs.
	Reuse bool
}

// BatchError reports a violation of the batch and file structure
// (HL7 v2 section 2.10.3): a trailer count that does not match, a missing
// trailer, or a segment outside a message.
type BatchError struct {
	Offset int64 // byte offset of the offending segment in the stream
	Msg    string
}

func (e *BatchError) Error() string {
	return "hl7: invalid batch at byte " + strconv.FormatInt(e.Offset, 10) + ": " + e.Msg
}

func (e *BatchError) Unwrap() error { return ErrBatch }

// Reader reads HL7 messages one at a time from a stream: a file (FHS ...
// FTS) of batches (BHS ... BTS) of messages, a single batch, or a bare
// sequence of messages each starting with MSH. Only the current message is
// held in memory. At a BTS or FTS the reader checks the trailer's count
// (BTS-1 messages in the batch, FTS-1 batches in the file) and a stream
// that ends inside an open batch or file is reported.
type Reader struct {
	br         *bufio.Reader
	opts       ReaderOptions
	off        int64  // stream offset of the next byte to read
	line       []byte // current segment with its terminator
	pending    []byte // a header segment read ahead of its message
	pendOff    int64
	fhs        *Message
	bhs        *Message
	inFile     bool
	inBatch    bool
	nextCR     int64 // stream offset of the next CR found ahead, or -1
	noCRBefore int64 // stream offset up to which there is no CR
	nMsgs      int   // messages in the current batch
	nBatch     int   // batches in the current file
	err        error
	buf        []byte  // the message being assembled, kept across messages
	msg        Message // the message returned when Reuse is set
}

// NewReader returns a Reader reading from r.
func NewReader(r io.Reader, opts ReaderOptions) *Reader {
	if opts.MaxMessageSize <= 0 {
		opts.MaxMessageSize = DefaultMaxMessageSize
	}
	return &Reader{br: bufio.NewReaderSize(r, 64<<10), opts: opts, nextCR: -1}
}

// FileHeader returns the FHS of the current file as a one-segment message,
// or nil outside a file.
func (r *Reader) FileHeader() *Message { return r.fhs }

// BatchHeader returns the BHS of the current batch as a one-segment
// message, or nil outside a batch.
func (r *Reader) BatchHeader() *Message { return r.bhs }

// All returns an iterator over the remaining messages; it stops after the
// first error.
func (r *Reader) All() iter.Seq2[*Message, error] {
	return func(yield func(*Message, error) bool) {
		for {
			m, err := r.Next()
			if err == io.EOF {
				return
			}
			if !yield(m, err) || err != nil {
				return
			}
		}
	}
}

// Next returns the next message, or io.EOF after the last one. Each
// message owns its bytes, exactly as they were in the stream.
func (r *Reader) Next() (*Message, error) {
	if r.err != nil {
		return nil, r.err
	}
	m, err := r.next()
	if err != nil {
		r.err = err
	}
	return m, err
}

func (r *Reader) next() (*Message, error) {
	var msg []byte
	var msgOff int64
	for {
		var seg []byte
		var segOff int64
		if r.pending != nil {
			seg, segOff, r.pending = r.pending, r.pendOff, nil
		} else {
			segOff = r.off
			var err error
			seg, err = r.readSegment()
			if err == io.EOF {
				if msg != nil {
					return r.parse(msg, msgOff)
				}
				switch {
				case r.inBatch:
					return nil, &BatchError{Offset: r.off, Msg: "stream ends without BTS"}
				case r.inFile:
					return nil, &BatchError{Offset: r.off, Msg: "stream ends without FTS"}
				}
				return nil, io.EOF
			}
			if err != nil {
				return nil, err
			}
		}
		content := bytes.TrimRight(seg, "\r\n")
		if len(content) == 0 {
			if !r.opts.Parse.Lenient {
				return nil, &BatchError{Offset: segOff, Msg: "blank line; use ParseOptions{Lenient: true}"}
			}
			if msg != nil {
				msg = append(msg, seg...)
			}
			continue
		}
		if len(content) < 3 {
			return nil, &BatchError{Offset: segOff, Msg: fmt.Sprintf("segment %q too short", content)}
		}
		id := content[:3] // switch string(id) does not allocate; string(id) would
		switch string(id) {
		case "MSH", "BHS", "BTS", "FHS", "FTS":
			if msg != nil {
				r.pending, r.pendOff = seg, segOff
				return r.parse(msg, msgOff)
			}
		}
		switch string(id) {
		case "MSH":
			// The message is assembled in the reader's buffer; without
			// Reuse, parse copies it out at its exact size, so a message
			// costs one copy of its bytes rather than the growth of a
			// slice appended segment by segment.
			msg, msgOff = append(r.buf[:0], seg...), segOff
			continue
		case "FHS":
			if r.inFile || r.inBatch {
				return nil, &BatchError{Offset: segOff, Msg: "FHS inside an open file or batch"}
			}
			h, err := Parse(append([]byte(nil), content...))
			if err != nil {
				return nil, err
			}
			r.fhs, r.inFile, r.nBatch = h, true, 0
			continue
		case "BHS":
			if r.inBatch {
				return nil, &BatchError{Offset: segOff, Msg: "BHS inside an open batch"}
			}
			h, err := Parse(append([]byte(nil), content...))
			if err != nil {
				return nil, err
			}
			r.bhs, r.inBatch, r.nMsgs = h, true, 0
			continue
		case "BTS":
			if !r.inBatch {
				return nil, &BatchError{Offset: segOff, Msg: "BTS without BHS"}
			}
			if err := checkCount(content, r.nMsgs, "BTS-1 batch message count", segOff); err != nil {
				return nil, err
			}
			r.inBatch, r.bhs = false, nil
			r.nBatch++
			continue
		case "FTS":
			if !r.inFile || r.inBatch {
				return nil, &BatchError{Offset: segOff, Msg: "FTS without FHS or inside a batch"}
			}
			if err := checkCount(content, r.nBatch, "FTS-1 file batch count", segOff); err != nil {
				return nil, err
			}
			r.inFile, r.fhs = false, nil
			continue
		}
		if msg == nil {
			return nil, &BatchError{Offset: segOff, Msg: fmt.Sprintf("segment %s outside a message", string(id))}
		}
		if len(msg)+len(seg) > r.opts.MaxMessageSize {
			return nil, &BatchError{Offset: segOff, Msg: "message larger than MaxMessageSize"}
		}
		msg = append(msg, seg...)
	}
}

func (r *Reader) parse(msg []byte, off int64) (*Message, error) {
	opts := r.opts.Parse
	var m *Message
	var err error
	r.buf = msg[:0]
	if r.opts.Reuse {
		m, err = &r.msg, opts.ParseInto(&r.msg, msg)
	} else {
		m, err = opts.Parse(bytes.Clone(msg))
	}
	if err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			pe.Offset += int(off)
		}
		return nil, err
	}
	if r.inBatch {
		r.nMsgs++
	} else if r.inFile {
		return nil, &BatchError{Offset: off, Msg: "message in a file outside a batch"}
	}
	return m, nil
}

// checkCount compares the count in field 1 of a trailer with what was
// read. An empty count is allowed: BTS-1 and FTS-1 are optional.
func checkCount(trailer []byte, got int, what string, off int64) error {
	f := trailer[3:]
	if len(f) == 0 {
		return nil
	}
	f = f[1:]
	if i := bytes.IndexByte(f, trailer[3]); i >= 0 {
		f = f[:i]
	}
	if len(f) == 0 {
		return nil
	}
	want, err := strconv.Atoi(string(f))
	if err != nil {
		return &BatchError{Offset: off, Msg: fmt.Sprintf("%s %q is not a number", what, f)}
	}
	if want != got {
		return &BatchError{Offset: off, Msg: fmt.Sprintf("%s is %d but %d were read", what, want, got)}
	}
	return nil
}

// readSegment reads one segment and its terminator (CR; with Lenient also
// LF and CR LF) into r.line. A segment may not exceed MaxMessageSize.
func (r *Reader) readSegment() ([]byte, error) {
	r.line = r.line[:0]
	lenient := r.opts.Parse.Lenient
	for {
		buf, err := r.br.Peek(1)
		if len(buf) == 0 {
			if err == io.EOF && len(r.line) > 0 {
				return r.line, nil
			}
			return nil, err
		}
		buf, _ = r.br.Peek(r.br.Buffered())
		// Find the next CR at most once per buffered byte: remember where
		// it is, or how far the buffer is known to have none, so a stream
		// of LF lines is not searched to the buffer's end at every line.
		base := r.off
		if r.nextCR < base {
			from := max(r.noCRBefore, base)
			if j := bytes.IndexByte(buf[from-base:], '\r'); j >= 0 {
				r.nextCR = from + int64(j)
			} else {
				r.nextCR, r.noCRBefore = -1, base+int64(len(buf))
			}
		}
		i := -1
		if r.nextCR >= base {
			i = int(r.nextCR - base)
		}
		if lenient {
			lim := buf
			if i >= 0 {
				lim = buf[:i]
			}
			if j := bytes.IndexByte(lim, '\n'); j >= 0 {
				i = j
			}
		}
		if i < 0 {
			if len(r.line)+len(buf) > r.opts.MaxMessageSize {
				return nil, &BatchError{Offset: r.off, Msg: "segment larger than MaxMessageSize"}
			}
			r.line = append(r.line, buf...)
			r.discard(len(buf))
			continue
		}
		r.line = append(r.line, buf[:i+1]...)
		r.discard(i + 1)
		if lenient && buf[i] == '\r' {
			if next, _ := r.br.Peek(1); len(next) == 1 && next[0] == '\n' {
				r.line = append(r.line, '\n')
				r.discard(1)
			}
		}
		return r.line, nil
	}
}

func (r *Reader) discard(n int) {
	_, _ = r.br.Discard(n)
	r.off += int64(n)
}

// Writer writes messages to a stream, optionally wrapped in a file
// (FHS/FTS) and batches (BHS/BTS). It counts what it writes and refuses a
// trailer whose count disagrees, so a receiver never sees a wrong BTS-1 or
// FTS-1.
type Writer struct {
	w       io.Writer
	inFile  bool
	inBatch bool
	nMsgs   int
	nBatch  int
	err     error
}

// NewWriter returns a Writer writing to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// StartFile writes a file header; fhs must be a message whose only
// segment is FHS (build it with Builder).
func (w *Writer) StartFile(fhs *Message) error {
	if w.inFile || w.inBatch {
		return w.fail(&BatchError{Msg: "StartFile inside an open file or batch"})
	}
	if err := w.header(fhs, "FHS"); err != nil {
		return err
	}
	w.inFile, w.nBatch = true, 0
	return nil
}

// StartBatch writes a batch header; bhs must hold only a BHS segment.
func (w *Writer) StartBatch(bhs *Message) error {
	if w.inBatch {
		return w.fail(&BatchError{Msg: "StartBatch inside an open batch"})
	}
	if err := w.header(bhs, "BHS"); err != nil {
		return err
	}
	w.inBatch, w.nMsgs = true, 0
	return nil
}

// Write writes one message. Inside a file, it must also be inside a batch.
func (w *Writer) Write(m *Message) error {
	if w.err != nil {
		return w.err
	}
	if w.inFile && !w.inBatch {
		return w.fail(&BatchError{Msg: "message in a file outside a batch"})
	}
	if m.NumSegments() == 0 || !m.idIs(0, "MSH") {
		return w.fail(&BatchError{Msg: "message does not start with MSH"})
	}
	if err := w.write(m.Bytes(), m.segs[len(m.segs)-1].term == termNone); err != nil {
		return err
	}
	if w.inBatch {
		w.nMsgs++
	}
	return nil
}

// EndBatch writes the batch trailer. With bts nil it writes "BTS|n" with
// the number of messages written; a given BTS segment (raw ER7, without
// terminator) must carry that count in BTS-1 or leave it empty.
func (w *Writer) EndBatch(bts []byte) error {
	if !w.inBatch {
		return w.fail(&BatchError{Msg: "EndBatch without StartBatch"})
	}
	if err := w.trailer(bts, "BTS", w.nMsgs); err != nil {
		return err
	}
	w.inBatch = false
	w.nBatch++
	return nil
}

// EndFile writes the file trailer, "FTS|n" with the number of batches
// when fts is nil; a given FTS segment must carry that count in FTS-1.
func (w *Writer) EndFile(fts []byte) error {
	if !w.inFile || w.inBatch {
		return w.fail(&BatchError{Msg: "EndFile without StartFile or inside a batch"})
	}
	if err := w.trailer(fts, "FTS", w.nBatch); err != nil {
		return err
	}
	w.inFile = false
	return nil
}

// Close reports an error if a batch or file is still open. It does not
// close the underlying writer.
func (w *Writer) Close() error {
	if w.err != nil {
		return w.err
	}
	if w.inBatch || w.inFile {
		return w.fail(&BatchError{Msg: "Close with an open batch or file"})
	}
	return nil
}

func (w *Writer) header(h *Message, id string) error {
	if w.err != nil {
		return w.err
	}
	if h == nil || h.NumSegments() != 1 || !h.idIs(0, id) {
		return w.fail(&BatchError{Msg: "header must be a single " + id + " segment"})
	}
	return w.write(h.Segment(0).Raw(), true)
}

func (w *Writer) trailer(raw []byte, id string, count int) error {
	if w.err != nil {
		return w.err
	}
	if raw == nil {
		return w.write([]byte(id+"|"+strconv.Itoa(count)), true)
	}
	raw = bytes.TrimRight(raw, "\r\n")
	if len(raw) < 3 || string(raw[:3]) != id || bytes.ContainsAny(raw, "\r\n") {
		return w.fail(&BatchError{Msg: "trailer must be a " + id + " segment"})
	}
	if err := checkCount(raw, count, id+"-1", 0); err != nil {
		return w.fail(err)
	}
	return w.write(raw, true)
}

func (w *Writer) write(b []byte, addCR bool) error {
	if _, err := w.w.Write(b); err != nil {
		return w.fail(err)
	}
	if addCR {
		if _, err := w.w.Write([]byte{'\r'}); err != nil {
			return w.fail(err)
		}
	}
	return nil
}

func (w *Writer) fail(err error) error {
	if w.err == nil {
		w.err = err
	}
	return err
}
