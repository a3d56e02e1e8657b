package webhook

import (
	"context"
	"fmt"
	"time"
)

// PruneResult counts what [Store.Prune] deleted.
type PruneResult struct {
	// Attempts counts the attempts deleted from the delivery log, apart from
	// those deleted with their delivery.
	Attempts int
	// Deliveries counts the succeeded and failed deliveries deleted, each
	// with its attempts.
	Deliveries int
	// Events counts the events deleted because no delivery refers to them.
	Events int
}

// Prune deletes, from the delivery log, what is older than before:
//
//   - every attempt that started before it, unless its delivery is pending;
//   - every succeeded or failed delivery that completed before it, with its
//     attempts;
//   - every event that occurred before it and that no delivery refers to
//     (any more, or ever: an event no subscription wanted).
//
// A pending delivery, claimed or not, is never deleted, nor is its event or
// its log. Failed deliveries are deleted whatever their cause, stranded
// ones too: call [Service.RecoverStranded] first to send those instead.
//
// Prune deletes in small batches, each in its own short transaction, so
// pruning a large backlog never holds the database's write lock for long;
// an error may leave part of it done, and calling Prune again finishes it.
func (s *Service) Prune(ctx context.Context, before time.Time) (PruneResult, error) {
	if before.IsZero() {
		return PruneResult{}, fmt.Errorf("webhook: prune: the cut-off time is zero")
	}
	if now := s.now(); before.After(now) {
		return PruneResult{}, fmt.Errorf("webhook: prune: the cut-off time %s is after now (%s)",
			before.UTC().Format(time.RFC3339), now.Format(time.RFC3339))
	}
	return s.Store.Prune(ctx, before.UTC())
}

// Stranded lists up to limit (zero means 100) stranded deliveries, oldest
// first.
//
// A delivery is stranded when it failed only because its subscription was
// disabled, and the subscription is active again and would still receive
// the delivery's event. Precisely: it was pending (due later, or claimed
// by a dispatcher) when the dispatcher disabled its subscription (410 Gone,
// or failing for too long), which failed it without an attempt; since
// then, the subscription was enabled again, still lists the event's type,
// and is organisation-wide or limited to the event's department. No
// dispatcher claims a failed delivery, so without [Service.RecoverStranded],
// [Service.Recover] or [Service.Resend] it is never sent.
//
// The delivery whose own failed attempt disabled the subscription is not
// stranded: it failed on the receiver's answer (resend it explicitly), as
// are deliveries that failed on their own retries. Deliveries whose
// subscription is still disabled are not stranded either: the reason they
// failed still holds.
//
// A claimed delivery whose dispatcher died is not stranded: its claim
// lapses and the next claim takes it.
func (s *Service) Stranded(ctx context.Context, limit int) ([]Delivery, error) {
	if limit <= 0 {
		limit = 100
	}
	return s.Store.Stranded(ctx, limit)
}

// RecoverStranded makes every stranded delivery (see [Service.Stranded])
// pending again, due now, with its attempts counted from zero and its
// webhook-id unchanged, and returns how many. Calling it again recovers
// nothing more until another subscription is disabled and enabled again.
func (s *Service) RecoverStranded(ctx context.Context) (int, error) {
	return s.Store.RecoverStranded(ctx, s.now().Truncate(time.Microsecond))
}
