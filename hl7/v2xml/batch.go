package v2xml

import (
	"bytes"
	"strconv"

	"github.com/vetlink/vetlink/hl7"
)

// The wrapper elements of a batch (HL7 v2 section 2.10.3, "HL7 batch
// protocol": [FHS] {[BHS] {message} [BTS]} [FTS]) in v2.xml. FILE holds
// FHS, one BATCH element per batch and FTS; BATCH holds BHS, the message
// elements (each named by its message structure, as Marshal writes them)
// and BTS. A batch without FHS is a document whose root is BATCH.
//
// These names follow the v2.xml batch schema as we understand it; the
// specification's batch section could not be read from here, so the
// naming is not confirmed against its text (see the package
// documentation).
const (
	fileElement  = "FILE"
	batchElement = "BATCH"
)

// isWrapper reports whether name is a batch wrapper element, which no
// message structure may be named.
func isWrapper(name string) bool { return name == fileElement || name == batchElement }

// MarshalBatch returns the v2.xml encoding of an ER7 batch, compact. It is
// EncodeOptions{}.MarshalBatch(er7).
func MarshalBatch(er7 []byte) ([]byte, error) {
	return EncodeOptions{}.MarshalBatch(er7)
}

// MarshalBatch returns the v2.xml encoding of an ER7 batch or file: FHS
// ... FTS becomes a FILE element, BHS ... BTS a BATCH element, and each
// message the element Marshal writes for it; a stream of messages without
// FHS or BHS becomes one BATCH. Every segment must end with CR (no LF, no
// blank lines), so that DecodeOptions.BatchER7 gives the same bytes back.
//
// FHS and BHS are written with their own delimiters, each message with
// its MSH-1 and MSH-2, BTS with those of its BHS (of the batch's last
// message when there is no BHS), FTS with those of FHS. Trailer counts
// are not checked here; hl7.Writer and hl7.Reader do that. Errors are
// *EncodeError values.
func (o EncodeOptions) MarshalBatch(er7 []byte) ([]byte, error) {
	segs, err := splitBatch(er7)
	if err != nil {
		return nil, err
	}
	b := &batchEncoder{o: o, er7: er7}
	b.buf.Grow(len(er7) * 3)
	b.buf.WriteString(xmlDeclaration)
	i := 0
	if len(segs) > 0 && segs[0].id == "FHS" {
		fhs := segs[0]
		d, err := headerDelimiters(fhs.raw)
		if err != nil {
			return nil, err
		}
		b.buf.WriteString("<" + fileElement)
		if !b.o.OmitNamespace {
			b.buf.WriteString(` xmlns="` + Namespace + `"`)
		}
		b.buf.WriteString(">")
		if err := b.segment(fhs, d, 1); err != nil {
			return nil, err
		}
		i = 1
		for i < len(segs) && segs[i].id != "FTS" {
			start := i
			if i, err = b.batch(segs, i, 1, false); err != nil {
				return nil, err
			}
			if i == start {
				return nil, segError(segs[i], "segment where a batch should start")
			}
		}
		if i < len(segs) {
			if err := b.segment(segs[i], d, 1); err != nil {
				return nil, err
			}
			i++
		}
		if i < len(segs) {
			return nil, segError(segs[i], "segment after FTS")
		}
		b.newline(0)
		b.buf.WriteString("</" + fileElement + ">\n")
		return b.buf.Bytes(), nil
	}
	if i, err = b.batch(segs, 0, 0, true); err != nil {
		return nil, err
	}
	if i < len(segs) {
		return nil, segError(segs[i], "segment after the batch (a second batch needs FHS)")
	}
	b.buf.WriteByte('\n')
	return b.buf.Bytes(), nil
}

// batchSegment is one segment of an ER7 batch: its ID, its bytes without
// the CR, and its offset in the stream.
type batchSegment struct {
	id  string
	raw []byte
	off int
}

func segError(s batchSegment, msg string) error {
	return &EncodeError{Location: s.id + " (byte " + strconv.Itoa(s.off) + ")", Msg: msg}
}

// splitBatch cuts an ER7 stream into CR-terminated segments.
func splitBatch(er7 []byte) ([]batchSegment, error) {
	var out []batchSegment
	for off := 0; off < len(er7); {
		end := bytes.IndexByte(er7[off:], '\r')
		if end < 0 {
			return nil, &EncodeError{Location: "byte " + strconv.Itoa(off), Msg: "the last segment does not end with CR"}
		}
		raw := er7[off : off+end]
		if bytes.IndexByte(raw, '\n') >= 0 || len(raw) < 3 {
			return nil, &EncodeError{Location: "byte " + strconv.Itoa(off), Msg: "not a CR-terminated segment (LF, blank line or short segment)"}
		}
		id := string(raw[:3])
		if !isSegmentID(id) {
			return nil, &EncodeError{Location: "byte " + strconv.Itoa(off), Msg: "bad segment ID " + strconv.Quote(id)}
		}
		out = append(out, batchSegment{id: id, raw: raw, off: off})
		off += end + 1
	}
	return out, nil
}

