package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrHeader reports a header value that would break the message's
// header section: a CR, LF or other control character in a name, subject
// or file name, or an address net/mail cannot parse.
var ErrHeader = errors.New("mail: invalid header value")

// Message is one e-mail to write into the outbox: plain text, with
// optional attachments. From is left zero to use the Outbox's From.
type Message struct {
	// Kind says what the mail is for ("prescription", "message",
	// "confirmation", "invitation", "comment", "reminder"); it is logged
	// and observed, never mailed.
	Kind    string         `json:"kind"`
	From    mail.Address   `json:"from,omitzero"`
	To      []mail.Address `json:"to"`
	ReplyTo *mail.Address  `json:"replyTo,omitempty"`
	Subject string         `json:"subject"`
	// Text is the plain-text body, UTF-8.
	Text        string       `json:"text"`
	Attachments []Attachment `json:"attachments,omitzero"`
}

// Attachment is a file sent with a message. Either Data holds it, or
// Source names it for [Outbox.Resolve] to make at delivery time.
type Attachment struct {
	// Name is the file name the recipient sees, such as "rx-123.pdf".
	Name        string `json:"name"`
	ContentType string `json:"contentType"`
	Data        []byte `json:"data,omitempty"`
	// Source, when Data is empty, names what Outbox.Resolve makes, such as
	// "prescription:RX-123".
	Source string `json:"source,omitempty"`
}

// MaxRecipients bounds the recipients of one message.
const MaxRecipients = 50

// MaxSubject bounds the subject, in bytes.
const MaxSubject = 998 - len("Subject: ")

func headerErr(field, value, rule string) error {
	return fmt.Errorf("%w: %s %q: %s", ErrHeader, field, value, rule)
}

// checkHeaderText refuses control characters (CR and LF above all) in a
// value that goes into a header.
func checkHeaderText(field, v string) error {
	for _, r := range v {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return headerErr(field, v, "must not contain control characters (CR, LF)")
		}
	}
	return nil
}

func checkAddress(field string, a mail.Address) error {
	if err := checkHeaderText(field+" name", a.Name); err != nil {
		return err
	}
	if err := checkHeaderText(field+" address", a.Address); err != nil {
		return err
	}
	p, err := mail.ParseAddress(a.Address)
	if err != nil || p.Address != a.Address {
		return headerErr(field, a.Address, "must be one bare address such as vet@example.org")
	}
	return nil
}

// Validate checks what Bytes needs: at least one recipient (at most
// MaxRecipients), addresses net/mail parses, no control characters in any
// header value, a subject of at most MaxSubject bytes, and attachments
// with a name and a content type that carry data or a source.
func (m Message) Validate() error {
	if len(m.To) == 0 {
		return headerErr("to", "", "needs at least one recipient")
	}
	if len(m.To) > MaxRecipients {
		return headerErr("to", fmt.Sprint(len(m.To), " recipients"), fmt.Sprintf("at most %d", MaxRecipients))
	}
	for i, a := range m.To {
		if err := checkAddress(fmt.Sprintf("to[%d]", i), a); err != nil {
			return err
		}
	}
	if m.From.Address != "" {
		if err := checkAddress("from", m.From); err != nil {
			return err
		}
	}
	if m.ReplyTo != nil {
		if err := checkAddress("replyTo", *m.ReplyTo); err != nil {
			return err
		}
	}
	if err := checkHeaderText("subject", m.Subject); err != nil {
		return err
	}
	if len(m.Subject) > MaxSubject {
		return headerErr("subject", m.Subject[:40]+"…", fmt.Sprintf("at most %d bytes", MaxSubject))
	}
	for i, at := range m.Attachments {
		f := fmt.Sprintf("attachments[%d]", i)
		if at.Name == "" {
			return headerErr(f+".name", "", "is required")
		}
		if err := checkHeaderText(f+".name", at.Name); err != nil {
			return err
		}
		if mt, _, err := mime.ParseMediaType(at.ContentType); err != nil || !strings.Contains(mt, "/") || strings.ContainsAny(at.ContentType, "\r\n") {
			return headerErr(f+".contentType", at.ContentType, "must be a media type such as application/pdf")
		}
		if len(at.Data) == 0 && at.Source == "" {
			return headerErr(f, at.Name, "needs data or a source")
		}
	}
	return nil
}

