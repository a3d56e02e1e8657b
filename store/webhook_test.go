package store_test

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
	"github.com/vetlink/vetlink/webhook"
	"github.com/vetlink/vetlink/webhook/webhooktest"
)

func TestWebhookStore(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			webhooktest.TestStore(t, func(t *testing.T) webhook.Store {
				return storetest.Open(t, engine).Webhooks()
			})
		})
	}
}

// A published event commits with the business change, or not at all.
func TestWebhookPublishJoinsTransaction(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := &webhook.Service{Store: db.Webhooks()}
		sub, err := svc.CreateSubscription(ctx, webhook.Subscription{URL: "https://receiver.example/", Events: []webhook.EventType{"case.created"}, Active: true})
		require.NoError(t, err)

		errRollback := errors.New("the business change failed")
		var rolledBack webhook.Event
		err = db.InTx(ctx, func(ctx context.Context) error {
			rolledBack, err = svc.Publish(ctx, webhook.Event{Type: "case.created", ResourceID: "1"})
			require.NoError(t, err)
			return errRollback
		})
		require.ErrorIs(t, err, errRollback)

		var committed webhook.Event
		require.NoError(t, db.InTx(ctx, func(ctx context.Context) error {
			committed, err = svc.Publish(ctx, webhook.Event{Type: "case.created", ResourceID: "2"})
			return err
		}))

		ds, err := db.Webhooks().Deliveries(ctx, webhook.DeliveryQuery{SubscriptionID: sub.ID})
		require.NoError(t, err)
		require.Len(t, ds, 1)
		require.Equal(t, committed.ID, ds[0].EventID)
		ds, err = db.Webhooks().Deliveries(ctx, webhook.DeliveryQuery{EventID: rolledBack.ID})
		require.NoError(t, err)
		require.Empty(t, ds)
	})
}

// webhookMigrations returns the webhook migrations of both engines up to
// version last, read from the source tree.
func webhookMigrations(t *testing.T, last int) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	for _, engine := range []string{"sqlite", "postgres"} {
		for v, name := range map[int]string{10: "0010_webhook.sql", 11: "0011_webhook_retention.sql"} {
			if v > last {
				continue
			}
			path := "migrations/" + engine + "/" + name
			b, err := os.ReadFile(path)
			require.NoError(t, err)
			fsys[path] = &fstest.MapFile{Data: b}
		}
	}
	return fsys
}

// Deliveries failed by a disabling before migration 0011 are recognised
// by their error text, and are stranded once their subscription is active.
func TestWebhookMigrationMarksDisabledFailures(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, err := store.OpenUnmigrated(ctx, openDSN(t, engine))
			require.NoError(t, err)
			defer db.Close()
			require.NoError(t, db.MigrateFS(ctx, webhookMigrations(t, 10)))
			for _, q := range []string{
				`INSERT INTO webhook_subscriptions (id, url, format, secrets, active, created_at, updated_at)
					VALUES ('5b0c1e6e-8f7a-4d2b-9c3e-0a1b2c3d4e5f', 'https://lab.example/', 'json', '[]', TRUE, 0, 0)`,
				`INSERT INTO webhook_subscription_events (subscription_id, event_type)
					VALUES ('5b0c1e6e-8f7a-4d2b-9c3e-0a1b2c3d4e5f', 'case.created')`,
				`INSERT INTO webhook_events (id, type, resource_id, occurred_at)
					VALUES ('9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a', 'case.created', '1', 0)`,
				`INSERT INTO webhook_deliveries (id, event_id, subscription_id, event_type, state, next_attempt_at, last_error, created_at, updated_at, completed_at)
					VALUES ('00000000-0000-4000-8000-000000000001', '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a', '5b0c1e6e-8f7a-4d2b-9c3e-0a1b2c3d4e5f',
						'case.created', 'failed', 0, 'subscription disabled: status 410', 1, 2, 2),
					('00000000-0000-4000-8000-000000000002', '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a', '5b0c1e6e-8f7a-4d2b-9c3e-0a1b2c3d4e5f',
						'case.created', 'failed', 0, 'status 500', 1, 2, 2)`,
			} {
				require.NoError(t, store.ExecForTest(ctx, db, q))
			}
			require.NoError(t, db.MigrateFS(ctx, webhookMigrations(t, 11)))
			ds, err := db.Webhooks().Stranded(ctx, 10)
			require.NoError(t, err)
			require.Len(t, ds, 1)
			require.Equal(t, "00000000-0000-4000-8000-000000000001", ds[0].ID.String())
			n, err := db.Webhooks().RecoverStranded(ctx, time.Unix(10, 0))
			require.NoError(t, err)
			require.Equal(t, 1, n)
		})
	}
}

