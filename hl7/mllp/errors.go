package mllp

import (
	"errors"
	"fmt"
)

// Sentinel errors. The typed errors below unwrap to them, so callers test with
// errors.Is and read the details with errors.As.
var (
	// ErrFrameTooLarge: a frame's payload is longer than the reader's maximum.
	ErrFrameTooLarge = errors.New("mllp: frame exceeds the maximum frame size")
	// ErrNoStartBlock: more bytes than the maximum frame size arrived without a
	// start block, so the peer is not speaking MLLP.
	ErrNoStartBlock = errors.New("mllp: no start block within the maximum frame size")
	// ErrIncompleteFrame: the stream ended after a start block and before the
	// end block.
	ErrIncompleteFrame = errors.New("mllp: stream ended inside a frame")
	// ErrForbiddenByte: a payload handed to a Writer contains a start or end
	// block character, which MLLP does not allow inside a frame.
	ErrForbiddenByte = errors.New("mllp: payload contains a block character")
)

// FrameError reports a framing problem in a stream read by a Reader.
type FrameError struct {
	// Offset is the position in the stream, counted from 0, of the start block
	// of the offending frame (or of the first unexpected byte for
	// ErrNoStartBlock).
	Offset int64
	// Limit is the maximum frame size in force.
	Limit int
	// Err is ErrFrameTooLarge, ErrNoStartBlock or ErrIncompleteFrame.
	Err error

	// head is the start of an oversized frame, from which Head reads the
	// MSH segment. It is never part of the error text: it is message content.
	head []byte
}

// Head returns the first bytes (at most 4 KiB) of the payload of a frame
// refused with ErrFrameTooLarge, so that a receiver can read its MSH segment
// with hl7.ReadHeader and reject it properly; nil for other errors. It is
// message content: do not log it.
func (e *FrameError) Head() []byte { return e.head }

func (e *FrameError) Error() string {
	switch e.Err {
	case ErrFrameTooLarge:
		return fmt.Sprintf("mllp: frame starting at byte %d is longer than the maximum frame size of %d bytes", e.Offset, e.Limit)
	case ErrNoStartBlock:
		return fmt.Sprintf("mllp: %d bytes from byte %d on contain no start block (0x0B)", e.Limit, e.Offset)
	case ErrIncompleteFrame:
		return fmt.Sprintf("mllp: stream ended inside the frame starting at byte %d, before its end block (0x1C 0x0D)", e.Offset)
	}
	return fmt.Sprintf("mllp: frame at byte %d: %v", e.Offset, e.Err)
}

func (e *FrameError) Unwrap() error { return e.Err }

// ContentError reports a payload that cannot be framed because it contains a
// block character. HL7 v2 text never does: a sender must write such a byte as
// the hex escape \X0B\ or \X1C\.
type ContentError struct {
	Offset int  // position of the byte in the payload, counted from 0
	Byte   byte // StartBlock or EndBlock
}

func (e *ContentError) Error() string {
	return fmt.Sprintf("mllp: payload byte %d is 0x%02X, which MLLP forbids inside a frame", e.Offset, e.Byte)
}

func (e *ContentError) Unwrap() error { return ErrForbiddenByte }
