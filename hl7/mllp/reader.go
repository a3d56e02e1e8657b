package mllp

import (
	"bufio"
	"bytes"
	"io"
)

// maxHead is how much of an oversized frame a FrameError keeps, enough for
// the MSH segment that a rejection is addressed from.
const maxHead = 4 << 10

// readBufferSize is the size of a Reader's read buffer. It bounds the bytes
// read ahead of the frame being returned; larger frames are read in pieces.
const readBufferSize = 16 << 10

// Reader reads MLLP frames from a byte stream, one at a time.
//
// A Reader is tolerant of what real senders put around frames, and strict
// about memory:
//
//   - Bytes before a start block (a CR or LF after the previous frame,
//     keep-alive bytes, the rest of a rejected oversized frame) are discarded
//     and counted in Discarded. More than the maximum frame size of such bytes
//     in a row is an error wrapping ErrNoStartBlock.
//   - A start block inside a frame means the sender abandoned the frame and
//     started again: the abandoned part is discarded and the new frame read.
//   - An end block not followed by a carriage return is part of the payload,
//     except that an end block followed by a start block or by the end of the
//     stream ends the frame (senders that omit the CR).
//   - A payload longer than the maximum frame size is a *FrameError
//     wrapping ErrFrameTooLarge, returned as soon as bytes past the limit
//     arrive: the Reader never holds more than the limit plus its 16 KiB
//     read buffer, however long the stream. The error's Head keeps the
//     first bytes of the frame, so that the receiver can address a
//     rejection. The next call treats the rest of that frame as bytes
//     outside frames.
//   - The end of the stream between frames is io.EOF; inside a frame it is an
//     error wrapping ErrIncompleteFrame.
//   - Any other error from the underlying reader (a read deadline, say) is
//     returned as is, and the part of the frame read so far is kept: a later
//     call carries on with the same frame.
//
// A Reader is not safe for concurrent use.
type Reader struct {
	br        *bufio.Reader
	max       int
	offset    int64 // stream position of the next byte br returns
	state     readState
	start     int64  // stream position of the current frame's start block
	frame     []byte // payload read so far
	junk      int    // bytes discarded since the last start block
	junkStart int64  // stream position of the first of those bytes
	discarded int64
}

type readState uint8

const (
	seekingStart readState = iota // between frames
	inPayload                     // after a start block
	afterEnd                      // after an end block, before the byte that follows it
)

// NewReader returns a Reader that reads frames from r, with payloads of at
// most maxFrameSize bytes; zero or less means DefaultMaxFrameSize.
func NewReader(r io.Reader, maxFrameSize int) *Reader {
	if maxFrameSize <= 0 {
		maxFrameSize = DefaultMaxFrameSize
	}
	return &Reader{br: bufio.NewReaderSize(r, readBufferSize), max: maxFrameSize}
}

// MaxFrameSize returns the payload limit of the Reader.
func (r *Reader) MaxFrameSize() int { return r.max }

// Discarded returns how many bytes outside frames the Reader has skipped so
// far, block characters of abandoned frames included.
func (r *Reader) Discarded() int64 { return r.discarded }

// ReadFrame returns the payload of the next frame, without its block
// characters. The slice is newly allocated and belongs to the caller (a parsed
// HL7 message may keep pointing into it). An empty frame returns an empty,
// non-nil slice.
func (r *Reader) ReadFrame() ([]byte, error) {
	for {
		switch r.state {
		case seekingStart:
			if err := r.seekStart(); err != nil {
				return nil, err
			}
		case inPayload:
			if err := r.readPayload(); err != nil {
				return nil, err
			}
		case afterEnd:
			done, err := r.readAfterEnd()
			if err != nil {
				return nil, err
			}
			if done {
				frame := r.frame
				if frame == nil {
					frame = []byte{}
				}
				r.frame = nil
				r.state = seekingStart
				return frame, nil
			}
		}
	}
}

// seekStart discards bytes up to and including the next start block.
func (r *Reader) seekStart() error {
	for {
		chunk, found, err := r.next(StartBlock)
		if err != nil {
			return err // io.EOF between frames is a clean end
		}
		junk := len(chunk)
		if found {
			junk-- // the start block itself
		}
		if junk > 0 {
			if r.junk == 0 {
				r.junkStart = r.offset - int64(len(chunk))
			}
			r.junk += junk
			r.discarded += int64(junk)
		}
		if found {
			r.junk = 0
			r.start = r.offset - 1
			r.state = inPayload
			return nil
		}
		if r.junk > r.max {
			ferr := &FrameError{Offset: r.junkStart, Limit: r.max, Err: ErrNoStartBlock}
			r.junk = 0
			return ferr
		}
	}
}

