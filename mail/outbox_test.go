package mail_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net/mail"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	vmail "github.com/vetlink/vetlink/mail"
	"github.com/vetlink/vetlink/mail/mailtest"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
)

// clock is a settable clock for the Outbox.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// observer keeps what the Outbox tells it.
type observer struct {
	mu       sync.Mutex
	backlogs []int
	attempts []string
}

func (o *observer) Backlog(n int) { o.mu.Lock(); o.backlogs = append(o.backlogs, n); o.mu.Unlock() }
func (o *observer) Attempted(kind string, sent bool, d time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	r := kind + " failed"
	if sent {
		r = kind + " sent"
	}
	o.attempts = append(o.attempts, r)
}

func setup(t *testing.T, db *store.DB, srv *mailtest.SMTPServer) (*vmail.Outbox, *clock, *observer) {
	c := &clock{t: date}
	obs := &observer{}
	return &vmail.Outbox{
		Store:    db.Mail(),
		Sender:   &vmail.SMTP{Addr: srv.Addr, Username: srv.User, Password: srv.Password, TLSConfig: &tls.Config{RootCAs: srv.Roots}},
		From:     mail.Address{Name: "vetlink", Address: "noreply@example.org"},
		Policy:   vmail.Policy{Backoff: []time.Duration{time.Minute, 5 * time.Minute}, Attempts: 4},
		Observer: obs,
		Now:      c.Now,
	}, c, obs
}

func deliver(t *testing.T, ob *vmail.Outbox, want int) {
	t.Helper()
	n, err := ob.DeliverDue(context.Background())
	require.NoError(t, err)
	require.Equal(t, want, n, "mails tried")
}

func TestOutboxRetriesWithBackoff(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := mailtest.NewSMTPServer(t)
		ob, clk, obs := setup(t, db, srv)
		srv.FailNext(2)
		m, err := ob.Enqueue(ctx, rxMessage())
		require.NoError(t, err)

		deliver(t, ob, 1) // 451
		clk.Set(date.Add(59 * time.Second))
		deliver(t, ob, 0) // backing off for a minute
		clk.Set(date.Add(time.Minute))
		deliver(t, ob, 1) // 451 again
		clk.Set(date.Add(5*time.Minute + 59*time.Second))
		deliver(t, ob, 0)
		clk.Set(date.Add(6 * time.Minute))
		deliver(t, ob, 1) // sent
		clk.Set(date.Add(48 * time.Hour))
		deliver(t, ob, 0) // never again

		got, err := db.Mail().Mail(ctx, m.ID)
		require.NoError(t, err)
		require.Equal(t, vmail.Sent, got.State)
		require.Equal(t, 3, got.Attempts)
		require.Equal(t, date.Add(6*time.Minute), got.Sent)
		as, err := db.Mail().MailAttempts(ctx, m.ID)
		require.NoError(t, err)
		require.Len(t, as, 3)
		require.Equal(t, []time.Time{date, date.Add(time.Minute), date.Add(6 * time.Minute)}, []time.Time{as[0].At, as[1].At, as[2].At})
		require.Contains(t, as[0].Error, `451 "4.3.0 try again later"`)
		require.Contains(t, as[1].Error, "SMTP DATA")
		require.Empty(t, as[2].Error)

		mails := srv.Mails()
		require.Len(t, mails, 1)
		checkRx(t, mails[0].Data)
		require.Equal(t, []string{"prescription failed", "prescription failed", "prescription sent"}, obs.attempts)
		require.Equal(t, []int{1, 1, 1, 1, 0, 0}, obs.backlogs)
	})
}

func TestOutboxGivesUp(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := mailtest.NewSMTPServer(t)
		ob, clk, _ := setup(t, db, srv)
		srv.FailNext(10)
		m, err := ob.Enqueue(ctx, rxMessage())
		require.NoError(t, err)
		for i, at := range []time.Duration{0, time.Minute, 6 * time.Minute, 11 * time.Minute} {
			clk.Set(date.Add(at))
			deliver(t, ob, 1)
			got, err := db.Mail().Mail(ctx, m.ID)
			require.NoError(t, err)
			require.Equal(t, i+1, got.Attempts)
		}
		clk.Set(date.Add(24 * time.Hour))
		deliver(t, ob, 0)
		got, err := db.Mail().Mail(ctx, m.ID)
		require.NoError(t, err)
		require.Equal(t, vmail.Failed, got.State, "after Policy.Attempts")
		require.Empty(t, srv.Mails())
	})
}

