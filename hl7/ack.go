package hl7

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// AckCode is an acknowledgment code (MSA-1, HL7 table 0008).
type AckCode string

// Acknowledgment codes. AA, AE and AR are the original-mode and
// enhanced-mode application acknowledgments; CA, CE and CR are the
// enhanced-mode accept (commit) acknowledgments.
const (
	AA AckCode = "AA" // application accept
	AE AckCode = "AE" // application error
	AR AckCode = "AR" // application reject
	CA AckCode = "CA" // commit accept
	CE AckCode = "CE" // commit error
	CR AckCode = "CR" // commit reject
)

// Valid reports whether c is one of the six codes of table 0008.
func (c AckCode) Valid() bool {
	switch c {
	case AA, AE, AR, CA, CE, CR:
		return true
	}
	return false
}

// ErrorCode is an HL7 error condition code (ERR-3, table 0357).
type ErrorCode int

// Error condition codes of HL7 table 0357.
const (
	CodeAccepted               ErrorCode = 0
	CodeSegmentSequence        ErrorCode = 100
	CodeRequiredFieldMissing   ErrorCode = 101
	CodeDataType               ErrorCode = 102
	CodeTableValueNotFound     ErrorCode = 103
	CodeValueTooLong           ErrorCode = 104
	CodeUnsupportedMessageType ErrorCode = 200
	CodeUnsupportedEvent       ErrorCode = 201
	CodeUnsupportedProcessing  ErrorCode = 202
	CodeUnsupportedVersion     ErrorCode = 203
	CodeUnknownKey             ErrorCode = 204
	CodeDuplicateKey           ErrorCode = 205
	CodeRecordLocked           ErrorCode = 206
	CodeInternalError          ErrorCode = 207
)

var errorCodeText = map[ErrorCode]string{
	CodeAccepted:               "Message accepted",
	CodeSegmentSequence:        "Segment sequence error",
	CodeRequiredFieldMissing:   "Required field missing",
	CodeDataType:               "Data type error",
	CodeTableValueNotFound:     "Table value not found",
	CodeValueTooLong:           "Value too long",
	CodeUnsupportedMessageType: "Unsupported message type",
	CodeUnsupportedEvent:       "Unsupported event code",
	CodeUnsupportedProcessing:  "Unsupported processing id",
	CodeUnsupportedVersion:     "Unsupported version id",
	CodeUnknownKey:             "Unknown key identifier",
	CodeDuplicateKey:           "Duplicate key identifier",
	CodeRecordLocked:           "Application record locked",
	CodeInternalError:          "Application internal error",
}

// String returns the table 0357 description of the code.
func (c ErrorCode) String() string {
	if s, ok := errorCodeText[c]; ok {
		return s
	}
	return "Error " + strconv.Itoa(int(c))
}

// Severity is the severity of an error (ERR-4, HL7 table 0516).
type Severity string

// Severities of table 0516.
const (
	SeverityError       Severity = "E"
	SeverityWarning     Severity = "W"
	SeverityInformation Severity = "I"
	SeverityFatal       Severity = "F"
)

// AckError is one ERR segment of an acknowledgment.
type AckError struct {
	Location Location  // ERR-2 (v2.5+) or ERR-1 (earlier versions)
	Code     ErrorCode // ERR-3
	Severity Severity  // ERR-4; empty means SeverityError
	Text     string    // ERR-8, the user message
}

// ACKOptions are the parts of an acknowledgment the original message does
// not determine. The zero value is usable.
type ACKOptions struct {
	// ControlID is the ACK's own MSH-10. Empty means a random 20-digit
	// hexadecimal ID.
	ControlID string
	// Time is MSH-7. The zero value means time.Now().
	Time time.Time
	// Text is MSA-3, a short text message for the sender.
	Text string
	// Errors become ERR segments: ERR-2 location (ERL), ERR-3 code, ERR-4
	// severity and ERR-8 text for v2.5 and later; ERR-1 (ELD) before.
	Errors []AckError
}

