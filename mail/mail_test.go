package mail_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	vmail "github.com/vetlink/vetlink/mail"
	"github.com/vetlink/vetlink/mail/mailtest"
)

var date = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

var pdf = append([]byte("%PDF-1.3\n"), bytes.Repeat([]byte{0, 0xff, 'x', '\n'}, 100)...)

func rxMessage() vmail.Message {
	return vmail.Message{
		Kind:    "prescription",
		From:    mail.Address{Name: "Dr. Zoë Brandt", Address: "vet@example.org"},
		To:      []mail.Address{{Name: "Müller Farm, Inc.", Address: "farm@example.org"}, {Address: "vet@example.org"}},
		Subject: "Prescription RX-7 — Excenel® for Bossie34",
		Text:    "Your prescription is attached.\nWithdrawal: meat 96 hours.\n",
		Attachments: []vmail.Attachment{
			{Name: "prescription RX-7.pdf", ContentType: "application/pdf", Data: pdf},
		},
	}
}

// checkRx parses raw as the rxMessage and checks its headers, its MIME
// structure and the attachment's bytes.
func checkRx(t *testing.T, raw []byte) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	require.NoError(t, err)
	var dec mime.WordDecoder
	subject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	require.NoError(t, err)
	require.Equal(t, "Prescription RX-7 — Excenel® for Bossie34", subject)
	from, err := msg.Header.AddressList("From")
	require.NoError(t, err)
	require.Equal(t, []*mail.Address{{Name: "Dr. Zoë Brandt", Address: "vet@example.org"}}, from)
	to, err := msg.Header.AddressList("To")
	require.NoError(t, err)
	require.Equal(t, []*mail.Address{{Name: "Müller Farm, Inc.", Address: "farm@example.org"}, {Address: "vet@example.org"}}, to)
	require.Equal(t, "1.0", msg.Header.Get("MIME-Version"))
	require.Regexp(t, `^<[0-9a-f]+@example\.org>$`, msg.Header.Get("Message-ID"))
	_, err = msg.Header.Date()
	require.NoError(t, err)

	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	require.NoError(t, err)
	require.Equal(t, "multipart/mixed", mt)
	mr := multipart.NewReader(msg.Body, params["boundary"])
	text, err := mr.NextPart() // multipart decodes quoted-printable itself
	require.NoError(t, err)
	require.Equal(t, "text/plain; charset=utf-8", text.Header.Get("Content-Type"))
	body, err := io.ReadAll(text)
	require.NoError(t, err)
	// Lines end in CRLF on the wire; an SMTP server's dot-reader gives LF.
	require.Equal(t, "Your prescription is attached.\nWithdrawal: meat 96 hours.\n", strings.ReplaceAll(string(body), "\r\n", "\n"))
	att, err := mr.NextPart()
	require.NoError(t, err)
	require.Equal(t, "prescription RX-7.pdf", att.FileName())
	require.Equal(t, "base64", att.Header.Get("Content-Transfer-Encoding"))
	ct, _, err := mime.ParseMediaType(att.Header.Get("Content-Type"))
	require.NoError(t, err)
	require.Equal(t, "application/pdf", ct)
	b64, err := io.ReadAll(att)
	require.NoError(t, err)
	for _, line := range strings.Split(strings.TrimSpace(string(b64)), "\n") {
		require.LessOrEqual(t, len(strings.TrimSuffix(line, "\r")), 76)
	}
	data, err := io.ReadAll(base64Decoder(b64))
	require.NoError(t, err)
	require.Equal(t, pdf, data)
	_, err = mr.NextPart()
	require.ErrorIs(t, err, io.EOF, "two parts only")
}

func TestMessageBytes(t *testing.T) {
	m := rxMessage()
	raw, err := m.Bytes("0123abcd", date)
	require.NoError(t, err)
	checkRx(t, raw)
	require.Contains(t, string(raw), "Date: Sat, 14 Mar 2026 09:26:53 +0000\r\n")
	require.Contains(t, string(raw), "Message-ID: <0123abcd@example.org>\r\n")
}

func TestMessageRefusesHeaderInjection(t *testing.T) {
	tests := []struct {
		name string
		edit func(m *vmail.Message)
		want string
	}{
		{"subject LF", func(m *vmail.Message) { m.Subject = "Hi\nBcc: all@example.org" }, `subject "Hi\nBcc: all@example.org": must not contain control characters`},
		{"subject CR", func(m *vmail.Message) { m.Subject = "Hi\rX" }, "subject"},
		{"to name CRLF", func(m *vmail.Message) { m.To[0].Name = "Farm\r\nBcc: x@example.org" }, "to[0] name"},
		{"to address two", func(m *vmail.Message) { m.To[0].Address = "a@example.org, b@example.org" }, "to[0]"},
		{"to address bare name", func(m *vmail.Message) { m.To[1].Address = "farm" }, "to[1]"},
		{"from NUL", func(m *vmail.Message) { m.From.Name = "Dr\x00" }, "from name"},
		{"no recipient", func(m *vmail.Message) { m.To = nil }, "needs at least one recipient"},
		{"file name LF", func(m *vmail.Message) { m.Attachments[0].Name = "a\n.pdf" }, "attachments[0].name"},
		{"content type", func(m *vmail.Message) { m.Attachments[0].ContentType = "pdf" }, "attachments[0].contentType"},
		{"attachment empty", func(m *vmail.Message) { m.Attachments[0].Data = nil }, "needs data or a source"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := rxMessage()
			tt.edit(&m)
			_, err := m.Bytes("id", date)
			require.ErrorIs(t, err, vmail.ErrHeader)
			require.ErrorContains(t, err, tt.want)
		})
	}
}

