package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/smtp"
	"net/url"
	"strconv"
	"time"
)

// Sender hands one rendered message to a mail system. from and to are the
// envelope (MAIL FROM, RCPT TO); msg is the message as Message.Bytes
// wrote it.
type Sender interface {
	Send(ctx context.Context, from string, to []string, msg []byte) error
}

// SMTP sends through an SMTP submission server with net/smtp: EHLO, then
// STARTTLS when the server offers it (required unless Insecure), then AUTH
// PLAIN when Username is set, then MAIL, RCPT and DATA. Each Send is one
// connection.
type SMTP struct {
	// Addr is host:port, such as smtp.example.org:587.
	Addr               string
	Username, Password string
	// TLSConfig configures STARTTLS; nil means the system roots and the
	// host of Addr as the server name.
	TLSConfig *tls.Config
	// Insecure allows a server that does not offer STARTTLS (a relay on
	// localhost); credentials are never sent in clear either way.
	Insecure bool
	// LocalName is the name given in EHLO; empty means "localhost".
	LocalName string
	// Timeout bounds one Send when the context has no earlier deadline;
	// zero means one minute.
	Timeout time.Duration
}

// ParseURL reads an SMTP configuration from a URL such as
// smtp://user:pass@smtp.example.org:587 (the form of VETLINK_SMTP_URL).
// The port defaults to 587; the query parameter insecure=true sets
// Insecure.
func ParseURL(s string) (*SMTP, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("mail: SMTP URL: %w", err)
	}
	if u.Scheme != "smtp" {
		return nil, fmt.Errorf("mail: SMTP URL %q: scheme must be smtp", u.Redacted())
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("mail: SMTP URL %q: needs a host", u.Redacted())
	}
	port := u.Port()
	if port == "" {
		port = "587"
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return nil, fmt.Errorf("mail: SMTP URL %q: port must be 1 to 65535", u.Redacted())
	}
	s2 := &SMTP{Addr: net.JoinHostPort(u.Hostname(), port), Insecure: u.Query().Get("insecure") == "true"}
	if u.User != nil {
		s2.Username = u.User.Username()
		s2.Password, _ = u.User.Password()
	}
	return s2, nil
}

// ErrNoTLS reports a server that offers no STARTTLS when Insecure is off.
var ErrNoTLS = errors.New("mail: SMTP server does not offer STARTTLS")

// Send delivers msg in one SMTP session. A failure names the SMTP step.
func (s *SMTP) Send(ctx context.Context, from string, to []string, msg []byte) (err error) {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	host, _, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return fmt.Errorf("mail: SMTP address %q: %w", s.Addr, err)
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("mail: SMTP dial %s: %w", s.Addr, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	// A cancelled context closes the connection, ending any blocked step.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("mail: SMTP greeting from %s: %w", s.Addr, err)
	}
	defer c.Close()
	step := func(name string, err error) error {
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			err = errors.Join(err, ctx.Err())
		}
		return fmt.Errorf("mail: SMTP %s at %s: %w", name, s.Addr, err)
	}
	local := s.LocalName
	if local == "" {
		local = "localhost"
	}
	if err := step("EHLO", c.Hello(local)); err != nil {
		return err
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		cfg := s.TLSConfig
		if cfg == nil {
			cfg = &tls.Config{}
		}
		cfg = cfg.Clone()
		if cfg.ServerName == "" {
			cfg.ServerName = host
		}
		if err := step("STARTTLS", c.StartTLS(cfg)); err != nil {
			return err
		}
	} else if !s.Insecure {
		return fmt.Errorf("%w (%s)", ErrNoTLS, s.Addr)
	}
	if s.Username != "" {
		// PlainAuth refuses to send the password unless the connection is
		// TLS or the server is on localhost.
		if err := step("AUTH", c.Auth(smtp.PlainAuth("", s.Username, s.Password, host))); err != nil {
			return err
		}
	}
	if err := step("MAIL FROM", c.Mail(from)); err != nil {
		return err
	}
	for _, r := range to {
		if err := step("RCPT TO "+r, c.Rcpt(r)); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err := step("DATA", err); err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return step("DATA", err)
	}
	if err := step("DATA", w.Close()); err != nil {
		return err
	}
	return step("QUIT", c.Quit())
}

// LogSender logs each mail instead of sending it: the outbox of a server
// without SMTP still writes, retries and records every mail.
type LogSender struct {
	Logger *slog.Logger
}

// Send logs the envelope and size of msg.
func (l LogSender) Send(ctx context.Context, from string, to []string, msg []byte) error {
	if l.Logger != nil {
		l.Logger.InfoContext(ctx, "mail (not sent: no SMTP configured)", "from", from, "to", to, "bytes", len(msg))
	}
	return nil
}
