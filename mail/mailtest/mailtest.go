// Package mailtest checks implementations of [mail.Store]: the one
// conformance suite every store runs, as slogtest does for slog handlers.
//
//	func TestMailStore(t *testing.T) {
//		mailtest.TestStore(t, func(t *testing.T) mail.Store { return openMyStore(t) })
//	}
package mailtest

import (
	"context"
	"fmt"
	"net/mail"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	vmail "github.com/vetlink/vetlink/mail"
)

// t0 is the suite's clock, in whole microseconds as the stores keep them.
var t0 = time.Date(2026, 3, 14, 9, 26, 53, 589_793_000, time.UTC)

// TestStore runs the conformance suite; newStore returns a fresh, empty
// store for each subtest.
func TestStore(t *testing.T, newStore func(t *testing.T) vmail.Store) {
	t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, newStore(t)) })
	t.Run("ClaimAndLease", func(t *testing.T) { testClaimAndLease(t, newStore(t)) })
	t.Run("Finish", func(t *testing.T) { testFinish(t, newStore(t)) })
	t.Run("ConcurrentClaims", func(t *testing.T) { testConcurrentClaims(t, newStore(t)) })
	t.Run("Prune", func(t *testing.T) { testPrune(t, newStore(t)) })
}

func row(id string, due time.Time) vmail.Mail {
	return vmail.Mail{
		ID: id, State: vmail.Pending, NextAttempt: due, Created: due,
		Message: vmail.Message{
			Kind: "prescription", From: mail.Address{Name: "Dr. Über", Address: "vet@example.org"},
			To:      []mail.Address{{Name: "Farm", Address: "farm@example.org"}},
			Subject: "Prescription RX-1", Text: "Attached.\n",
			Attachments: []vmail.Attachment{
				{Name: "rx-1.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.3\x00\xff")},
				{Name: "rx-2.pdf", ContentType: "application/pdf", Source: "prescription:RX-2"},
			},
		},
	}
}

func add(t *testing.T, s vmail.Store, ms ...vmail.Mail) {
	t.Helper()
	for _, m := range ms {
		require.NoError(t, s.AddMail(context.Background(), m))
	}
}

