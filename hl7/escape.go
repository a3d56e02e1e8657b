package hl7

import (
	"bytes"
	"strconv"
)

// Unescape decodes the escape sequences of an ER7 value written with the
// delimiters d (HL7 v2 section 2.7). It returns raw itself when there is
// nothing to decode.
//
//	\F\ \S\ \T\ \R\ \E\   the field, component, subcomponent and repetition
//	                       separators and the escape character
//	\P\                    the truncation character (v2.7+), when declared
//	\Xhh...\               the bytes with those hex values (either case); a
//	                       00 pair is skipped, since text never holds NUL, so
//	                       \X000D\ and \X0D\ both give CR
//	\.br\ \.sp n\ \.ce\    line breaks ("\n"; \.sp n\ gives n of them)
//	\.sk n\                n spaces
//	\.in n\ \.ti n\ \.fi\ \.nf\ \H\ \N\
//	                       layout and highlighting with no plain-text form:
//	                       removed
//	\Cxxyy\ \Mxxyy(zz)\    ISO 2022 character set switches: the escape
//	                       sequence ESC xx yy (zz), for the character set
//	                       decoder that follows
//	\Z...\                 locally defined: kept as written
//
// A sequence that is malformed or unknown (no closing escape character, an
// odd number of hex digits, an unknown letter) is kept as written, so no
// input is ever lost.
func Unescape(raw []byte, d Delimiters) []byte {
	esc := d.Escape
	if esc == 0 || bytes.IndexByte(raw, esc) < 0 {
		return raw
	}
	out := make([]byte, 0, len(raw))
	for len(raw) > 0 {
		i := bytes.IndexByte(raw, esc)
		if i < 0 {
			out = append(out, raw...)
			break
		}
		out = append(out, raw[:i]...)
		raw = raw[i:]
		j := bytes.IndexByte(raw[1:], esc)
		if j < 0 {
			out = append(out, raw...)
			break
		}
		seq := raw[1 : 1+j]
		whole := raw[:j+2]
		raw = raw[j+2:]
		if dec, ok := decodeEscape(out, seq, d); ok {
			out = dec
		} else {
			out = append(out, whole...)
		}
	}
	return out
}

// decodeEscape appends the meaning of one escape sequence (without its
// escape characters) to out, or reports ok=false to keep it as written.
func decodeEscape(out, seq []byte, d Delimiters) ([]byte, bool) {
	if len(seq) == 0 {
		return out, false
	}
	if len(seq) == 1 {
		var c byte
		switch seq[0] {
		case 'F':
			c = d.Field
		case 'S':
			c = d.Component
		case 'T':
			c = d.Subcomponent
		case 'R':
			c = d.Repetition
		case 'E':
			c = d.Escape
		case 'P':
			c = d.Truncation
		case 'H', 'N':
			return out, true
		}
		if c == 0 {
			return out, false
		}
		return append(out, c), true
	}
	switch seq[0] {
	case 'X':
		hex := seq[1:]
		if len(hex)%2 != 0 {
			return out, false
		}
		n := len(out)
		for k := 0; k < len(hex); k += 2 {
			hi, ok1 := unhex(hex[k])
			lo, ok2 := unhex(hex[k+1])
			if !ok1 || !ok2 {
				return out[:n], false
			}
			if b := hi<<4 | lo; b != 0 {
				out = append(out, b)
			}
		}
		return out, true
	case 'C', 'M':
		hex := seq[1:]
		// \Cxxyy\ switches a single-byte set, \Mxxyy\ or \Mxxyyzz\ a
		// multi-byte one (two or three intermediate bytes).
		if seq[0] == 'C' && len(hex) != 4 || seq[0] == 'M' && len(hex) != 4 && len(hex) != 6 {
			return out, false
		}
		n := len(out)
		out = append(out, 0x1b)
		for k := 0; k < len(hex); k += 2 {
			hi, ok1 := unhex(hex[k])
			lo, ok2 := unhex(hex[k+1])
			if !ok1 || !ok2 {
				return out[:n], false
			}
			out = append(out, hi<<4|lo)
		}
		return out, true
	case '.':
		return decodeFormatting(out, seq[1:])
	}
	return out, false
}

// decodeFormatting renders a formatting command of the FT data type
// (section 2.7.6) as plain text.
func decodeFormatting(out, cmd []byte) ([]byte, bool) {
	if len(cmd) < 2 {
		return out, false
	}
	name, arg := string(cmd[:2]), cmd[2:]
	num := func(def int) (int, bool) {
		s := string(bytes.TrimSpace(arg))
		if s == "" {
			return def, true
		}
		n, err := strconv.Atoi(s)
		return n, err == nil
	}
	switch name {
	case "br", "ce":
		if len(arg) != 0 {
			return out, false
		}
		return append(out, '\n'), true
	case "fi", "nf":
		if len(arg) != 0 {
			return out, false
		}
		return out, true
	case "sp":
		n, ok := num(1)
		if !ok || n < 0 || n > 1000 {
			return out, false
		}
		for range n {
			out = append(out, '\n')
		}
		return out, true
	case "sk":
		n, ok := num(1)
		if !ok || n < 0 || n > 1000 {
			return out, false
		}
		for range n {
			out = append(out, ' ')
		}
		return out, true
	case "in", "ti":
		if _, ok := num(0); !ok {
			return out, false
		}
		return out, true
	}
	return out, false
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// Escape encodes text for an ER7 value written with the delimiters d: each
// delimiter becomes its escape sequence (\F\ \S\ \T\ \R\ \E\, and \P\ for a
// declared truncation character) and CR and LF become \X0D\ and \X0A\, so
// the value can never split a segment. Unescape(Escape(s, d), d) == s for
// every s.
func Escape(text []byte, d Delimiters) []byte {
	return AppendEscaped(nil, text, d)
}

// AppendEscaped appends the escaped form of text (see Escape) to dst.
func AppendEscaped(dst, text []byte, d Delimiters) []byte {
	start := 0
	for i := 0; i < len(text); i++ {
		var code string
		switch c := text[i]; {
		case c == 0:
			continue
		case c == d.Field:
			code = "F"
		case c == d.Component:
			code = "S"
		case c == d.Subcomponent:
			code = "T"
		case c == d.Repetition:
			code = "R"
		case c == d.Escape:
			code = "E"
		case c == d.Truncation:
			code = "P"
		case c == '\r':
			code = "X0D"
		case c == '\n':
			code = "X0A"
		default:
			continue
		}
		dst = append(dst, text[start:i]...)
		dst = append(dst, d.Escape)
		dst = append(dst, code...)
		dst = append(dst, d.Escape)
		start = i + 1
	}
	return append(dst, text[start:]...)
}
