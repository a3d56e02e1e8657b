package webhook_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/store/storetest"
	"github.com/vetlink/vetlink/webhook"
)

func TestServicePublishErrors(t *testing.T) {
	svc := &webhook.Service{Store: storetest.SQLite(t).Webhooks()}
	ctx := context.Background()
	tests := []struct {
		e    webhook.Event
		want string
	}{
		{webhook.Event{Type: "case.exploded", ResourceID: "1"}, `webhook: event type "case.exploded": not in the catalogue (58 types)`},
		{webhook.Event{Type: "Case", ResourceID: "1"}, `webhook: event type "Case": must be dotted, like "case.created"`},
		{webhook.Event{Type: "case.created"}, `webhook: event resource_id "": is required`},
	}
	for _, tt := range tests {
		_, err := svc.Publish(ctx, tt.e)
		require.EqualError(t, err, tt.want)
	}
}

func TestServiceCreateSubscriptionDefaults(t *testing.T) {
	now := time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)
	svc := &webhook.Service{Store: storetest.SQLite(t).Webhooks(), Now: func() time.Time { return now }}
	sub, err := svc.CreateSubscription(context.Background(), webhook.Subscription{URL: "https://r.example/", Events: []webhook.EventType{"case.created"}, Active: true})
	require.NoError(t, err)
	require.NotEqual(t, uuid.Nil, sub.ID)
	require.Equal(t, webhook.FormatJSON, sub.Format)
	require.Len(t, sub.Secrets, 1)
	require.True(t, strings.HasPrefix(sub.Secrets[0].Key, "whsec_"))
	require.Equal(t, now, sub.CreatedAt)
	got, err := svc.Store.Subscription(context.Background(), sub.ID)
	require.NoError(t, err)
	require.Equal(t, sub, got)
}

// During a rotation deliveries carry two signatures: receivers holding
// either secret accept them.
func TestServiceRotateSecret(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	svc := &webhook.Service{Store: db.Webhooks(), Guard: loopback}
	oldRC := newReceiver(t, specSecret, nil)
	sub, err := svc.CreateSubscription(ctx, webhook.Subscription{URL: oldRC.URL, Events: []webhook.EventType{"case.created"},
		Secrets: []webhook.Secret{{Key: specSecret}}, Active: true})
	require.NoError(t, err)
	sub, err = svc.RotateSecret(ctx, sub.ID, 24*time.Hour)
	require.NoError(t, err)
	require.Len(t, sub.Secrets, 2)
	require.Equal(t, specSecret, sub.Secrets[0].Key)
	require.WithinDuration(t, time.Now().Add(24*time.Hour), sub.Secrets[0].ExpiresAt, time.Minute)
	require.True(t, sub.Secrets[1].ExpiresAt.IsZero())

	newRC := newReceiver(t, sub.Secrets[1].Key, nil)
	_, err = svc.CreateSubscription(ctx, webhook.Subscription{URL: newRC.URL, Events: []webhook.EventType{"case.created"},
		Secrets: sub.Secrets, Active: true})
	require.NoError(t, err)
	_, err = svc.Publish(ctx, webhook.Event{Type: "case.created", ResourceID: "9"})
	require.NoError(t, err)
	run(t, &webhook.Dispatcher{Store: db.Webhooks(), Guard: loopback, PollInterval: 5 * time.Millisecond})
	eventually(t, func() bool { return len(oldRC.received()) == 1 && len(newRC.received()) == 1 }, "both receivers verified their copy")
	require.Zero(t, oldRC.rejected.Load())
	require.Zero(t, newRC.rejected.Load())
}

func TestServiceRecoverRange(t *testing.T) {
	svc := &webhook.Service{Store: storetest.SQLite(t).Webhooks()}
	at := time.Date(2026, 2, 3, 0, 0, 0, 0, time.UTC)
	_, err := svc.Recover(context.Background(), uuid.New(), at, at)
	require.EqualError(t, err, "webhook: recover: range [2026-02-03T00:00:00Z, 2026-02-03T00:00:00Z) is empty")
	_, err = svc.Recover(context.Background(), uuid.New(), at, at.Add(time.Hour))
	require.ErrorIs(t, err, webhook.ErrNotFound)
}

func TestServicePublishAll(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	svc := &webhook.Service{Store: db.Webhooks(), Guard: loopback}
	cases, err := svc.CreateSubscription(ctx, webhook.Subscription{URL: "https://a.example/", Events: []webhook.EventType{"case.created", "case.closed"}, Active: true})
	require.NoError(t, err)
	north, err := svc.CreateSubscription(ctx, webhook.Subscription{URL: "https://b.example/", Events: []webhook.EventType{"case.created"}, Department: "north", Active: true})
	require.NoError(t, err)

	es, err := svc.PublishAll(ctx, []webhook.Event{
		{Type: "case.created", ResourceID: "1", Department: "north"},
		{Type: "case.created", ResourceID: "2"},
		{Type: "case.closed", ResourceID: "1", Department: "north"},
	})
	require.NoError(t, err)
	require.Len(t, es, 3)
	count := func(sub uuid.UUID) int {
		ds, err := db.Webhooks().Deliveries(ctx, webhook.DeliveryQuery{SubscriptionID: sub})
		require.NoError(t, err)
		return len(ds)
	}
	require.Equal(t, 3, count(cases.ID))
	require.Equal(t, 1, count(north.ID), "only the event of its department")

	_, err = svc.PublishAll(ctx, []webhook.Event{{Type: "case.created", ResourceID: "3"}, {Type: "case.created"}})
	require.EqualError(t, err, `webhook: event resource_id "": is required`)
	require.Equal(t, 3, count(cases.ID), "nothing stored when one event is invalid")
}

// A failed delivery resent by hand goes out again with its webhook-id.
func TestServiceResendDelivers(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	svc := &webhook.Service{Store: db.Webhooks(), Guard: loopback}
	secret := webhook.NewSecret()
	rc := newReceiver(t, secret, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	sub, err := svc.CreateSubscription(ctx, webhook.Subscription{URL: rc.URL, Events: []webhook.EventType{"case.created"}, Secrets: []webhook.Secret{{Key: secret}}, Active: true})
	require.NoError(t, err)
	_, err = svc.Publish(ctx, webhook.Event{Type: "case.created", ResourceID: "5"})
	require.NoError(t, err)
	d := &webhook.Dispatcher{Store: db.Webhooks(), Guard: loopback, Policy: webhook.Policy{Schedule: []time.Duration{0}}, PollInterval: 5 * time.Millisecond}
	run(t, d)
	var got webhook.Delivery
	eventually(t, func() bool {
		ds, err := svc.Deliveries(ctx, webhook.DeliveryQuery{SubscriptionID: sub.ID, State: webhook.StateFailed})
		require.NoError(t, err)
		if len(ds) == 1 {
			got = ds[0]
		}
		return len(ds) == 1
	}, "failed after its one attempt")

	require.NoError(t, svc.Resend(ctx, got.ID))
	d.Wake()
	eventually(t, func() bool { return len(rc.received()) == 2 }, "resent")
	require.Equal(t, rc.received()[0].ID, rc.received()[1].ID)
	eventually(t, func() bool {
		as, err := svc.Attempts(ctx, got.ID)
		require.NoError(t, err)
		return len(as) == 2 && as[1].StatusCode == 200
	}, "both attempts logged")
}