func testRoundTrip(t *testing.T, s vmail.Store) {
	ctx := context.Background()
	want := row("m1", t0)
	add(t, s, want)
	got, err := s.Mail(ctx, "m1")
	require.NoError(t, err)
	require.Equal(t, want, got)
	require.Error(t, s.AddMail(ctx, want), "the same id twice")
	_, err = s.Mail(ctx, "nope")
	require.ErrorIs(t, err, vmail.ErrNotFound)
	n, err := s.MailBacklog(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	as, err := s.MailAttempts(ctx, "m1")
	require.NoError(t, err)
	require.Empty(t, as)
}

func ids(ms []vmail.Mail) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

func testClaimAndLease(t *testing.T, s vmail.Store) {
	ctx := context.Background()
	add(t, s, row("late", t0.Add(time.Hour)), row("b", t0.Add(time.Minute)), row("a", t0))
	got, err := s.ClaimMail(ctx, "w1", t0.Add(2*time.Minute), 5*time.Minute, 10)
	require.NoError(t, err)
	require.Equal(t, []string{"a", "b"}, ids(got), "due rows, oldest due first; the late one is not due")
	require.NotEmpty(t, got[0].Lease)
	require.NotEqual(t, got[0].Lease, "")

	again, err := s.ClaimMail(ctx, "w2", t0.Add(3*time.Minute), 5*time.Minute, 10)
	require.NoError(t, err)
	require.Empty(t, again, "leased rows are not claimed while the lease runs")

	limited, err := s.ClaimMail(ctx, "w2", t0.Add(2*time.Hour), 5*time.Minute, 1)
	require.NoError(t, err)
	require.Equal(t, []string{"a"}, ids(limited), "a lease that ended is claimed again, within the limit")
	require.NotEqual(t, got[0].Lease, limited[0].Lease)

	none, err := s.ClaimMail(ctx, "w2", t0.Add(2*time.Hour), time.Minute, 0)
	require.NoError(t, err)
	require.Empty(t, none)
}

func testFinish(t *testing.T, s vmail.Store) {
	ctx := context.Background()
	add(t, s, row("m", t0))
	c, err := s.ClaimMail(ctx, "w", t0, time.Minute, 1)
	require.NoError(t, err)
	require.Len(t, c, 1)

	fail := vmail.Outcome{Lease: c[0].Lease, State: vmail.Pending, NextAttempt: t0.Add(10 * time.Minute),
		Attempt: vmail.Attempt{MailID: "m", N: 1, At: t0, Duration: 1500 * time.Microsecond, Error: "451 try later"}}
	require.ErrorIs(t, s.FinishMail(ctx, vmail.Outcome{Lease: "other", State: vmail.Sent, Attempt: vmail.Attempt{MailID: "m", N: 1, At: t0}}), vmail.ErrLeaseLost)
	require.NoError(t, s.FinishMail(ctx, fail))
	require.ErrorIs(t, s.FinishMail(ctx, fail), vmail.ErrLeaseLost, "the lease is released")

	m, err := s.Mail(ctx, "m")
	require.NoError(t, err)
	require.Equal(t, vmail.Pending, m.State)
	require.Equal(t, 1, m.Attempts)
	require.Equal(t, t0.Add(10*time.Minute), m.NextAttempt)
	require.Equal(t, "451 try later", m.LastError)
	require.Empty(t, m.Lease)

	c, err = s.ClaimMail(ctx, "w", t0.Add(9*time.Minute), time.Minute, 1)
	require.NoError(t, err)
	require.Empty(t, c, "not due before its backoff")
	c, err = s.ClaimMail(ctx, "w", t0.Add(10*time.Minute), time.Minute, 1)
	require.NoError(t, err)
	require.Len(t, c, 1)
	require.Equal(t, 1, c[0].Attempts)

	at := t0.Add(10*time.Minute + time.Second)
	require.NoError(t, s.FinishMail(ctx, vmail.Outcome{Lease: c[0].Lease, State: vmail.Sent,
		Attempt: vmail.Attempt{MailID: "m", N: 2, At: at, Duration: 3 * time.Millisecond}}))
	m, err = s.Mail(ctx, "m")
	require.NoError(t, err)
	require.Equal(t, vmail.Sent, m.State)
	require.Equal(t, at, m.Sent)
	require.Empty(t, m.LastError)
	n, err := s.MailBacklog(ctx)
	require.NoError(t, err)
	require.Zero(t, n)
	c, err = s.ClaimMail(ctx, "w", t0.Add(48*time.Hour), time.Minute, 1)
	require.NoError(t, err)
	require.Empty(t, c, "a sent mail is never claimed")

	as, err := s.MailAttempts(ctx, "m")
	require.NoError(t, err)
	require.Equal(t, []vmail.Attempt{
		{MailID: "m", N: 1, At: t0, Duration: 1500 * time.Microsecond, Error: "451 try later"},
		{MailID: "m", N: 2, At: at, Duration: 3 * time.Millisecond},
	}, as)
}

func testConcurrentClaims(t *testing.T, s vmail.Store) {
	ctx := context.Background()
	const rows, workers = 40, 4
	for i := range rows {
		add(t, s, row(fmt.Sprintf("m%02d", i), t0.Add(time.Duration(i)*time.Second)))
	}
	var (
		mu   sync.Mutex
		seen = map[string]string{}
		wg   sync.WaitGroup
	)
	for w := range workers {
		wg.Go(func() {
			owner := fmt.Sprint("w", w)
			for {
				c, err := s.ClaimMail(ctx, owner, t0.Add(time.Hour), time.Hour, 3)
				if err != nil {
					t.Errorf("%s: %v", owner, err)
					return
				}
				if len(c) == 0 {
					return
				}
				mu.Lock()
				for _, m := range c {
					if prev, ok := seen[m.ID]; ok {
						t.Errorf("%s claimed by %s and %s", m.ID, prev, owner)
					}
					seen[m.ID] = owner
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	require.Len(t, seen, rows)
}

func testPrune(t *testing.T, s vmail.Store) {
	ctx := context.Background()
	// old-sent and old-failed are past retention; old-pending is not
	// delivered yet; new-sent is recent.
	for _, r := range []struct {
		id    string
		at    time.Time
		state vmail.State
	}{
		{"old-sent", t0, vmail.Sent}, {"old-failed", t0.Add(time.Minute), vmail.Failed},
		{"old-pending", t0, vmail.Pending}, {"new-sent", t0.Add(48 * time.Hour), vmail.Sent},
	} {
		add(t, s, row(r.id, r.at))
		if r.state == vmail.Pending {
			continue
		}
		c, err := s.ClaimMail(ctx, "w", r.at, time.Minute, 10)
		require.NoError(t, err)
		for _, m := range c {
			if m.ID != r.id {
				continue
			}
			require.NoError(t, s.FinishMail(ctx, vmail.Outcome{Lease: m.Lease, State: r.state,
				Attempt: vmail.Attempt{MailID: m.ID, N: 1, At: r.at}}))
		}
		// Release whatever else the claim leased, by letting it lapse.
	}
	n, err := s.PruneMail(ctx, t0.Add(24*time.Hour), 1)
	require.NoError(t, err)
	require.Equal(t, 1, n, "the limit holds")
	n, err = s.PruneMail(ctx, t0.Add(24*time.Hour), 100)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	for id, kept := range map[string]bool{"old-sent": false, "old-failed": false, "old-pending": true, "new-sent": true} {
		_, err := s.Mail(ctx, id)
		if kept {
			require.NoError(t, err, id)
		} else {
			require.ErrorIs(t, err, vmail.ErrNotFound, id)
			as, err := s.MailAttempts(ctx, id)
			require.NoError(t, err)
			require.Empty(t, as, "the attempts of %s go with it", id)
		}
	}
}
