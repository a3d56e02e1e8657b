package v2xml

import (
	"errors"
	"fmt"
)

// Sentinel errors, wrapped by the typed errors of this package.
var (
	// ErrUnencodable means an ER7 value has no v2.xml form (control
	// characters, invalid UTF-8, an unterminated escape sequence).
	ErrUnencodable = errors.New("v2xml: value cannot be encoded as XML")
	// ErrSyntax means the XML is not well-formed or not v2.xml.
	ErrSyntax = errors.New("v2xml: invalid v2.xml document")
	// ErrDoctype means the document has a DOCTYPE declaration, which this
	// decoder never accepts (entity expansion attacks start there).
	ErrDoctype = errors.New("v2xml: DOCTYPE is not allowed")
	// ErrTooLarge means the document exceeds DecodeOptions.MaxBytes.
	ErrTooLarge = errors.New("v2xml: document too large")
	// ErrTooDeep means elements nest deeper than DecodeOptions.MaxDepth.
	ErrTooDeep = errors.New("v2xml: elements nested too deeply")
)

// EncodeError names the value that cannot be encoded.
type EncodeError struct {
	Location string // HL7 location, e.g. "PID[1]-5[1].1.1"
	Msg      string
}

func (e *EncodeError) Error() string {
	return fmt.Sprintf("%v: %s: %s", ErrUnencodable, e.Location, e.Msg)
}

// Unwrap returns ErrUnencodable.
func (e *EncodeError) Unwrap() error { return ErrUnencodable }

// SyntaxError names the element (or input line) a document is wrong at.
type SyntaxError struct {
	Line    int    // line in the XML input, when known
	Element string // element name, when known
	Msg     string
	Err     error // ErrSyntax, ErrDoctype, ErrTooLarge or ErrTooDeep
}

func (e *SyntaxError) Error() string {
	s := e.Err.Error()
	if e.Line > 0 {
		s += fmt.Sprintf(" (line %d)", e.Line)
	}
	if e.Element != "" {
		s += " at <" + e.Element + ">"
	}
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	return s
}

// Unwrap returns the sentinel error.
func (e *SyntaxError) Unwrap() error { return e.Err }
