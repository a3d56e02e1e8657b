package jobs

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"strings"
	"time"
)

// Notification is one message to people: a subject and a plain-text body
// for one or more addresses.
type Notification struct {
	To      []string // e-mail addresses, "name@example.org" or "Name <name@example.org>"
	Subject string
	Body    string // plain text; lines end in "\n"
}

// Sender delivers notifications. [SMTPSender] sends e-mail; a program may
// plug in its own (SMS, a chat webhook) for the reminder job.
type Sender interface {
	Send(ctx context.Context, n Notification) error
}

// ErrBadNotification reports a notification that cannot be sent as given:
// no recipient, an address that does not parse, or a line break in the
// subject (which would let the text inject mail headers).
var ErrBadNotification = errors.New("jobs: bad notification")

// SMTPSender sends notifications as plain-text e-mail through an SMTP
// server (RFC 5321), upgrading to TLS with STARTTLS when the server offers
// it. Its zero value is not usable: set Addr and From.
type SMTPSender struct {
	// Addr is the server's host:port, e.g. "smtp.example.org:587".
	Addr string
	// From is the sender's address, e.g. "vetlink <reminders@example.org>".
	From string
	// Auth authenticates, e.g. smtp.PlainAuth; nil sends without.
	// net/smtp refuses PLAIN auth over an unencrypted connection to a
	// remote host.
	Auth smtp.Auth
	// TLS configures STARTTLS; nil uses the host name of Addr.
	TLS *tls.Config
	// Timeout bounds one Send when ctx has no earlier deadline; zero
	// means 30 s.
	Timeout time.Duration
	// Now stamps the Date header; nil means time.Now.
	Now func() time.Time
}

// Send delivers n to every address of n.To in one SMTP transaction. It
// fails with [ErrBadNotification] for a notification it refuses to send,
// and with the server's error otherwise.
func (s *SMTPSender) Send(ctx context.Context, n Notification) error {
	from, err := mail.ParseAddress(s.From)
	if err != nil {
		return fmt.Errorf("%w: from %q: %v", ErrBadNotification, s.From, err)
	}
	if len(n.To) == 0 {
		return fmt.Errorf("%w: no recipient", ErrBadNotification)
	}
	var to []*mail.Address
	for _, a := range n.To {
		addr, err := mail.ParseAddress(a)
		if err != nil {
			return fmt.Errorf("%w: to %q: %v", ErrBadNotification, a, err)
		}
		to = append(to, addr)
	}
	if strings.ContainsAny(n.Subject, "\r\n") {
		return fmt.Errorf("%w: subject %q: must be one line", ErrBadNotification, n.Subject)
	}
	// The subject is written Q-encoded, and the addresses through
	// mail.Address, so no byte of any header value (a user's name in the
	// subject, a display name) reaches the message unencoded.
	msg := s.message(from, to, n)

	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("jobs: smtp %s: %w", s.Addr, err)
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		conn.SetDeadline(deadline)
	}
	// Closing the connection is how a cancelled ctx interrupts a blocked
	// read or write.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	host, _, _ := net.SplitHostPort(s.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return fmt.Errorf("jobs: smtp %s: %w", s.Addr, err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		cfg := s.TLS
		if cfg == nil {
			cfg = &tls.Config{ServerName: host}
		}
		if err := c.StartTLS(cfg); err != nil {
			return fmt.Errorf("jobs: smtp %s: starttls: %w", s.Addr, err)
		}
	}
	if s.Auth != nil {
		if err := c.Auth(s.Auth); err != nil {
			return fmt.Errorf("jobs: smtp %s: auth: %w", s.Addr, err)
		}
	}
	if err := c.Mail(from.Address); err != nil {
		return fmt.Errorf("jobs: smtp %s: MAIL FROM: %w", s.Addr, err)
	}
	for _, a := range to {
		if err := c.Rcpt(a.Address); err != nil {
			return fmt.Errorf("jobs: smtp %s: RCPT TO %s: %w", s.Addr, a.Address, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("jobs: smtp %s: DATA: %w", s.Addr, err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("jobs: smtp %s: DATA: %w", s.Addr, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("jobs: smtp %s: DATA: %w", s.Addr, err)
	}
	if err := c.Quit(); err != nil {
		return fmt.Errorf("jobs: smtp %s: QUIT: %w", s.Addr, err)
	}
	return nil
}

// message formats n as an RFC 5322 message with CRLF line ends.
func (s *SMTPSender) message(from *mail.Address, to []*mail.Address, n Notification) []byte {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	var b bytes.Buffer
	// Every value is encoded before it gets here; a control character
	// that slipped through anyway is dropped, never written as a line end.
	header := func(k, v string) { b.WriteString(k + ": " + strings.Map(dropControl, v) + "\r\n") }
	header("From", from.String())
	list := make([]string, len(to))
	for i, a := range to {
		list[i] = a.String()
	}
	header("To", strings.Join(list, ", "))
	header("Subject", mime.QEncoding.Encode("utf-8", n.Subject))
	header("Date", now().Format(time.RFC1123Z))
	header("Message-ID", "<"+randomID()+"@"+domainOf(from.Address)+">")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "8bit")
	b.WriteString("\r\n")
	body := strings.ReplaceAll(n.Body, "\r\n", "\n")
	b.WriteString(strings.ReplaceAll(body, "\n", "\r\n"))
	if !strings.HasSuffix(body, "\n") {
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

// dropControl drops C0 control characters and DEL from a header value.
func dropControl(r rune) rune {
	if r < 0x20 || r == 0x7f {
		return -1
	}
	return r
}

func randomID() string {
	var r [12]byte
	rand.Read(r[:])
	return hex.EncodeToString(r[:])
}

func domainOf(addr string) string {
	if _, d, ok := strings.Cut(addr, "@"); ok && d != "" {
		return d
	}
	return "localhost"
}

// SenderFunc adapts a function to a [Sender], e.g. to hand reminders to an
// SMS gateway or a chat webhook.
type SenderFunc func(ctx context.Context, n Notification) error

// Send calls f.
func (f SenderFunc) Send(ctx context.Context, n Notification) error { return f(ctx, n) }