func TestSMTPStartTLSAuth(t *testing.T) {
	srv := mailtest.NewSMTPServer(t)
	m := rxMessage()
	raw, err := m.Bytes("0123abcd", date)
	require.NoError(t, err)
	s := &vmail.SMTP{Addr: srv.Addr, Username: srv.User, Password: srv.Password, TLSConfig: &tls.Config{RootCAs: srv.Roots}}
	require.NoError(t, s.Send(context.Background(), m.From.Address, m.Recipients(), raw))
	got := srv.Mails()
	require.Len(t, got, 1)
	require.True(t, got[0].TLS, "STARTTLS before the mail")
	require.Equal(t, "vetlink", got[0].AuthAs)
	require.Equal(t, "vet@example.org", got[0].From)
	require.Equal(t, []string{"farm@example.org", "vet@example.org"}, got[0].To)
	checkRx(t, got[0].Data)
}

func TestSMTPFailures(t *testing.T) {
	srv := mailtest.NewSMTPServer(t)
	ctx := context.Background()
	raw, err := rxMessage().Bytes("x", date)
	require.NoError(t, err)
	tests := []struct {
		name string
		smtp vmail.SMTP
		want string
	}{
		{"wrong password", vmail.SMTP{Username: "vetlink", Password: "nope"}, "SMTP AUTH"},
		{"untrusted certificate", vmail.SMTP{Username: "vetlink", Password: srv.Password, TLSConfig: &tls.Config{}}, "SMTP STARTTLS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.smtp
			s.Addr = srv.Addr
			if s.TLSConfig == nil {
				s.TLSConfig = &tls.Config{RootCAs: srv.Roots}
			}
			require.ErrorContains(t, s.Send(ctx, "vet@example.org", []string{"farm@example.org"}, raw), tt.want)
		})
	}
	t.Run("no STARTTLS", func(t *testing.T) {
		plain := mailtest.NewSMTPServer(t)
		plain.NoTLS = true
		s := vmail.SMTP{Addr: plain.Addr, Username: "vetlink", Password: plain.Password}
		require.ErrorIs(t, s.Send(ctx, "vet@example.org", []string{"farm@example.org"}, raw), vmail.ErrNoTLS)
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(ctx)
		cancel()
		s := vmail.SMTP{Addr: srv.Addr}
		require.Error(t, s.Send(ctx, "vet@example.org", []string{"farm@example.org"}, raw))
	})
	require.Empty(t, srv.Mails())
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		in      string
		want    vmail.SMTP
		wantErr string
	}{
		{in: "smtp://user:p%40ss@mail.example.org:2525", want: vmail.SMTP{Addr: "mail.example.org:2525", Username: "user", Password: "p@ss"}},
		{in: "smtp://mail.example.org", want: vmail.SMTP{Addr: "mail.example.org:587"}},
		{in: "smtp://127.0.0.1:25?insecure=true", want: vmail.SMTP{Addr: "127.0.0.1:25", Insecure: true}},
		{in: "smtps://mail.example.org", wantErr: "scheme must be smtp"},
		{in: "smtp://:25", wantErr: "needs a host"},
		{in: "smtp://mail.example.org:99999", wantErr: "port must be 1 to 65535"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := vmail.ParseURL(tt.in)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, *got)
		})
	}
}

func FuzzMessageBytes(f *testing.F) {
	f.Add("Prescription RX-7 — Excenel®", "Müller, Farm", "farm@example.org", "rx 7.pdf")
	f.Add("a\r\nBcc: x@y", "n", "a@b.c", "f.pdf")
	f.Add("=?utf-8?q?x?=", "\"quoted\"", "x@[127.0.0.1]", "ü.pdf")
	f.Fuzz(func(t *testing.T, subject, name, addr, file string) {
		m := vmail.Message{
			From: mail.Address{Address: "vet@example.org"}, To: []mail.Address{{Name: name, Address: addr}},
			Subject: subject, Text: "body",
			Attachments: []vmail.Attachment{{Name: file, ContentType: "application/pdf", Data: []byte("%PDF")}},
		}
		raw, err := m.Bytes("id", date)
		if err != nil {
			if !errors.Is(err, vmail.ErrHeader) {
				t.Fatalf("error not ErrHeader: %v", err)
			}
			return
		}
		msg, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("unreadable message: %v\n%s", err, raw)
		}
		if len(msg.Header["To"]) != 1 || len(msg.Header["Subject"]) != 1 || msg.Header["Bcc"] != nil {
			t.Fatalf("headers changed by the input: %q", msg.Header)
		}
		var dec mime.WordDecoder
		// A header's leading and trailing blanks are not part of its value.
		if got, err := dec.DecodeHeader(msg.Header.Get("Subject")); err != nil || got != strings.Trim(subject, " \t") {
			t.Fatalf("subject %q read back as %q (%v)", subject, got, err)
		}
	})
}
