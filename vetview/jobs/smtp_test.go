package jobs_test

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/vetview/jobs"
)

// mail is one message a test SMTP server accepted.
type mail struct {
	from string
	to   []string
	data string
}

// smtpServer is a minimal SMTP server on a loopback port (RFC 5321: EHLO,
// MAIL, RCPT, DATA, QUIT), enough for net/smtp's client. rejectRcpt makes
// it answer 550 to RCPT TO that address.
func smtpServer(t *testing.T, rejectRcpt string) (addr string, got <-chan mail) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	out := make(chan mail, 16)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go serveSMTP(conn, rejectRcpt, out)
		}
	}()
	return ln.Addr().String(), out
}

func serveSMTP(conn net.Conn, rejectRcpt string, out chan<- mail) {
	defer conn.Close()
	tp := textproto.NewConn(conn)
	tp.PrintfLine("220 test.example ESMTP")
	var m mail
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			tp.PrintfLine("250-test.example\r\n250 8BITMIME")
		case "MAIL":
			path, _, _ := strings.Cut(strings.TrimPrefix(arg, "FROM:"), " ") // drop BODY=8BITMIME
			m = mail{from: strings.Trim(path, "<>")}
			tp.PrintfLine("250 OK")
		case "RCPT":
			rcpt := strings.Trim(strings.TrimPrefix(arg, "TO:"), "<>")
			if rcpt == rejectRcpt {
				tp.PrintfLine("550 no such user")
				continue
			}
			m.to = append(m.to, rcpt)
			tp.PrintfLine("250 OK")
		case "DATA":
			tp.PrintfLine("354 go ahead")
			data, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			m.data = string(data)
			out <- m
			tp.PrintfLine("250 queued")
		case "QUIT":
			tp.PrintfLine("221 bye")
			return
		default:
			tp.PrintfLine("502 not implemented")
		}
	}
}

var sent = time.Date(2026, 3, 2, 11, 0, 0, 0, time.UTC)

func TestSMTPSenderSends(t *testing.T) {
	t.Parallel()
	addr, got := smtpServer(t, "")
	s := &jobs.SMTPSender{Addr: addr, From: "vetlink <reminders@clinic.example>", Now: func() time.Time { return sent }}
	err := s.Send(context.Background(), jobs.Notification{
		To:      []string{"Mia Meadow <mia@meadow.example>", "tom@meadow.example"},
		Subject: "Mia Meadow: 2 overdue — 1 due",
		Body:    "line one\nline two",
	})
	require.NoError(t, err)
	m := <-got
	require.Equal(t, "reminders@clinic.example", m.from)
	require.Equal(t, []string{"mia@meadow.example", "tom@meadow.example"}, m.to)
	// textproto's ReadDotBytes turns CRLF into LF.
	head, body, ok := strings.Cut(m.data, "\n\n")
	require.True(t, ok)
	require.Equal(t, "line one\nline two\n", body)
	require.Contains(t, head, `From: "vetlink" <reminders@clinic.example>`)
	require.Contains(t, head, `To: "Mia Meadow" <mia@meadow.example>, <tom@meadow.example>`)
	require.Contains(t, head, "Subject: =?utf-8?q?Mia_Meadow:_2_overdue_=E2=80=94_1_due?=")
	require.Contains(t, head, "Date: Mon, 02 Mar 2026 11:00:00 +0000")
	require.Contains(t, head, "Content-Type: text/plain; charset=utf-8")
	require.Regexp(t, `Message-ID: <[0-9a-f]{24}@clinic\.example>`, head)
}