// BenchmarkWebhookPrune prunes 20,000 succeeded deliveries, their attempts
// and events, while another goroutine enqueues one event at a time, and
// reports the prune's rows/s and the slowest of those enqueues: the time
// the prune's batches make a writer wait.
//
//	VETLINK_TEST_POSTGRES=... go test ./store/ -run '^$' -bench WebhookPrune -benchtime 3x
func BenchmarkWebhookPrune(b *testing.B) {
	for _, engine := range storetest.Engines() {
		b.Run(string(engine), func(b *testing.B) {
			ctx := context.Background()
			db := storetest.Open(b, engine)
			ws := db.Webhooks()
			sub := webhook.Subscription{ID: uuid.New(), URL: "https://lab.example/", Format: webhook.FormatJSON,
				Events: []webhook.EventType{"case.created"}, Secrets: []webhook.Secret{{Key: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}}, Active: true}
			require.NoError(b, ws.CreateSubscription(ctx, sub))
			const n = 20000
			old := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			var rows, slowest time.Duration
			for b.Loop() {
				b.StopTimer()
				es, ds := make([]webhook.Event, n), make([]webhook.Delivery, n)
				for i := range es {
					es[i] = webhook.Event{ID: uuid.New(), Type: "case.created", ResourceID: "1", OccurredAt: old}
					ds[i] = webhook.Delivery{ID: uuid.New(), EventID: es[i].ID, SubscriptionID: sub.ID, EventType: "case.created",
						NextAttemptAt: old, CreatedAt: old, UpdatedAt: old}
				}
				require.NoError(b, ws.Enqueue(ctx, es, ds))
				require.NoError(b, store.ExecForTest(ctx, db, `UPDATE webhook_deliveries SET state = 'succeeded', completed_at = $1 WHERE state = 'pending'`, old.UnixMicro()))
				require.NoError(b, store.ExecForTest(ctx, db, `INSERT INTO webhook_attempts (delivery_id, number, started_at, duration_us, status_code, response, error)
					SELECT id, 1, $1, 1000, 204, '', '' FROM webhook_deliveries WHERE completed_at = $1`, old.UnixMicro()))
				stop := make(chan struct{})
				var wg sync.WaitGroup
				wg.Go(func() {
					for {
						select {
						case <-stop:
							return
						case <-time.After(time.Millisecond):
						}
						now := time.Now().UTC().Truncate(time.Microsecond)
						start := time.Now()
						require.NoError(b, ws.Enqueue(ctx, []webhook.Event{{ID: uuid.New(), Type: "case.created", ResourceID: "2", OccurredAt: now}}, nil))
						slowest = max(slowest, time.Since(start))
					}
				})
				b.StartTimer()
				start := time.Now()
				r, err := ws.Prune(ctx, old.Add(time.Hour))
				rows += time.Since(start)
				b.StopTimer()
				close(stop)
				wg.Wait()
				require.NoError(b, err)
				require.Equal(b, webhook.PruneResult{Attempts: n, Deliveries: n, Events: n}, r)
				b.StartTimer()
			}
			b.ReportMetric(float64(3*n*b.N)/rows.Seconds(), "rows/s")
			b.ReportMetric(float64(slowest.Microseconds())/1000, "max-writer-wait-ms")
		})
	}
}
