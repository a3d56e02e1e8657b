package hl7

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Sentinel errors. Errors returned by this package wrap one of these, so
// callers can test the class of a failure with errors.Is and still read the
// details (offset, location, input) from the typed error.
var (
	// ErrNoHeader means the data does not start with an MSH, FHS or BHS segment.
	ErrNoHeader = errors.New("hl7: message does not start with MSH, FHS or BHS")
	// ErrDelimiters means MSH-1/MSH-2 declare an unusable set of delimiters.
	ErrDelimiters = errors.New("hl7: invalid delimiters")
	// ErrSegmentID means a segment does not start with a three-character ID.
	ErrSegmentID = errors.New("hl7: invalid segment ID")
	// ErrLineEnding means a strict parse met line feeds or blank lines.
	ErrLineEnding = errors.New("hl7: segment terminator is not CR")
	// ErrTooLarge means the input exceeds what the offset index can address.
	ErrTooLarge = errors.New("hl7: message too large")
	// ErrPath means a path such as "PID-3[2].1" is malformed.
	ErrPath = errors.New("hl7: invalid path")
	// ErrCharset means MSH-18 or the caller names a character set this package cannot decode.
	ErrCharset = errors.New("hl7: unsupported character set")
	// ErrBatch means a batch or file stream violates the FHS/BHS/BTS/FTS structure.
	ErrBatch = errors.New("hl7: invalid batch")
	// ErrMultipleMessages means a message that starts with MSH holds a
	// second header segment (MSH, BHS or FHS): the start of another
	// message, which Parse does not take as part of the first. Reader
	// splits such input into its messages.
	ErrMultipleMessages = errors.New("hl7: more than one message")
	// ErrAck means an acknowledgment cannot be built from the arguments.
	ErrAck = errors.New("hl7: cannot build acknowledgment")
)

// ParseError reports where and why parsing failed. Offset is the byte offset
// in the input; Location names the HL7 position when one is known.
type ParseError struct {
	Offset   int
	Location Location
	Msg      string
	Err      error // one of the sentinel errors above
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString(e.Err.Error())
	if e.Location.Segment != "" {
		b.WriteString(" at ")
		b.WriteString(e.Location.String())
	}
	b.WriteString(" (byte ")
	b.WriteString(strconv.Itoa(e.Offset))
	b.WriteString(")")
	if e.Msg != "" {
		b.WriteString(": ")
		b.WriteString(e.Msg)
	}
	return b.String()
}

func (e *ParseError) Unwrap() error { return e.Err }

// PathError reports a malformed path expression.
type PathError struct {
	Path string
	Msg  string
}

func (e *PathError) Error() string {
	return fmt.Sprintf("hl7: invalid path %q: %s", e.Path, e.Msg)
}

func (e *PathError) Unwrap() error { return ErrPath }
