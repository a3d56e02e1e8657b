package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
	"github.com/vetlink/vetlink/webhook"
)

// TestSendOnce: an event goes to the one subscription named, whatever its
// event types, and to no other; bad input is refused with the field named.
func TestSendOnce(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := &webhook.Service{Store: db.Webhooks(), Guard: &webhook.Guard{Disabled: true}}
		target, err := svc.CreateSubscription(ctx, webhook.Subscription{URL: "https://a.example/hook",
			Events: []webhook.EventType{"case.created"}, Active: true})
		if err != nil {
			t.Fatal(err)
		}
		bystander, err := svc.CreateSubscription(ctx, webhook.Subscription{URL: "https://b.example/hook",
			Events: []webhook.EventType{"prescription.created"}, Active: true})
		if err != nil {
			t.Fatal(err)
		}
		data, _ := json.Marshal(map[string]string{"prescription_id": "rx-9"})
		d, err := svc.SendOnce(ctx, target.ID, webhook.Event{Type: "prescription.created", ResourceID: "rx-9", Data: data})
		if err != nil {
			t.Fatal(err)
		}
		if d.SubscriptionID != target.ID || d.State != webhook.StatePending || d.EventType != "prescription.created" {
			t.Errorf("delivery %+v", d)
		}
		for sub, want := range map[uuid.UUID]int{target.ID: 1, bystander.ID: 0} {
			ds, err := svc.Deliveries(ctx, webhook.DeliveryQuery{SubscriptionID: sub})
			if err != nil || len(ds) != want {
				t.Errorf("deliveries of %s: %d, %v; want %d", sub, len(ds), err, want)
			}
		}

		inactive := bystander
		inactive.Active = false
		if _, err := svc.UpdateSubscription(ctx, inactive); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			id   uuid.UUID
			e    webhook.Event
			want string
		}{
			{"unknown type", target.ID, webhook.Event{Type: "nothing.happened", ResourceID: "1"}, "nothing.happened"},
			{"no resource", target.ID, webhook.Event{Type: "case.created"}, "resource_id"},
			{"inactive", bystander.ID, webhook.Event{Type: "case.created", ResourceID: "1"}, "is not active"},
		}
		for _, tt := range tests {
			if _, err := svc.SendOnce(ctx, tt.id, tt.e); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: %v, want an error naming %q", tt.name, err, tt.want)
			}
		}
		if _, err := svc.SendOnce(ctx, uuid.New(), webhook.Event{Type: "case.created", ResourceID: "1"}); !errors.Is(err, webhook.ErrNotFound) {
			t.Errorf("unknown subscription: %v, want ErrNotFound", err)
		}
	})
}
