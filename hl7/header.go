package hl7

import (
	"bytes"
	"strings"
)

// HD is the hierarchic designator data type (MSH-3 to MSH-6): an
// application or facility named by a local namespace ID and/or a universal
// ID such as an OID.
type HD struct {
	NamespaceID     string
	UniversalID     string
	UniversalIDType string // "ISO", "DNS", ...
}

// Header is the routing information of an MSH segment. ReadHeader fills it
// without indexing the rest of the message; Message.Header fills it from a
// parsed message. Values are decoded (escape sequences resolved).
type Header struct {
	Delimiters           Delimiters
	SendingApplication   HD     // MSH-3
	SendingFacility      HD     // MSH-4
	ReceivingApplication HD     // MSH-5
	ReceivingFacility    HD     // MSH-6
	DateTime             string // MSH-7, as written (DTM)
	MessageType          string // MSH-9.1, for example "ORU"
	TriggerEvent         string // MSH-9.2, for example "R01"
	MessageStructure     string // MSH-9.3, for example "ORU_R01"
	ControlID            string // MSH-10
	ProcessingID         string // MSH-11.1: P, D or T
	Version              string // MSH-12.1, for example "2.5.1"
	AcceptAckType        string // MSH-15: AL, NE, ER, SU or empty
	ApplicationAckType   string // MSH-16: AL, NE, ER, SU or empty
	CharacterSet         string // MSH-18, first non-empty repetition
}

// ReadHeader reads only the MSH segment at the start of data (a UTF-8 byte
// order mark is skipped) and returns its routing fields. It stops at the
// first CR or LF, so its cost does not depend on the size of the message;
// it is meant for routers and MLLP servers that must answer before, or
// instead of, a full parse. UTF-16 and UTF-32 input is not read here (its
// bytes are not ASCII); Parse converts it.
func ReadHeader(data []byte) (Header, error) {
	var h Header
	if bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}) {
		data = data[3:]
	}
	if len(data) < 3 || string(data[:3]) != "MSH" {
		return h, &ParseError{Offset: 0, Err: ErrNoHeader, Msg: "ReadHeader needs MSH"}
	}
	d, err := parseDelimiters(data)
	if err != nil {
		return h, &ParseError{Offset: 3, Location: Location{Segment: "MSH", SegmentSeq: 1, Field: 2}, Err: ErrDelimiters, Msg: err.Error()}
	}
	h.Delimiters = d
	seg := data
	if i := bytes.IndexByte(seg, '\r'); i >= 0 {
		seg = seg[:i]
	}
	if i := bytes.IndexByte(seg, '\n'); i >= 0 {
		seg = seg[:i]
	}
	// One pass over MSH-2..MSH-18 records where the first subcomponent of
	// components 1-3 of the first repetition of MSH-3..MSH-16 lie, and
	// where MSH-18 lies; then one string holds them all.
	var spans [17][3]headerSpan
	// class marks the delimiter bytes, so that an ordinary byte costs one
	// table load and one branch.
	const (
		plain = iota
		field
		compOrRep
		escape
		sub
	)
	var class [256]uint8
	class[d.Component], class[d.Repetition], class[d.Escape] = compOrRep, compOrRep, escape
	if d.Subcomponent != 0 {
		class[d.Subcomponent] = sub
	}
	class[d.Field] = field
	n, comp, lo, cut, esc, rep1 := 2, 0, 4, -1, false, true
	f18lo, f18hi := -1, -1
	stop := len(seg)
	for i := 4; ; i++ {
		atEnd := i >= len(seg)
		k := uint8(field)
		var c byte
		if !atEnd {
			c = seg[i]
			if k = class[c]; k == plain {
				continue
			}
		}
		if k == field {
			if n >= 3 && n <= 16 && rep1 && comp < 3 {
				spans[n][comp] = headerSpan{lo, i, cut, esc}
			}
			if n == 18 {
				f18hi = i
			}
			n++
			if atEnd || n > 18 {
				stop = i
				break
			}
			comp, lo, cut, esc, rep1 = 0, i+1, -1, false, true
			if n == 18 {
				f18lo = i + 1
			}
			continue
		}
		if n == 2 || n > 16 || !rep1 {
			continue
		}
		switch k {
		case compOrRep:
			if comp < 3 {
				spans[n][comp] = headerSpan{lo, i, cut, esc}
			}
			comp, lo, cut, esc = comp+1, i+1, -1, false
			rep1 = c == d.Component
		case escape:
			esc = true
		case sub:
			if cut < 0 {
				cut = i
			}
		}
	}
	str := string(seg[:stop])
	text := func(sp headerSpan) string {
		hi := sp.hi
		if sp.cut >= 0 {
			hi = sp.cut
		}
		if hi <= sp.lo {
			return ""
		}
		if sp.esc {
			return string(Unescape([]byte(str[sp.lo:hi]), d))
		}
		return str[sp.lo:hi]
	}
	hd := func(f int) HD { return HD{text(spans[f][0]), text(spans[f][1]), text(spans[f][2])} }
	h.SendingApplication, h.SendingFacility = hd(3), hd(4)
	h.ReceivingApplication, h.ReceivingFacility = hd(5), hd(6)
	h.DateTime = text(spans[7][0])
	h.MessageType, h.TriggerEvent, h.MessageStructure = text(spans[9][0]), text(spans[9][1]), text(spans[9][2])
	h.ControlID = text(spans[10][0])
	h.ProcessingID = text(spans[11][0])
	h.Version = text(spans[12][0])
	h.AcceptAckType = text(spans[15][0])
	h.ApplicationAckType = text(spans[16][0])
	if f18lo >= 0 {
		for cs := str[f18lo:f18hi]; cs != ""; {
			r := cs
			if i := strings.IndexByte(cs, d.Repetition); i >= 0 {
				r, cs = cs[:i], cs[i+1:]
			} else {
				cs = ""
			}
			if r != "" {
				h.CharacterSet = r
				break
			}
		}
	}
	return h, nil
}

