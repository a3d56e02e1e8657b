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
// order mark is skipped) and returns its routing fields. It reads no byte
// past the end of MSH (the first CR or LF), so its cost does not depend on
// the size of the message; it is meant for routers and MLLP servers that
// must answer before, or instead of, a full parse. It allocates one string
// that all the fields share, plus one per field that holds an escape
// sequence. UTF-16 and UTF-32 input is not read here (its bytes are not
// ASCII); Parse converts it.
func ReadHeader(data []byte) (Header, error) {
	var h Header
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		data = data[3:]
	}
	if len(data) < 3 || data[0] != 'M' || data[1] != 'S' || data[2] != 'H' {
		return h, &ParseError{Offset: 0, Err: ErrNoHeader, Msg: "ReadHeader needs MSH"}
	}
	d, err := parseDelimiters(data)
	if err != nil {
		return h, &ParseError{Offset: 3, Location: Location{Segment: "MSH", SegmentSeq: 1, Field: 2}, Err: ErrDelimiters, Msg: err.Error()}
	}
	h.Delimiters = d
	seg := data[:headerEnd(data)]
	// One pass over MSH-3..MSH-18 records where the first subcomponent of
	// components 1-3 of the first repetition of each field lies (spans,
	// indexed by field and component) and which of them hold the escape
	// character (esc, one bit each); then one string holds them all.
	var spans [19][3]struct{ lo, hi int32 }
	var esc uint64
	// class marks the delimiter bytes, so that an ordinary byte costs a
	// table load.
	const (
		plain = iota
		field
		comp
		rep
		escape
		sub
	)
	var class [256]uint8
	class[d.Component], class[d.Repetition], class[d.Escape] = comp, rep, escape
	if d.Subcomponent != 0 {
		class[d.Subcomponent] = sub
	}
	class[d.Field] = field
	// Skip "MSH|" and MSH-2.
	i := 4
	for i < len(seg) && seg[i] != d.Field {
		i++
	}
	if i >= len(seg) {
		return h, nil
	}
	i++
	first := i // start of MSH-3
	n, c, lo, cut, fstart := 3, 0, i, -1, i
	f18lo, f18hi := -1, -1
	for ; ; i++ {
		// Ordinary bytes four at a time (one branch for four), then one
		// at a time up to the delimiter.
		for i+4 <= len(seg) {
			w := seg[i : i+4 : i+4]
			if class[w[0]]|class[w[1]]|class[w[2]]|class[w[3]] != plain {
				break
			}
			i += 4
		}
		for i < len(seg) && class[seg[i]] == plain {
			i++
		}
		k := uint8(field) // the end of MSH ends the last field
		if i < len(seg) {
			k = class[seg[i]]
		}
		switch k {
		case field:
			if c < 3 {
				hi := i
				if cut >= 0 {
					hi = cut
				}
				spans[n][c] = struct{ lo, hi int32 }{int32(lo), int32(hi)}
			}
			if n == 18 {
				f18lo, f18hi = fstart, i
			}
			if n++; n > 18 || i >= len(seg) {
				goto done
			}
			c, lo, cut, fstart = 0, i+1, -1, i+1
		case comp, rep:
			if c >= 3 {
				continue
			}
			hi := i
			if cut >= 0 {
				hi = cut
			}
			spans[n][c] = struct{ lo, hi int32 }{int32(lo), int32(hi)}
			if k == rep || c == 2 {
				c = 3 // the rest of the field is not read
				continue
			}
			c, lo, cut = c+1, i+1, -1
		case escape:
			if c < 3 && cut < 0 {
				esc |= 1 << (n*3 + c)
			}
		case sub:
			if c < 3 && cut < 0 {
				cut = i
			}
		}
	}
done:
	stop := i
	if stop > len(seg) {
		stop = len(seg)
	}
	str := string(seg[first:stop])
	text := func(f, c int) string {
		sp := spans[f][c]
		if sp.hi <= sp.lo {
			return ""
		}
		t := str[int(sp.lo)-first : int(sp.hi)-first]
		if esc&(1<<(f*3+c)) != 0 {
			return string(Unescape([]byte(t), d))
		}
		return t
	}
	hd := func(f int) HD { return HD{text(f, 0), text(f, 1), text(f, 2)} }
	h.SendingApplication, h.SendingFacility = hd(3), hd(4)
	h.ReceivingApplication, h.ReceivingFacility = hd(5), hd(6)
	h.DateTime = text(7, 0)
	h.MessageType, h.TriggerEvent, h.MessageStructure = text(9, 0), text(9, 1), text(9, 2)
	h.ControlID = text(10, 0)
	h.ProcessingID = text(11, 0)
	h.Version = text(12, 0)
	h.AcceptAckType = text(15, 0)
	h.ApplicationAckType = text(16, 0)
	if f18lo >= 0 {
		// The first non-empty repetition, as written: a leading empty
		// repetition means ASCII by default, with the next one switched
		// to by escape sequences.
		for cs := str[f18lo-first : f18hi-first]; cs != ""; {
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

// headerEnd returns the length of the header segment at the start of data:
// the offset of its first CR or LF, or len(data). It searches windows that
// grow fourfold, so that the work is proportional to the header's length
// and never to the message's, even when the terminator is LF and the
// message holds no CR at all.
func headerEnd(data []byte) int {
	for w := 512; ; w *= 4 {
		win := data[:min(w, len(data))]
		end := len(win)
		if i := bytes.IndexByte(win, '\r'); i >= 0 {
			end = i
		}
		if i := bytes.IndexByte(win[:end], '\n'); i >= 0 {
			end = i
		}
		if end < len(win) || len(win) == len(data) {
			return end
		}
	}
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