// Recipients returns the envelope recipients (RCPT TO) of m.
func (m Message) Recipients() []string {
	out := make([]string, len(m.To))
	for i, a := range m.To {
		out[i] = a.Address
	}
	return out
}

// Bytes writes m as an RFC 5322 message with MIME (RFC 2045-2049) body:
// text/plain in quoted-printable when it has no attachment, otherwise
// multipart/mixed with the text first and each attachment in base64. id
// is the Message-ID's local part and date its Date. Attachments must
// carry Data (resolve Sources first). Bytes validates m.
func (m Message) Bytes(id string, date time.Time) ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if m.From.Address == "" {
		return nil, headerErr("from", "", "is required")
	}
	if err := checkHeaderText("id", id); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	h := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	h("From", m.From.String())
	to := make([]string, len(m.To))
	for i, a := range m.To {
		to[i] = a.String()
	}
	h("To", strings.Join(to, ", "))
	if m.ReplyTo != nil {
		h("Reply-To", m.ReplyTo.String())
	}
	h("Subject", encodeText(m.Subject))
	h("Date", date.UTC().Format(time.RFC1123Z))
	_, domain, _ := strings.Cut(m.From.Address, "@")
	h("Message-ID", "<"+id+"@"+domain+">")
	h("MIME-Version", "1.0")
	if len(m.Attachments) == 0 {
		h("Content-Type", "text/plain; charset=utf-8")
		h("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		if err := writeQP(&b, m.Text); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	}
	mw := multipart.NewWriter(&b)
	h("Content-Type", mime.FormatMediaType("multipart/mixed", map[string]string{"boundary": mw.Boundary()}))
	b.WriteString("\r\n")
	pw, err := mw.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {"text/plain; charset=utf-8"},
		"Content-Transfer-Encoding": {"quoted-printable"},
	})
	if err != nil {
		return nil, err
	}
	if err := writeQP(pw, m.Text); err != nil {
		return nil, err
	}
	for i, at := range m.Attachments {
		if len(at.Data) == 0 {
			return nil, headerErr(fmt.Sprintf("attachments[%d]", i), at.Name, "has no data (resolve its source first)")
		}
		ct, params, _ := mime.ParseMediaType(at.ContentType)
		params["name"] = at.Name
		pw, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {mime.FormatMediaType(ct, params)},
			"Content-Disposition":       {mime.FormatMediaType("attachment", map[string]string{"filename": at.Name})},
			"Content-Transfer-Encoding": {"base64"},
		})
		if err != nil {
			return nil, err
		}
		writeBase64(pw, at.Data)
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// encodeText encodes an unstructured header value (RFC 2047). Text that
// itself looks like an encoded word ("=?…") is base64-encoded whole, since
// mime.QEncoding leaves ASCII alone and a reader would decode it.
func encodeText(s string) string {
	if !strings.Contains(s, "=?") {
		return mime.QEncoding.Encode("utf-8", s)
	}
	var words []string
	for len(s) > 0 {
		n := min(len(s), 45)
		for n < len(s) && !utf8.RuneStart(s[n]) {
			n--
		}
		words = append(words, "=?utf-8?b?"+base64.StdEncoding.EncodeToString([]byte(s[:n]))+"?=")
		s = s[n:]
	}
	return strings.Join(words, "\r\n ")
}

type writer interface{ Write([]byte) (int, error) }

// writeQP writes text in quoted-printable with CRLF line ends.
func writeQP(w writer, text string) error {
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\n", "\r\n")
	qw := quotedprintable.NewWriter(w)
	if _, err := qw.Write([]byte(text)); err != nil {
		return err
	}
	return qw.Close()
}

// writeBase64 writes data in base64 lines of 76 characters (RFC 2045).
func writeBase64(w writer, data []byte) {
	enc := base64.StdEncoding.EncodeToString(data)
	for len(enc) > 76 {
		w.Write([]byte(enc[:76] + "\r\n"))
		enc = enc[76:]
	}
	w.Write([]byte(enc + "\r\n"))
}

// newID returns 128 random bits in hex, for an outbox row and its
// Message-ID.
func newID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}