// An attachment that cannot be made yet (a PDF whose rendering failed)
// is made again at every attempt; the mail waits for it.
func TestOutboxResolvesAttachments(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := mailtest.NewSMTPServer(t)
		ob, clk, _ := setup(t, db, srv)
		calls := 0
		ob.Resolve = func(ctx context.Context, source string) (vmail.Attachment, error) {
			calls++
			if source != "prescription:RX-7" {
				return vmail.Attachment{}, errors.New("unknown source " + source)
			}
			if calls == 1 {
				return vmail.Attachment{}, errors.New("fonts not loaded")
			}
			return vmail.Attachment{Data: pdf}, nil
		}
		msg := rxMessage()
		msg.Attachments[0].Data, msg.Attachments[0].Source = nil, "prescription:RX-7"
		m, err := ob.Enqueue(ctx, msg)
		require.NoError(t, err)
		deliver(t, ob, 1)
		as, err := db.Mail().MailAttempts(ctx, m.ID)
		require.NoError(t, err)
		require.Equal(t, `mail: attachment "prescription RX-7.pdf" from "prescription:RX-7": fonts not loaded`, as[0].Error)
		clk.Set(date.Add(time.Minute))
		deliver(t, ob, 1)
		mails := srv.Mails()
		require.Len(t, mails, 1)
		checkRx(t, mails[0].Data)
	})
}

func TestOutboxRunWakes(t *testing.T) {
	db := storetest.SQLite(t)
	srv := mailtest.NewSMTPServer(t)
	ob, _, _ := setup(t, db, srv)
	ob.Now = nil
	ob.PollInterval = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- ob.Run(ctx) }()
	for i := range 3 {
		msg := rxMessage()
		msg.Subject = "Prescription RX-" + string(rune('A'+i))
		_, err := ob.Enqueue(context.Background(), msg)
		require.NoError(t, err)
		ob.Wake()
		require.Eventually(t, func() bool { return len(srv.Mails()) == i+1 }, 10*time.Second, 5*time.Millisecond)
	}
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
}

func TestEnqueueValidates(t *testing.T) {
	db := storetest.SQLite(t)
	ob := &vmail.Outbox{Store: db.Mail()}
	_, err := ob.Enqueue(context.Background(), rxMessage())
	require.NoError(t, err, "the message's own From suffices")
	msg := rxMessage()
	msg.From = mail.Address{}
	_, err = ob.Enqueue(context.Background(), msg)
	require.ErrorContains(t, err, "from")
	msg = rxMessage()
	msg.Subject = "x\r\nBcc: all@example.org"
	_, err = ob.Enqueue(context.Background(), msg)
	require.ErrorIs(t, err, vmail.ErrHeader)
	n, err := db.Mail().MailBacklog(context.Background())
	require.NoError(t, err)
	require.Equal(t, 1, n)
}

func TestOutboxPrunesAfterRetention(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := mailtest.NewSMTPServer(t)
		ob, clk, _ := setup(t, db, srv)
		sent, err := ob.Enqueue(ctx, rxMessage())
		require.NoError(t, err)
		deliver(t, ob, 1)
		clk.Set(date.Add(vmail.DefaultRetention - time.Minute))
		pending, err := ob.Enqueue(ctx, rxMessage())
		require.NoError(t, err)
		n, err := ob.Prune(ctx)
		require.NoError(t, err)
		require.Zero(t, n, "kept for DefaultRetention")
		clk.Set(date.Add(vmail.DefaultRetention + time.Minute))
		n, err = ob.Prune(ctx)
		require.NoError(t, err)
		require.Equal(t, 1, n)
		_, err = db.Mail().Mail(ctx, sent.ID)
		require.ErrorIs(t, err, vmail.ErrNotFound)
		_, err = db.Mail().Mail(ctx, pending.ID)
		require.NoError(t, err, "pending mail is never pruned")
	})
}
