package main

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/mail"
	"github.com/vetlink/vetlink/mail/mailtest"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/store/storetest"
	"github.com/vetlink/vetlink/vetview/jobs"
)

// recordLog keeps the records a logger writes.
type recordLog struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (l *recordLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *recordLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *recordLog) WithGroup(string) slog.Handler            { return l }
func (l *recordLog) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	l.recs = append(l.recs, r)
	l.mu.Unlock()
	return nil
}

func (l *recordLog) mail() map[string]string {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range l.recs {
		if r.Message == "mail" {
			out := map[string]string{}
			r.Attrs(func(a slog.Attr) bool { out[a.Key] = a.Value.String(); return true })
			return out
		}
	}
	return nil
}

// Without VETLINK_SMTP_URL the reminder job's mail still goes through the
// outbox, and is written to the log.
func TestOutboxWithoutSMTPLogs(t *testing.T) {
	db := storetest.SQLite(t)
	log := &recordLog{}
	ob, err := newOutbox(db, &rx.Service{Store: db.Rx()}, mailSettings{From: "Herd Vets <rx@herdvets.example>"}, slog.New(log))
	require.NoError(t, err)
	require.NoError(t, reminderSender(ob).Send(context.Background(), jobs.Notification{
		To: []string{"Bob Miller <bob@millerdairy.example>"}, Subject: "3 tasks due today", Body: "Bossie34: dose 2 of 3 at 08:00.\n"}))
	n, err := ob.DeliverDue(context.Background())
	require.NoError(t, err)
	require.Equal(t, 1, n)
	got := log.mail()
	require.Equal(t, "bob@millerdairy.example", got["to"])
	require.Equal(t, "3 tasks due today", got["subject"])
	require.Equal(t, "Bossie34: dose 2 of 3 at 08:00.\r\n", got["body"])
	ms, err := db.Mail().MailByKind(context.Background(), "reminder")
	require.NoError(t, err)
	require.Len(t, ms, 1)
	require.Equal(t, mail.Sent, ms[0].State)
}

func TestOutboxSendsOverSMTP(t *testing.T) {
	db := storetest.SQLite(t)
	srv := mailtest.NewSMTPServer(t)
	srv.NoTLS, srv.User = true, "" // a relay on loopback, as insecure=true allows
	ob, err := newOutbox(db, &rx.Service{Store: db.Rx()}, mailSettings{SMTPURL: "smtp://" + srv.Addr + "?insecure=true"}, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	require.NoError(t, ob.Mail(context.Background(), "farm@example.org", "Confirm your e-mail address", "Open the link."))
	_, err = ob.DeliverDue(context.Background())
	require.NoError(t, err)
	got := srv.Mails()
	require.Len(t, got, 1)
	require.Equal(t, []string{"farm@example.org"}, got[0].To)
	require.True(t, strings.HasPrefix(got[0].From, "vetlink@"), got[0].From)
}

func TestMailSettingsRefused(t *testing.T) {
	db := storetest.SQLite(t)
	for _, ms := range []mailSettings{{SMTPURL: "smtps://mail.example.org"}, {From: "not an address"}} {
		_, err := newOutbox(db, &rx.Service{Store: db.Rx()}, ms, slog.New(slog.DiscardHandler))
		require.Error(t, err, "%+v", ms)
	}
}