func TestSMTPSenderRefuses(t *testing.T) {
	t.Parallel()
	addr, _ := smtpServer(t, "gone@meadow.example")
	s := &jobs.SMTPSender{Addr: addr, From: "reminders@clinic.example"}
	tests := []struct {
		name string
		n    jobs.Notification
		want string
		bad  bool // ErrBadNotification
	}{
		{"no recipient", jobs.Notification{Subject: "x"}, "no recipient", true},
		{"bad address", jobs.Notification{To: []string{"not an address"}}, `to "not an address"`, true},
		{"header injection", jobs.Notification{To: []string{"a@b.example"}, Subject: "hi\r\nBcc: x@evil.example"}, "must be one line", true},
		{"server rejects recipient", jobs.Notification{To: []string{"gone@meadow.example"}, Subject: "x"}, `RCPT TO gone@meadow.example: 550 "no such user"`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Send(context.Background(), tt.n)
			require.Error(t, err)
			require.Equal(t, tt.bad, errors.Is(err, jobs.ErrBadNotification))
			require.Contains(t, err.Error(), tt.want)
		})
	}
	bad := &jobs.SMTPSender{Addr: addr, From: "nobody"}
	require.ErrorIs(t, bad.Send(context.Background(), jobs.Notification{To: []string{"a@b.example"}}), jobs.ErrBadNotification)
}

func TestSMTPSenderHonoursContext(t *testing.T) {
	t.Parallel()
	// A server that accepts and never greets.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			bufio.NewReader(c).ReadByte() // hold the connection open
			c.Close()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	s := &jobs.SMTPSender{Addr: ln.Addr().String(), From: "reminders@clinic.example"}
	start := time.Now()
	err = s.Send(ctx, jobs.Notification{To: []string{"a@b.example"}, Subject: "x"})
	require.Error(t, err)
	require.Less(t, time.Since(start), 5*time.Second)
}

// TestSMTPSenderEncodesEveryHeader: control characters that reach the
// sender inside a display name or the subject are encoded, never written
// as a line break that would start a forged header.
func TestSMTPSenderEncodesEveryHeader(t *testing.T) {
	t.Parallel()
	addr, got := smtpServer(t, "")
	s := &jobs.SMTPSender{Addr: addr, From: "vetlink <reminders@clinic.example>", Now: func() time.Time { return sent }}
	err := s.Send(context.Background(), jobs.Notification{
		// An encoded word that decodes to a name with CR LF in it.
		To:      []string{"=?utf-8?q?Mia=0D=0ABcc=3A_x=40evil.example?= <mia@meadow.example>"},
		Subject: "Mia\x0bMeadow\x00: 1 due",
		Body:    "line one",
	})
	require.NoError(t, err)
	m := <-got
	require.Equal(t, []string{"mia@meadow.example"}, m.to, "only the real recipient")
	head, _, ok := strings.Cut(m.data, "\n\n")
	require.True(t, ok)
	for _, line := range strings.Split(head, "\n") {
		require.False(t, strings.HasPrefix(line, "Bcc:"), "forged header %q", line)
		require.False(t, strings.ContainsFunc(line, func(r rune) bool { return r < 0x20 && r != '\r' }), "control character in %q", line)
	}
	require.Contains(t, head, "To: =?utf-8?b?TWlhDQpCY2M6IHhAZXZpbC5leGFtcGxl?= <mia@meadow.example>", `base64 of "Mia\r\nBcc: x@evil.example"`)
	require.Contains(t, head, "Subject: =?utf-8?q?Mia=0BMeadow=00:_1_due?=")
}

// TestUserNamesRefuseControlCharacters: the names a reminder puts in its
// subject cannot carry a line break in the first place (rx.User.Validate).
func TestUserNamesRefuseControlCharacters(t *testing.T) {
	t.Parallel()
	ok := rx.User{Uname: "meadowfarm", Type: rx.MOR, Firstname: "Mia", Lastname: "Meadow"}
	require.NoError(t, ok.Validate())
	for _, tt := range []struct{ field, value string }{
		{"firstname", "Mia\r\nBcc: x@evil.example"}, {"lastname", "Mea\ndow"}, {"uname", "meadow\x00farm"},
		{"suffix", "DVM\t"}, {"lastname", "Mea\x7fdow"},
	} {
		u := ok
		switch tt.field {
		case "firstname":
			u.Firstname = tt.value
		case "lastname":
			u.Lastname = tt.value
		case "uname":
			u.Uname = tt.value
		case "suffix":
			u.Suffix = tt.value
		}
		err := u.Validate()
		require.ErrorIs(t, err, rx.ErrInvalid, "%s %q", tt.field, tt.value)
		require.ErrorContains(t, err, tt.field+" ")
		require.ErrorContains(t, err, "must not contain control characters")
	}
}