// readPayload appends payload bytes to r.frame up to the next end block.
func (r *Reader) readPayload() error {
	for {
		chunk, found, err := r.next(EndBlock)
		if err == io.EOF {
			return r.incomplete()
		}
		if err != nil {
			return err
		}
		data := chunk
		if found {
			data = chunk[:len(chunk)-1]
		}
		if i := bytes.LastIndexByte(data, StartBlock); i >= 0 {
			// The sender abandoned the frame and began a new one.
			newStart := r.offset - int64(len(chunk)) + int64(i)
			r.discarded += newStart - r.start
			r.frame = r.frame[:0]
			r.start = newStart
			data = data[i+1:]
		}
		if err := r.appendPayload(data); err != nil {
			return err
		}
		if found {
			r.state = afterEnd
			return nil
		}
	}
}

// next consumes and returns the buffered bytes up to and including the next
// delim, or all buffered bytes when delim is not among them; found tells
// which. It reads from the stream only when nothing is buffered, so bytes
// are examined as soon as they arrive (bufio.Reader.ReadSlice would wait for
// the delimiter or a full buffer, and so check the size limit late on a slow
// stream). The slice is valid until the next read.
func (r *Reader) next(delim byte) (chunk []byte, found bool, err error) {
	if r.br.Buffered() == 0 {
		if _, err := r.br.Peek(1); err != nil {
			return nil, false, err
		}
	}
	chunk, _ = r.br.Peek(r.br.Buffered())
	if i := bytes.IndexByte(chunk, delim); i >= 0 {
		chunk, found = chunk[:i+1], true
	}
	_, _ = r.br.Discard(len(chunk)) // buffered already: cannot fail
	r.offset += int64(len(chunk))
	return chunk, found, nil
}

// readAfterEnd looks at the byte after an end block and reports whether the
// frame is complete.
func (r *Reader) readAfterEnd() (bool, error) {
	b, err := r.br.ReadByte()
	switch {
	case err == io.EOF:
		return true, nil // the sender closed the stream without the final CR
	case err != nil:
		return false, err
	case b == CarriageReturn:
		r.offset++
		return true, nil
	case b == StartBlock:
		_ = r.br.UnreadByte() // the next frame starts right away: no CR
		return true, nil
	}
	// A lone end block inside the payload.
	_ = r.br.UnreadByte()
	r.state = inPayload
	return false, r.appendPayload([]byte{EndBlock})
}

// appendPayload adds data to the frame, or fails when the frame would pass
// the limit. On failure the frame is dropped and the rest of it will be
// skipped as bytes outside frames.
func (r *Reader) appendPayload(data []byte) error {
	if len(data) > r.max-len(r.frame) {
		head := make([]byte, 0, min(len(r.frame)+len(data), maxHead))
		head = append(head, r.frame[:min(len(r.frame), maxHead)]...)
		head = append(head, data[:min(len(data), maxHead-len(head))]...)
		err := r.dropFrame(ErrFrameTooLarge)
		err.head = head
		return err
	}
	if need := len(r.frame) + len(data); need > cap(r.frame) {
		// Grow by doubling, and straight to the limit once past half of
		// it, so that a frame of the maximum size costs at most twice its
		// size in allocations.
		size := max(2*cap(r.frame), need)
		if size > r.max/2 {
			size = r.max
		}
		grown := make([]byte, len(r.frame), size)
		copy(grown, r.frame)
		r.frame = grown
	}
	r.frame = append(r.frame, data...)
	return nil
}

func (r *Reader) incomplete() error { return r.dropFrame(ErrIncompleteFrame) }

// dropFrame abandons the current frame, counting what was read of it as
// discarded, and returns a *FrameError for it.
func (r *Reader) dropFrame(reason error) *FrameError {
	r.discarded += r.offset - r.start
	r.frame = nil
	r.state = seekingStart
	return &FrameError{Offset: r.start, Limit: r.max, Err: reason}
}
