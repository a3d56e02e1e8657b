package mllp

import (
	"bytes"
	"crypto/rand"
	"strconv"
	"strings"
	"time"

	"github.com/vetlink/vetlink/hl7"
)

// appendACK appends to dst the bytes of the acknowledgment that
// hl7.NewACK(m, code, opts) builds, h being m.Header(), and reports whether
// it could. It is the Server's answer to most messages, so it writes the
// segments straight into a buffer the connection reuses instead of going
// through hl7.Builder and parsing the result, which cost a third of the
// Server's CPU time per round trip. It handles what the Server itself
// sends for an accepted or failed message: no ERR segments, first segment
// MSH, a code NewACK accepts, and no character set in MSH-18 other than
// ASCII or UTF-8 (NewACK checks the others by parsing its result).
// Anything else (ok false) is left to hl7.NewACK. TestAppendACKMatchesNewACK
// and FuzzAppendACK hold the two to the same bytes.
func appendACK(dst []byte, m *hl7.Message, h hl7.Header, code hl7.AckCode, opts hl7.ACKOptions) ([]byte, bool) {
	if len(opts.Errors) > 0 || m.NumSegments() == 0 || !code.Valid() {
		return dst, false
	}
	msh := m.Segment(0)
	if msh.Name() != "MSH" || strings.HasPrefix(string(code), "C") && !h.EnhancedMode() {
		return dst, false
	}
	d := m.Delimiters()
	d.Truncation = 0
	if versionAtLeast(h.Version, 2, 7, 0) {
		d.Truncation = m.Delimiters().Truncation
	}
	raw := func(f int) []byte { return msh.Field(f).Raw() }
	esc := func(dst []byte, s string) []byte { return hl7.AppendEscaped(dst, []byte(s), d) }

	dst = append(dst, "MSH"...)
	dst = append(dst, d.Field)
	dst = append(dst, d.EncodingCharacters()...)
	// Fields 3 to 12 of the ACK; 10 (its control ID) is never empty, so
	// only 11 and 12, and 18 after them, can be trailing empty fields,
	// which the builder leaves out.
	for _, f := range [...]int{5, 6, 3, 4} { // sender and receiver swapped
		dst = append(dst, d.Field)
		dst = append(dst, raw(f)...)
	}
	dst = append(dst, d.Field)
	t := opts.Time
	if t.IsZero() {
		t = time.Now()
	}
	var tb [40]byte
	dst = hl7.AppendEscaped(dst, t.AppendFormat(tb[:0], "20060102150405-0700"), d)
	dst = append(dst, d.Field, d.Field) // MSH-8 empty
	dst = esc(dst, "ACK")
	comps := []string{h.TriggerEvent, ""}
	if versionAtLeast(h.Version, 2, 3, 1) {
		comps[1] = "ACK"
	}
	for len(comps) > 0 && comps[len(comps)-1] == "" {
		comps = comps[:len(comps)-1]
	}
	for _, c := range comps {
		dst = append(dst, d.Component)
		dst = esc(dst, c)
	}
	dst = append(dst, d.Field)
	if opts.ControlID != "" {
		dst = esc(dst, opts.ControlID)
	} else {
		dst = appendRandomID(dst)
	}
	f11, f12, f18 := raw(11), raw(12), raw(18)
	if len(f18) > 0 && !plainCharset(f18, d.Repetition) {
		// NewACK parses the ACK it builds, which fails for a character
		// set the parser does not know and may transcode others.
		return dst, false
	}
	switch {
	case len(f18) > 0:
		dst = append(dst, d.Field)
		dst = append(dst, f11...)
		dst = append(dst, d.Field)
		dst = append(dst, f12...)
		for range 6 { // MSH-13 to MSH-17 empty
			dst = append(dst, d.Field)
		}
		dst = append(dst, f18...)
	case len(f12) > 0:
		dst = append(dst, d.Field)
		dst = append(dst, f11...)
		dst = append(dst, d.Field)
		dst = append(dst, f12...)
	case len(f11) > 0:
		dst = append(dst, d.Field)
		dst = append(dst, f11...)
	}
	dst = append(dst, '\r')

	dst = append(dst, "MSA"...)
	dst = append(dst, d.Field)
	dst = esc(dst, string(code))
	id := raw(10)
	if len(id) > 0 || opts.Text != "" {
		dst = append(dst, d.Field)
		dst = append(dst, id...)
	}
	if opts.Text != "" {
		dst = append(dst, d.Field)
		dst = esc(dst, opts.Text)
	}
	return append(dst, '\r'), true
}

// plainCharset reports whether the character set MSH-18 declares (its
// first non-empty repetition) is known and read without conversion, as
// ASCII and UTF-8 are.
func plainCharset(msh18 []byte, rep byte) bool {
	for _, r := range bytes.Split(msh18, []byte{rep}) {
		if len(r) > 0 {
			enc, ok := hl7.LookupCharset(string(r))
			return ok && enc == nil
		}
	}
	return true
}

// appendRandomID appends a random 20-digit upper-case hexadecimal control
// ID, the form hl7.NewACK gives an ACK without ACKOptions.ControlID.
func appendRandomID(dst []byte) []byte {
	const digits = "0123456789ABCDEF"
	var b [10]byte
	_, _ = rand.Read(b[:])
	for _, x := range b {
		dst = append(dst, digits[x>>4], digits[x&15])
	}
	return dst
}

// versionAtLeast compares an HL7 version such as "2.5.1" with
// maj.min.patch, as hl7.NewACK does: a version that is not numeric is
// older than any.
func versionAtLeast(v string, maj, min, patch int) bool {
	var n [3]int
	for i := range n { // strings.SplitN(v, ".", 3), without the slice
		p, last := v, true
		if j := strings.IndexByte(v, '.'); j >= 0 && i < 2 {
			p, v, last = v[:j], v[j+1:], false
		}
		x, err := strconv.Atoi(p)
		if err != nil {
			return false
		}
		n[i] = x
		if last {
			break
		}
	}
	if n[0] != maj {
		return n[0] > maj
	}
	if n[1] != min {
		return n[1] > min
	}
	return n[2] >= patch
}
