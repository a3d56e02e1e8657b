package hl7

import (
	"strconv"
	"strings"
)

// Location is a position in a message using HL7 numbering: segment
// occurrence, field, repetition, component and subcomponent are 1-based,
// and zero means "not specified". For MSH, FHS and BHS, field 1 is the field
// separator and field 2 the encoding characters, as in the standard, so the
// message type is always MSH-9 and never MSH-8.
//
// Location is what an ERR-2 (ERL data type) carries in an acknowledgment.
type Location struct {
	Segment      string // segment ID, for example "PID"
	SegmentSeq   int    // occurrence of the segment in the message, 1-based
	Field        int
	Repetition   int
	Component    int
	Subcomponent int
}

// String formats the location as a path accepted by Message.Get, for
// example "OBX[2]-5[1].3". Unspecified parts are left out.
func (l Location) String() string {
	var b strings.Builder
	b.WriteString(l.Segment)
	if l.SegmentSeq > 1 {
		b.WriteByte('[')
		b.WriteString(strconv.Itoa(l.SegmentSeq))
		b.WriteByte(']')
	}
	if l.Field > 0 {
		b.WriteByte('-')
		b.WriteString(strconv.Itoa(l.Field))
		if l.Repetition > 0 {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(l.Repetition))
			b.WriteByte(']')
		}
		if l.Component > 0 {
			b.WriteByte('.')
			b.WriteString(strconv.Itoa(l.Component))
			if l.Subcomponent > 0 {
				b.WriteByte('.')
				b.WriteString(strconv.Itoa(l.Subcomponent))
			}
		}
	}
	return b.String()
}

// erl returns the components of the ERL data type (ERR-2): segment ID,
// segment sequence, field position, field repetition, component number and
// subcomponent number. Empty trailing parts are dropped.
func (l Location) erl() []string {
	parts := []string{l.Segment, itoaOrEmpty(l.SegmentSeq), itoaOrEmpty(l.Field),
		itoaOrEmpty(l.Repetition), itoaOrEmpty(l.Component), itoaOrEmpty(l.Subcomponent)}
	for len(parts) > 1 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	return parts
}

func itoaOrEmpty(n int) string {
	if n <= 0 {
		return ""
	}
	return strconv.Itoa(n)
}