// Header returns the routing fields of the message's first MSH.
func (m *Message) Header() Header {
	seg, ok := m.FindSegment("MSH", 1)
	if !ok {
		return Header{Delimiters: m.delims}
	}
	h, _ := ReadHeader(seg.Raw())
	if m.decoder == nil && m.orig == nil {
		return h
	}
	// Decode through the message's character set.
	get := func(p string) string { s, _ := m.Get(p); return s }
	hd := func(f int) HD {
		v := seg.Field(f)
		return HD{v.Component(1).Sub(1).String(), v.Component(2).Sub(1).String(), v.Component(3).Sub(1).String()}
	}
	h.SendingApplication, h.SendingFacility = hd(3), hd(4)
	h.ReceivingApplication, h.ReceivingFacility = hd(5), hd(6)
	h.ControlID = get("MSH-10")
	return h
}

// WantsAcceptACK reports whether the sender asked for an accept (commit)
// acknowledgment, given whether the message was accepted (MSH-15, table
// 0155: AL always, NE never, ER on error, SU on success). An empty MSH-15
// means original acknowledgment mode, where no accept ACK is sent.
func (h Header) WantsAcceptACK(accepted bool) bool { return wants(h.AcceptAckType, accepted) }

// WantsApplicationACK reports whether the sender asked for an application
// acknowledgment (MSH-16, table 0155). An empty MSH-16 in enhanced mode
// means "always", as does original mode (both MSH-15 and MSH-16 empty).
func (h Header) WantsApplicationACK(ok bool) bool {
	if h.ApplicationAckType == "" {
		return true
	}
	return wants(h.ApplicationAckType, ok)
}

// EnhancedMode reports whether the message asks for enhanced-mode
// acknowledgments (MSH-15 or MSH-16 valued).
func (h Header) EnhancedMode() bool { return h.AcceptAckType != "" || h.ApplicationAckType != "" }

func wants(code string, ok bool) bool {
	switch code {
	case "AL":
		return true
	case "ER":
		return !ok
	case "SU":
		return ok
	}
	return false
}

// headerSpan locates one component of a header field in the MSH bytes:
// [lo, hi), cut at the first subcomponent separator when cut >= 0, with
// esc set when it holds the escape character.
type headerSpan struct {
	lo, hi, cut int
	esc         bool
}
