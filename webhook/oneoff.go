package webhook

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// SendOnce enqueues event e for subscription id alone, whatever event
// types the subscription asks for — the way to notify one receiver of
// something meant for it only, such as an integration told of its new
// credentials. The delivery is signed with the subscription's secrets,
// retried on the dispatcher's policy and logged like any other.
//
// e's type must be in the service's catalogue, and so in the dispatcher's,
// which writes the body from it. Call SendOnce with the context of the
// transaction that makes the change it reports, as Publish: the delivery
// commits with the change or not at all. A subscription that is not active
// is refused: nothing would send the delivery. e's ID and time are set
// when zero; the pending delivery is returned.
func (s *Service) SendOnce(ctx context.Context, id uuid.UUID, e Event) (Delivery, error) {
	if _, err := s.catalogue().check(e.Type); err != nil {
		return Delivery{}, err
	}
	if e.ResourceID == "" {
		return Delivery{}, &EventError{Field: "resource_id", Value: "", Reason: "is required"}
	}
	sub, err := s.Store.Subscription(ctx, id)
	if err != nil {
		return Delivery{}, err
	}
	if !sub.Active {
		return Delivery{}, &SubscriptionError{Field: "active", Reason: fmt.Sprintf("subscription %s is not active: enable it before sending to it", id)}
	}
	now := s.now().Truncate(time.Microsecond)
	if e.ID == uuid.Nil {
		e.ID = uuid.New()
	}
	if e.OccurredAt.IsZero() {
		e.OccurredAt = now
	}
	e.OccurredAt = e.OccurredAt.UTC().Truncate(time.Microsecond)
	d := Delivery{ID: uuid.New(), EventID: e.ID, SubscriptionID: id, EventType: e.Type, State: StatePending,
		NextAttemptAt: now, CreatedAt: now, UpdatedAt: now}
	if err := s.Store.Enqueue(ctx, []Event{e}, []Delivery{d}); err != nil {
		return Delivery{}, err
	}
	return d, nil
}
