package hl7

import "fmt"

// Delimiters are the separators and the escape character of a message, as
// declared by MSH-1 (field separator) and MSH-2 (encoding characters) — or
// FHS-1/FHS-2 and BHS-1/BHS-2 in batch headers.
//
// A zero byte means the character is not in use: a sender may declare fewer
// than four encoding characters, and the truncation character exists only
// from v2.7 on (the fifth character of MSH-2).
type Delimiters struct {
	Field        byte // MSH-1, usually '|'
	Component    byte // MSH-2 first character, usually '^'
	Repetition   byte // MSH-2 second character, usually '~'
	Escape       byte // MSH-2 third character, usually '\'
	Subcomponent byte // MSH-2 fourth character, usually '&'
	Truncation   byte // MSH-2 fifth character (v2.7+), usually '#'; 0 if absent
}

// DefaultDelimiters are the delimiters recommended by the standard:
// "|^~\&" (without a truncation character).
var DefaultDelimiters = Delimiters{Field: '|', Component: '^', Repetition: '~', Escape: '\\', Subcomponent: '&'}

// EncodingCharacters returns MSH-2 as it is written in a header: the
// component, repetition, escape, subcomponent and truncation characters, up
// to the last one in use.
func (d Delimiters) EncodingCharacters() string {
	b := []byte{d.Component, d.Repetition, d.Escape, d.Subcomponent, d.Truncation}
	n := len(b)
	for n > 0 && b[n-1] == 0 {
		n--
	}
	return string(b[:n])
}

// Validate reports whether the delimiters can be used: each character in
// use must be distinct, printable ASCII and not a letter or digit (HL7 v2
// section 2.5.4), and the field, component and repetition separators and
// the escape character must be present (the subcomponent separator may be
// missing, as in "^~\\").
func (d Delimiters) Validate() error {
	chars := [...]struct {
		name string
		c    byte
	}{
		{"field separator", d.Field}, {"component separator", d.Component},
		{"repetition separator", d.Repetition}, {"escape character", d.Escape},
		{"subcomponent separator", d.Subcomponent}, {"truncation character", d.Truncation},
	}
	for i, a := range chars {
		if a.c == 0 {
			if i < 4 {
				return fmt.Errorf("%w: %s missing", ErrDelimiters, a.name)
			}
			continue
		}
		if a.c <= ' ' || a.c >= 0x7f || isAlnum(a.c) {
			return fmt.Errorf("%w: %s %q must be printable punctuation", ErrDelimiters, a.name, a.c)
		}
		for _, b := range chars[:i] {
			if b.c == a.c {
				return fmt.Errorf("%w: %s and %s are both %q", ErrDelimiters, b.name, a.name, a.c)
			}
		}
	}
	return nil
}

// parseDelimiters reads the delimiters from a header segment (MSH, FHS or
// BHS) whose field separator is seg[3]. It returns the delimiters and the
// length of the encoding characters field.
func parseDelimiters(seg []byte) (Delimiters, error) {
	var d Delimiters
	if len(seg) < 4 {
		return d, fmt.Errorf("%w: header segment too short", ErrDelimiters)
	}
	d.Field = seg[3]
	enc := seg[4:]
	n := 0
	for n < len(enc) && enc[n] != d.Field && enc[n] != '\r' && enc[n] != '\n' {
		n++
	}
	if n > 5 {
		return d, fmt.Errorf("%w: encoding characters %q longer than 5", ErrDelimiters, enc[:n])
	}
	if n == 4 && d.Field == '|' && string(enc[:4]) == `^~\&` {
		return DefaultDelimiters, nil // the common case needs no checks
	}
	var c [5]byte
	copy(c[:], enc[:n])
	d.Component, d.Repetition, d.Escape, d.Subcomponent, d.Truncation = c[0], c[1], c[2], c[3], c[4]
	// A set bit per character seen: the delimiters are valid when at least
	// four are present and all are distinct punctuation. Validate, with
	// its loops and messages, runs only to explain a failure.
	var seen [2]uint64
	ok := n >= 3 && isDelimiterChar(d.Field)
	seen[d.Field>>6&1] |= 1 << (d.Field & 63)
	for _, ch := range c[:n] {
		bit := uint64(1) << (ch & 63)
		if !ok || !isDelimiterChar(ch) || seen[ch>>6&1]&bit != 0 {
			ok = false
			break
		}
		seen[ch>>6&1] |= bit
	}
	if !ok {
		if err := d.Validate(); err != nil {
			return d, err
		}
	}
	return d, nil
}

// isDelimiterChar reports whether c may be a delimiter: printable ASCII
// punctuation (HL7 v2 section 2.5.4).
func isDelimiterChar(c byte) bool {
	return c > ' ' && c < 0x7f && !isAlnum(c)
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}