// headerDelimiters reads the delimiters FHS or BHS declares.
func headerDelimiters(raw []byte) (hl7.Delimiters, error) {
	if len(raw) < 8 {
		return hl7.Delimiters{}, &EncodeError{Location: string(raw[:3]), Msg: "header too short to declare its delimiters"}
	}
	fs := raw[3]
	enc := raw[4:]
	if i := bytes.IndexByte(enc, fs); i >= 0 {
		enc = enc[:i]
	}
	if len(enc) < 3 || len(enc) > 5 {
		return hl7.Delimiters{}, &EncodeError{Location: string(raw[:3]) + "-2", Msg: "three to five encoding characters expected"}
	}
	d := hl7.Delimiters{Field: fs, Component: enc[0], Repetition: enc[1], Escape: enc[2]}
	if len(enc) > 3 {
		d.Subcomponent = enc[3]
	}
	if len(enc) > 4 {
		d.Truncation = enc[4]
	}
	if err := d.Validate(); err != nil {
		return hl7.Delimiters{}, &EncodeError{Location: string(raw[:3]) + "-2", Msg: err.Error()}
	}
	return d, nil
}

type batchEncoder struct {
	o   EncodeOptions
	er7 []byte
	buf bytes.Buffer
}

func (b *batchEncoder) newline(depth int) {
	if b.o.Indent == "" {
		return
	}
	b.buf.WriteByte('\n')
	for range depth {
		b.buf.WriteString(b.o.Indent)
	}
}

// segment writes a batch header or trailer segment with delimiters d.
func (b *batchEncoder) segment(s batchSegment, d hl7.Delimiters, depth int) error {
	e := &encoder{buf: &b.buf, d: d, indent: b.o.Indent, seq: map[string]int{}}
	b.newline(depth)
	return e.segmentRaw(s.id, s.raw, depth)
}

// batch writes the BATCH element for the batch starting at segs[i]:
// [BHS] {message} [BTS]. It returns the index of the first segment after
// the batch. root says whether BATCH is the document's root element.
func (b *batchEncoder) batch(segs []batchSegment, i, depth int, root bool) (int, error) {
	if !root {
		b.newline(depth)
	}
	b.buf.WriteString("<" + batchElement)
	if root && !b.o.OmitNamespace {
		b.buf.WriteString(` xmlns="` + Namespace + `"`)
	}
	b.buf.WriteString(">")
	trailer, hasBHS := hl7.DefaultDelimiters, false
	if i < len(segs) && segs[i].id == "BHS" {
		d, err := headerDelimiters(segs[i].raw)
		if err != nil {
			return 0, err
		}
		if err := b.segment(segs[i], d, depth+1); err != nil {
			return 0, err
		}
		trailer, hasBHS = d, true
		i++
	}
	for i < len(segs) && segs[i].id == "MSH" {
		j := i + 1
		for j < len(segs) && !isBatchBoundary(segs[j].id) {
			j++
		}
		last := segs[j-1]
		m, err := hl7.Parse(b.er7[segs[i].off : last.off+len(last.raw)+1])
		if err != nil {
			return 0, segError(segs[i], "message does not parse: "+err.Error())
		}
		b.newline(depth + 1)
		if err := b.o.message(&b.buf, m, depth+1, false); err != nil {
			return 0, err
		}
		if !hasBHS {
			trailer = m.Delimiters()
		}
		i = j
	}
	if i < len(segs) && segs[i].id == "BTS" {
		if err := b.segment(segs[i], trailer, depth+1); err != nil {
			return 0, err
		}
		i++
	}
	if i < len(segs) && !isBatchBoundary(segs[i].id) {
		return 0, segError(segs[i], "segment outside a message")
	}
	if i < len(segs) && segs[i].id == "BTS" {
		return 0, segError(segs[i], "a second BTS")
	}
	b.newline(depth)
	b.buf.WriteString("</" + batchElement + ">")
	return i, nil
}

func isBatchBoundary(id string) bool {
	switch id {
	case "MSH", "FHS", "BHS", "BTS", "FTS":
		return true
	}
	return false
}

// UnmarshalBatch decodes a v2.xml batch document (root FILE or BATCH) into
// the ER7 batch. It is DecodeOptions{}.BatchER7(data).
func UnmarshalBatch(data []byte) ([]byte, error) {
	return DecodeOptions{}.BatchER7(data)
}

