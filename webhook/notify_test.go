package webhook_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
	"github.com/vetlink/vetlink/webhook"
)

// TestNotifyAcrossConnections publishes through one DB (another process's
// pool, as far as the dispatcher can tell) while the dispatcher, polling
// once an hour and never woken in-process, runs on a second: on
// PostgreSQL the commit's NOTIFY wakes it. A rolled-back publish notifies
// nothing and sends nothing.
func TestNotifyAcrossConnections(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	ctx := context.Background()
	open := func() *store.DB {
		db, err := store.Open(ctx, dsn)
		require.NoError(t, err)
		t.Cleanup(func() { db.Close() })
		require.NoError(t, db.SetSecretKey(storetest.SecretKey()))
		return db
	}
	dispatching, publishing := open(), open()
	secret := webhook.NewSecret()
	rc := newReceiver(t, secret, nil)
	svc := &webhook.Service{Store: publishing.Webhooks(), Guard: loopback}
	_, err := svc.CreateSubscription(ctx, webhook.Subscription{URL: rc.URL, Events: []webhook.EventType{"case.created"}, Secrets: []webhook.Secret{{Key: secret}}, Active: true})
	require.NoError(t, err)
	run(t, &webhook.Dispatcher{Store: dispatching.Webhooks(), Guard: loopback, PollInterval: time.Hour})
	time.Sleep(300 * time.Millisecond) // the first poll and LISTEN are done

	for i := range 5 {
		start := time.Now()
		require.NoError(t, publishing.InTx(ctx, func(ctx context.Context) error {
			_, err := svc.Publish(ctx, webhook.Event{Type: "case.created", ResourceID: uuid.NewString()})
			return err
		}))
		eventually(t, func() bool { return len(rc.received()) == i+1 }, "the commit wakes the other pool's dispatcher")
		require.Less(t, time.Since(start), 5*time.Second, "woken, not polled")
	}
	errRollback := context.Canceled
	err = publishing.InTx(ctx, func(ctx context.Context) error {
		if _, err := svc.Publish(ctx, webhook.Event{Type: "case.created", ResourceID: "rolled-back"}); err != nil {
			return err
		}
		return errRollback
	})
	require.ErrorIs(t, err, errRollback)
	time.Sleep(200 * time.Millisecond)
	require.Len(t, rc.received(), 5, "a rolled-back publish sends nothing")
}

// TestNotifyUnsupportedOnSQLite: the SQLite store cannot notify, and the
// dispatcher polls.
func TestNotifyUnsupportedOnSQLite(t *testing.T) {
	db := storetest.SQLite(t)
	err := db.Webhooks().Listen(context.Background(), func() {})
	require.ErrorIs(t, err, webhook.ErrNotifyUnsupported)
}

// TestRateLimit sends 12 deliveries to a subscription limited to 10 a
// second: the first 10 go at once (the burst), the 11th and 12th wait for
// their tokens, 100 ms apart.
func TestRateLimit(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		rc := newHeaderReceiver(t, 0)
		svc := &webhook.Service{Store: db.Webhooks(), Guard: loopback}
		_, err := svc.CreateSubscription(ctx, webhook.Subscription{URL: rc.URL, Events: []webhook.EventType{"case.created"}, Active: true, RateLimit: 10})
		require.NoError(t, err)
		var events []webhook.Event
		for range 12 {
			events = append(events, webhook.Event{Type: "case.created", ResourceID: uuid.NewString()})
		}
		_, err = svc.PublishAll(ctx, events)
		require.NoError(t, err)
		start := time.Now()
		run(t, &webhook.Dispatcher{Store: db.Webhooks(), Guard: loopback, PollInterval: 10 * time.Millisecond})
		eventually(t, func() bool { return len(rc.headers()) == 12 }, "every delivery arrives")
		took := time.Since(start)
		require.GreaterOrEqual(t, took, 190*time.Millisecond, "the last two waited for their tokens")
		require.Less(t, took, 5*time.Second)
	})
}
