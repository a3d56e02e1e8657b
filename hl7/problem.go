package hl7

import (
	"strconv"
	"strings"
)

// Problem is one finding of validation: where it is (HL7 location and
// byte offset), what rule it breaks (a table 0357 code) and how bad it is.
type Problem struct {
	Location Location
	Offset   int // byte offset in the message, -1 when unknown
	Code     ErrorCode
	Severity Severity
	Msg      string
}

func (p Problem) Error() string {
	var b strings.Builder
	b.WriteString("hl7: ")
	if p.Location.Segment == "" {
		b.WriteString("message")
	} else {
		b.WriteString(p.Location.String())
	}
	if p.Offset >= 0 {
		b.WriteString(" (byte ")
		b.WriteString(strconv.Itoa(p.Offset))
		b.WriteString(")")
	}
	b.WriteString(": ")
	b.WriteString(p.Code.String())
	if p.Msg != "" {
		b.WriteString(": ")
		b.WriteString(p.Msg)
	}
	return b.String()
}

// AckError converts the problem to an ERR segment description.
func (p Problem) AckError() AckError {
	return AckError{Location: p.Location, Code: p.Code, Severity: p.Severity, Text: p.Msg}
}

// NewACKFromProblems acknowledges m after validation: AA when no problem
// has severity E or F (warnings are still reported as ERR segments), AR
// when a problem is an unsupported message type, event, processing ID or
// version (codes 200-203), and AE otherwise. Each problem becomes an ERR
// segment after those already in opts.Errors.
func NewACKFromProblems(m *Message, problems []Problem, opts ACKOptions) (*Message, error) {
	code := AA
	for _, p := range problems {
		if p.Severity != SeverityError && p.Severity != SeverityFatal && p.Severity != "" {
			continue
		}
		if p.Code >= CodeUnsupportedMessageType && p.Code <= CodeUnsupportedVersion {
			code = AR
		} else if code == AA {
			code = AE
		}
	}
	errs := append([]AckError(nil), opts.Errors...)
	for _, p := range problems {
		errs = append(errs, p.AckError())
	}
	opts.Errors = errs
	return NewACK(m, code, opts)
}
