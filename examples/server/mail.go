package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"os"
	"strings"

	"github.com/vetlink/vetlink/mail"
	"github.com/vetlink/vetlink/openapi"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/site"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/vetview/jobs"
)

// mailSettings configure the outbox's sender, from the environment only:
// the SMTP URL carries a password.
type mailSettings struct {
	// SMTPURL is VETLINK_SMTP_URL, smtp://user:pass@host:587; empty means
	// every mail is written to the log (still through the outbox).
	SMTPURL string
	// From is VETLINK_MAIL_FROM, the sender of every mail, such as
	// "vetlink <noreply@vets.example>"; empty means vetlink@<host name>.
	From string
}

func mailSettingsFromEnv(getenv func(string) string) mailSettings {
	return mailSettings{SMTPURL: getenv("VETLINK_SMTP_URL"), From: getenv("VETLINK_MAIL_FROM")}
}

// newOutbox builds the one mailer of the server: the outbox on db, sending
// over SMTP when configured and to the log otherwise, attaching
// prescription PDFs made from the store.
func newOutbox(db *store.DB, rxs *rx.Service, ms mailSettings, logger *slog.Logger) (*mail.Outbox, error) {
	from := ms.From
	if from == "" {
		host, err := os.Hostname()
		if err != nil || host == "" || strings.ContainsAny(host, " @") {
			host = "localhost"
		}
		from = "vetlink <vetlink@" + host + ">"
	}
	addr, err := netmail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("VETLINK_MAIL_FROM %q: %w", from, err)
	}
	var sender mail.Sender = logSender{logger}
	if ms.SMTPURL != "" {
		s, err := mail.ParseURL(ms.SMTPURL)
		if err != nil {
			return nil, fmt.Errorf("VETLINK_SMTP_URL: %w", err)
		}
		sender = s
		logger.Info("mail is sent over SMTP", "addr", s.Addr, "from", addr.Address)
	} else {
		logger.Info("VETLINK_SMTP_URL is not set: mail is written to the log", "from", addr.Address)
	}
	docs := &openapi.Documents{Rx: rxs, Site: &site.Service{Store: db.Site()}}
	return &mail.Outbox{Store: db.Mail(), Sender: sender, From: *addr, Resolve: docs.Resolve, Logger: logger}, nil
}

// logSender writes each mail to the log as one record "mail" with to,
// subject and body (the plain text; attachments by name), where an
// operator finds the links a server without SMTP would have mailed.
type logSender struct{ logger *slog.Logger }

func (l logSender) Send(ctx context.Context, from string, to []string, msg []byte) error {
	m, err := netmail.ReadMessage(bytes.NewReader(msg))
	if err != nil {
		return err
	}
	var dec mime.WordDecoder
	subject, err := dec.DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		return err
	}
	body, attachments, err := plainBody(m)
	if err != nil {
		return err
	}
	l.logger.InfoContext(ctx, "mail", "to", strings.Join(to, ", "), "subject", subject, "body", body, "attachments", attachments)
	return nil
}

// plainBody returns the text of a message Message.Bytes wrote and the
// names of its attachments.
func plainBody(m *netmail.Message) (string, []string, error) {
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		return "", nil, err
	}
	if !strings.HasPrefix(mt, "multipart/") {
		b, err := io.ReadAll(quotedprintable.NewReader(m.Body))
		return string(b), nil, err
	}
	var (
		text  string
		names []string
	)
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return text, names, nil
		}
		if err != nil {
			return "", nil, err
		}
		if name := p.FileName(); name != "" {
			names = append(names, name)
			continue
		}
		b, err := io.ReadAll(p)
		if err != nil {
			return "", nil, err
		}
		text += string(b)
	}
}

// reminderSender queues the reminder job's notifications in the outbox.
func reminderSender(ob *mail.Outbox) jobs.Sender {
	return jobs.SenderFunc(func(ctx context.Context, n jobs.Notification) error {
		to := make([]netmail.Address, 0, len(n.To))
		for _, s := range n.To {
			a, err := netmail.ParseAddress(s)
			if err != nil {
				return fmt.Errorf("reminder recipient %q: %w", s, err)
			}
			to = append(to, *a)
		}
		if _, err := ob.Enqueue(ctx, mail.Message{Kind: "reminder", To: to, Subject: n.Subject, Text: n.Body}); err != nil {
			return err
		}
		ob.Wake()
		return nil
	})
}
