package webhook_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/store/storetest"
	"github.com/vetlink/vetlink/webhook"
)

func TestServicePruneCutOff(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	svc := &webhook.Service{Store: storetest.SQLite(t).Webhooks(), Now: func() time.Time { return now }}
	tests := []struct {
		before time.Time
		want   string
	}{
		{time.Time{}, "webhook: prune: the cut-off time is zero"},
		{now.Add(time.Second), "webhook: prune: the cut-off time 2026-05-01T12:00:01Z is after now (2026-05-01T12:00:00Z)"},
	}
	for _, tt := range tests {
		_, err := svc.Prune(context.Background(), tt.before)
		require.EqualError(t, err, tt.want)
	}
	got, err := svc.Prune(context.Background(), now)
	require.NoError(t, err)
	require.Equal(t, webhook.PruneResult{}, got)
}

// A subscription disabled by the dispatcher and enabled again through the
// Service: its deliveries that failed with it are stranded until
// RecoverStranded sends them, due at the Service's now.
func TestServiceRecoverStranded(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	st := storetest.SQLite(t).Webhooks()
	svc := &webhook.Service{Store: st, Now: func() time.Time { return now }}
	sub, err := svc.CreateSubscription(ctx, webhook.Subscription{URL: "https://receiver.example/", Events: []webhook.EventType{"case.created"}, Active: true})
	require.NoError(t, err)
	first, err := svc.Publish(ctx, webhook.Event{Type: "case.created", ResourceID: "1"})
	require.NoError(t, err)
	now = now.Add(time.Minute)
	second, err := svc.Publish(ctx, webhook.Event{Type: "case.created", ResourceID: "2"})
	require.NoError(t, err)

	// The first delivery is answered 410 Gone: the subscription is
	// disabled and the second delivery, still pending, fails with it.
	jobs, err := st.Claim(ctx, webhook.ClaimRequest{Owner: "test", Lease: "l1", Now: now.Add(-time.Minute), Until: now, Limit: 1})
	require.NoError(t, err)
	require.Len(t, jobs, 1)
	require.Equal(t, first.ID, jobs[0].Event.ID)
	_, err = st.Complete(ctx, []webhook.Outcome{{DeliveryID: jobs[0].Delivery.ID, SubscriptionID: sub.ID, Lease: "l1",
		State: webhook.StateFailed, Disable: "status 410", SubscriptionFailing: true, At: now,
		Attempt: &webhook.Attempt{DeliveryID: jobs[0].Delivery.ID, Number: 1, StartedAt: now, StatusCode: 410}}})
	require.NoError(t, err)
	stranded, err := svc.Stranded(ctx, 0)
	require.NoError(t, err)
	require.Empty(t, stranded, "the subscription is disabled")

	sub, err = svc.Subscription(ctx, sub.ID)
	require.NoError(t, err)
	stranded, err = st.Stranded(ctx, 0)
	require.NoError(t, err)
	require.Empty(t, stranded)

	// Enabled again through the Service: the waiting delivery is sent again
	// at once, due at the Service's now; the one answered 410 is not.
	now = now.Add(time.Hour)
	sub.Active = true
	_, err = svc.UpdateSubscription(ctx, sub)
	require.NoError(t, err)
	stranded, err = svc.Stranded(ctx, 0)
	require.NoError(t, err)
	require.Empty(t, stranded, "re-enabling recovered them")
	ds, err := svc.Store.Deliveries(ctx, webhook.DeliveryQuery{EventID: second.ID})
	require.NoError(t, err)
	require.Len(t, ds, 1)
	require.Equal(t, webhook.StatePending, ds[0].State)
	require.Equal(t, now, ds[0].NextAttemptAt)
	d, err := svc.Store.Delivery(ctx, jobs[0].Delivery.ID)
	require.NoError(t, err)
	require.Equal(t, webhook.StateFailed, d.State, "the delivery answered 410 is not resent")
	n, err := svc.RecoverStranded(ctx)
	require.NoError(t, err)
	require.Zero(t, n, "nothing is left to recover")
}

// A subscription switched off by hand receives nothing more: its pending
// deliveries fail at once, and are sent again when it is switched on.
func TestServiceSwitchOffStopsDeliveries(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	st := storetest.SQLite(t).Webhooks()
	svc := &webhook.Service{Store: st, Now: func() time.Time { return now }}
	sub, err := svc.CreateSubscription(ctx, webhook.Subscription{URL: "https://receiver.example/", Events: []webhook.EventType{"case.created"}, Active: true})
	require.NoError(t, err)
	ev, err := svc.Publish(ctx, webhook.Event{Type: "case.created", ResourceID: "1"})
	require.NoError(t, err)

	sub.Active = false
	_, err = svc.UpdateSubscription(ctx, sub)
	require.NoError(t, err)
	jobs, err := st.Claim(ctx, webhook.ClaimRequest{Owner: "test", Lease: "l1", Now: now.Add(time.Hour), Until: now.Add(2 * time.Hour), Limit: 10})
	require.NoError(t, err)
	require.Empty(t, jobs, "nothing is claimed for a switched-off subscription")
	ds, err := st.Deliveries(ctx, webhook.DeliveryQuery{EventID: ev.ID})
	require.NoError(t, err)
	require.Len(t, ds, 1)
	require.Equal(t, webhook.StateFailed, ds[0].State)

	now = now.Add(time.Hour)
	sub.Active = true
	_, err = svc.UpdateSubscription(ctx, sub)
	require.NoError(t, err)
	jobs, err = st.Claim(ctx, webhook.ClaimRequest{Owner: "test", Lease: "l2", Now: now, Until: now.Add(time.Hour), Limit: 10})
	require.NoError(t, err)
	require.Len(t, jobs, 1)
	require.Equal(t, ev.ID, jobs[0].Event.ID)
}