// BatchER7 decodes a v2.xml batch document into ER7, the exact inverse of
// MarshalBatch: FILE gives FHS, its batches and FTS; BATCH gives BHS, its
// messages and BTS; every segment ends with CR. Read the result with
// hl7.NewReader, which checks the trailer counts. The limits and the
// refusals of ER7 (DOCTYPE, entities, other namespaces, depth, size)
// apply to the whole document. Errors are *SyntaxError values.
func (o DecodeOptions) BatchER7(data []byte) ([]byte, error) {
	root, maxBytes, err := o.readDocument(data)
	if err != nil {
		return nil, err
	}
	bw := &batchWriter{limit: maxBytes}
	switch root.name {
	case fileElement:
		err = bw.file(root)
	case batchElement:
		err = bw.batch(root)
	default:
		return nil, &SyntaxError{Line: root.line, Element: root.name, Err: ErrSyntax, Msg: "the root element of a batch document must be FILE or BATCH"}
	}
	if err != nil {
		return nil, err
	}
	return bw.out, nil
}

type batchWriter struct {
	out   []byte
	limit int
}

// wrapperChildren returns the elements of a FILE or BATCH element, which
// holds no text of its own.
func wrapperChildren(e *elem) ([]*elem, error) {
	if e.hasText {
		return nil, &SyntaxError{Line: e.line, Element: e.name, Err: ErrSyntax, Msg: "text in " + e.name}
	}
	kids := e.structural()
	if len(kids) < len(e.children) {
		return nil, &SyntaxError{Line: e.line, Element: e.name, Err: ErrSyntax, Msg: "escape element in " + e.name}
	}
	return kids, nil
}

func (bw *batchWriter) file(f *elem) error {
	kids, err := wrapperChildren(f)
	if err != nil {
		return err
	}
	if len(kids) == 0 || kids[0].name != "FHS" {
		return &SyntaxError{Line: f.line, Element: f.name, Err: ErrSyntax, Msg: "FILE must start with FHS"}
	}
	d, err := bw.header(kids[0])
	if err != nil {
		return err
	}
	kids = kids[1:]
	var fts *elem
	if n := len(kids); n > 0 && kids[n-1].name == "FTS" {
		fts = kids[n-1]
		kids = kids[:n-1]
	}
	for _, k := range kids {
		if k.name != batchElement {
			return &SyntaxError{Line: k.line, Element: k.name, Err: ErrSyntax, Msg: "FILE holds FHS, BATCH elements and FTS"}
		}
		if err := bw.batch(k); err != nil {
			return err
		}
	}
	if fts != nil {
		return bw.trailer(fts, d)
	}
	return nil
}

func (bw *batchWriter) batch(b *elem) error {
	kids, err := wrapperChildren(b)
	if err != nil {
		return err
	}
	trailer, hasBHS := hl7.DefaultDelimiters, false
	if len(kids) > 0 && kids[0].name == "BHS" {
		if trailer, err = bw.header(kids[0]); err != nil {
			return err
		}
		hasBHS = true
		kids = kids[1:]
	}
	var bts *elem
	if n := len(kids); n > 0 && kids[n-1].name == "BTS" {
		bts = kids[n-1]
		kids = kids[:n-1]
	}
	for _, k := range kids {
		if isWrapper(k.name) || isBatchBoundary(k.name) {
			return &SyntaxError{Line: k.line, Element: k.name, Err: ErrSyntax, Msg: "BATCH holds BHS, message elements and BTS"}
		}
		er7, d, err := writeMessage(k, bw.limit-len(bw.out))
		if err != nil {
			return err
		}
		bw.out = append(bw.out, er7...)
		if !hasBHS {
			trailer = d
		}
	}
	if bts != nil {
		return bw.trailer(bts, trailer)
	}
	return nil
}

// header writes FHS or BHS and returns the delimiters it declares.
func (bw *batchWriter) header(s *elem) (hl7.Delimiters, error) {
	w := &writer{limit: bw.limit - len(bw.out)}
	if err := w.delimiters(s); err != nil {
		return hl7.Delimiters{}, err
	}
	if err := w.segment(s); err != nil {
		return hl7.Delimiters{}, err
	}
	return w.d, bw.add(w, s)
}

// trailer writes BTS or FTS with the delimiters d.
func (bw *batchWriter) trailer(s *elem, d hl7.Delimiters) error {
	w := &writer{limit: bw.limit - len(bw.out), d: d}
	if err := w.segment(s); err != nil {
		return err
	}
	return bw.add(w, s)
}

func (bw *batchWriter) add(w *writer, s *elem) error {
	if len(w.out) > w.limit {
		return &SyntaxError{Line: s.line, Element: s.name, Err: ErrTooLarge, Msg: "the batch would exceed " + strconv.Itoa(bw.limit) + " bytes"}
	}
	bw.out = append(bw.out, w.out...)
	return nil
}
