package webhook_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
	"github.com/vetlink/vetlink/webhook"
)

// After a 410 disables a subscription, its work already claimed stops at
// once: the attempt in flight is cancelled and the queued deliveries never
// reach the receiver. The receiver answers 410 to the first request only
// once the second is in flight, so the dispatcher holds one attempt in
// flight and eight claimed deliveries queued when it learns of the 410.
func TestDispatcherStopsDisabledSubscription(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		secret := webhook.NewSecret()
		second := make(chan struct{})
		var cancelled atomic.Int64
		rc := newReceiver(t, secret, func(w http.ResponseWriter, r *http.Request, n int) {
			switch n {
			case 1:
				select {
				case <-second:
				case <-time.After(10 * time.Second):
				}
				w.WriteHeader(http.StatusGone)
			case 2:
				close(second)
				select {
				case <-r.Context().Done():
					cancelled.Add(1)
				case <-time.After(10 * time.Second):
				}
			default:
				w.WriteHeader(http.StatusNoContent)
			}
		})
		svc := &webhook.Service{Store: db.Webhooks(), Guard: loopback}
		sub, err := svc.CreateSubscription(ctx, webhook.Subscription{URL: rc.URL, Events: []webhook.EventType{"case.created"},
			Secrets: []webhook.Secret{{Key: secret}}, Active: true, MaxInFlight: 2})
		require.NoError(t, err)
		const n = 10
		es := make([]webhook.Event, n)
		for i := range es {
			es[i] = webhook.Event{Type: "case.created", ResourceID: string(rune('a' + i))}
		}
		_, err = svc.PublishAll(ctx, es)
		require.NoError(t, err)

		// The claim takes all ten (MaxInFlight 10); the subscription's own
		// cap runs two of them at once.
		start := time.Now()
		run(t, &webhook.Dispatcher{Store: db.Webhooks(), Guard: loopback, MaxInFlight: 10, PollInterval: 5 * time.Millisecond})

		eventually(t, func() bool {
			ds, err := svc.Deliveries(ctx, webhook.DeliveryQuery{SubscriptionID: sub.ID})
			require.NoError(t, err)
			for _, d := range ds {
				if d.State != webhook.StateFailed {
					return false
				}
			}
			return len(ds) == n
		}, "every delivery failed with the subscription")
		require.Eventually(t, func() bool { return cancelled.Load() == 1 }, 5*time.Second, 5*time.Millisecond, "the attempt in flight is cancelled")
		require.Less(t, time.Since(start), 9*time.Second, "nothing waited for the receiver's 10 s")
		time.Sleep(100 * time.Millisecond) // time for a stray delivery to arrive
		require.Len(t, rc.received(), 2, "only the two in flight when the 410 came reached the receiver")

		got, err := svc.Subscription(ctx, sub.ID)
		require.NoError(t, err)
		require.False(t, got.Active)
		ds, err := svc.Deliveries(ctx, webhook.DeliveryQuery{SubscriptionID: sub.ID})
		require.NoError(t, err)
		attempts := 0
		for _, d := range ds {
			attempts += d.Attempts
		}
		require.Equal(t, 1, attempts, "only the 410 is an attempt; the cancelled one is not logged")
	})
}