// NewACK builds the acknowledgment of m with the given code: MSH with the
// sending and receiving application and facility swapped, MSH-9
// "ACK^<trigger>^ACK", MSH-11, MSH-12 and MSH-18 copied from m, MSA with
// the code and m's control ID (MSH-10) echoed in MSA-2, and one ERR
// segment per opts.Errors. The ACK uses m's delimiters.
//
// MSH-18 is copied as m has it, even when it is an alias of a table 0211
// name (see ParseOptions.CharsetAliases) or, in a message parsed leniently,
// a name this package does not know: the sender gets its own spelling back.
//
// The code decides the mode: AA, AE and AR answer in original mode or as
// an enhanced-mode application acknowledgment; CA, CE and CR are
// enhanced-mode accept acknowledgments, allowed only when m asks for
// enhanced mode (MSH-15 or MSH-16 valued).
func NewACK(m *Message, code AckCode, opts ACKOptions) (*Message, error) {
	if m == nil {
		return nil, fmt.Errorf("%w: nil message", ErrAck)
	}
	if !code.Valid() {
		return nil, fmt.Errorf("%w: code %q is not in table 0008", ErrAck, code)
	}
	msh, ok := m.FindSegment("MSH", 1)
	if !ok {
		return nil, fmt.Errorf("%w: message has no MSH", ErrAck)
	}
	h := m.Header()
	if strings.HasPrefix(string(code), "C") && !h.EnhancedMode() {
		return nil, fmt.Errorf("%w: %s is an enhanced-mode code but MSH-15 and MSH-16 are empty", ErrAck, code)
	}
	id := opts.ControlID
	if id == "" {
		var b [10]byte
		_, _ = rand.Read(b[:])
		id = strings.ToUpper(hex.EncodeToString(b[:]))
	}
	t := opts.Time
	if t.IsZero() {
		t = time.Now()
	}
	d := m.Delimiters()
	d.Truncation = 0
	if versionAtLeast(h.Version, 2, 7, 0) && m.Delimiters().Truncation != 0 {
		d.Truncation = m.Delimiters().Truncation
	}
	b := NewBuilder(d)
	mh := b.Segment("MSH")
	raw := func(f int) string { return string(msh.Field(f).Raw()) }
	mh.SetRaw(3, raw(5)).SetRaw(4, raw(6)).SetRaw(5, raw(3)).SetRaw(6, raw(4))
	mh.Set("7", t.Format("20060102150405-0700"))
	mh.SetField(9, "ACK", h.TriggerEvent)
	if versionAtLeast(h.Version, 2, 3, 1) {
		mh.Set("9.3", "ACK")
	}
	mh.Set("10", id)
	mh.SetRaw(11, raw(11)).SetRaw(12, raw(12))
	if cs := raw(18); cs != "" {
		mh.SetRaw(18, cs)
	}
	msa := b.Segment("MSA").Set("1", string(code)).SetRaw(2, string(msh.Field(10).Raw()))
	if opts.Text != "" {
		msa.Set("3", opts.Text)
	}
	v25 := h.Version == "" || versionAtLeast(h.Version, 2, 5, 0)
	for _, e := range opts.Errors {
		err := b.Segment("ERR")
		sev := e.Severity
		if sev == "" {
			sev = SeverityError
		}
		if v25 {
			for i, p := range e.Location.erl() {
				err.Set("2."+strconv.Itoa(i+1), p)
			}
			err.SetField(3, strconv.Itoa(int(e.Code)), e.Code.String(), "HL70357")
			err.Set("4", string(sev))
			if e.Text != "" {
				err.Set("8", e.Text)
			}
		} else {
			// ERR-1 (ELD): segment ID^sequence^field position^code&text&table.
			l := e.Location
			err.SetField(1, l.Segment, itoaOrEmpty(l.SegmentSeq), itoaOrEmpty(l.Field))
			err.Set("1.4.1", strconv.Itoa(int(e.Code)))
			err.Set("1.4.2", e.Code.String())
			err.Set("1.4.3", "HL70357")
		}
	}
	// MSH-18 is echoed as the sender wrote it, which may be an alias
	// ("ISO-8859-1") or, for a lenient parse, a name nobody knows: the
	// ACK is read with the character set m was read with.
	out, err := b.buildWith(ParseOptions{Charset: m.charset, Lenient: m.lenient})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrAck, err)
	}
	return out, nil
}

// versionAtLeast compares an HL7 version such as "2.5.1" with maj.min.patch.
func versionAtLeast(v string, maj, min, patch int) bool {
	var n [3]int
	for i, p := range strings.SplitN(v, ".", 3) {
		x, err := strconv.Atoi(p)
		if err != nil {
			return false
		}
		n[i] = x
	}
	if n[0] != maj {
		return n[0] > maj
	}
	if n[1] != min {
		return n[1] > min
	}
	return n[2] >= patch
}
