package mllp

import (
	"bytes"
	"io"
)

// maxRetainedBuffer is the largest frame buffer a Writer keeps between
// writes; a larger one, made for an exceptional message, is let go.
const maxRetainedBuffer = 64 << 10

// Writer writes MLLP frames to a byte stream. Each frame goes to the
// underlying writer in a single Write call, so a frame is never interleaved
// with another writer's bytes at the io.Writer level and costs one system call
// on a network connection.
//
// A Writer is not safe for concurrent use.
type Writer struct {
	w   io.Writer
	buf []byte
}

// NewWriter returns a Writer that writes frames to w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: w}
}

// WriteFrame writes payload as one frame: StartBlock, payload, EndBlock,
// CarriageReturn. A payload that contains StartBlock or EndBlock is refused
// with a *ContentError before anything is written.
func (w *Writer) WriteFrame(payload []byte) error {
	if err := checkPayload(payload); err != nil {
		return err
	}
	buf := append(w.buf[:0], StartBlock)
	buf = append(buf, payload...)
	buf = append(buf, EndBlock, CarriageReturn)
	_, err := w.w.Write(buf)
	if cap(buf) <= maxRetainedBuffer {
		w.buf = buf
	} else {
		w.buf = nil
	}
	return err
}

// checkPayload returns a *ContentError for the first block character in p.
func checkPayload(p []byte) error {
	i := bytes.IndexByte(p, StartBlock)
	j := bytes.IndexByte(p, EndBlock)
	switch {
	case i < 0 && j < 0:
		return nil
	case j < 0 || (i >= 0 && i < j):
		return &ContentError{Offset: i, Byte: StartBlock}
	default:
		return &ContentError{Offset: j, Byte: EndBlock}
	}
}
