package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
)

// A Service is the webhook API a program calls: it validates against the
// catalogue, publishes events into the outbox and manages subscriptions
// and the delivery log, all through the Store. The HTTP API sits on it.
//
// The zero value is not usable: set Store. Catalogue defaults to
// [DefaultCatalogue] and Now to time.Now.
type Service struct {
	Store     Store
	Catalogue *Catalogue
	// Guard checks the URL of every subscription created or updated, as
	// the dispatcher checks every connection: give both the same Guard.
	// Nil means the zero Guard, which refuses internal addresses.
	Guard *Guard
	Now   func() time.Time
}

// checkNewSecrets writes sub's secrets in their canonical text ("whsec_"
// added to a bare base64 secret) and requires MinNewSecretBytes of every
// symmetric secret not in old (the stored subscription's secrets, nil on
// creation). sub has been validated: every key parses.
func checkNewSecrets(sub *Subscription, old []Secret) error {
	known := make(map[string]bool, len(old))
	for _, sec := range old {
		known[sec.Key] = true
	}
	for i, sec := range sub.Secrets {
		k, err := ParseKey(sec.Key)
		if err != nil {
			return &SubscriptionError{Field: fmt.Sprintf("secrets[%d]", i), Reason: err.Error(), Err: err}
		}
		sub.Secrets[i].Key = k.String()
		if known[sec.Key] || known[k.String()] {
			continue
		}
		if n := k.SecretSize(); k.Scheme() == SchemeHMAC && n < MinNewSecretBytes {
			return &SubscriptionError{Field: fmt.Sprintf("secrets[%d]", i),
				Reason: fmt.Sprintf("a new secret of %d bytes is too short: at least %d, as the Standard Webhooks specification recommends", n, MinNewSecretBytes)}
		}
	}
	return nil
}

// checkURL applies the Guard to sub's URL.
func (s *Service) checkURL(ctx context.Context, sub *Subscription) error {
	if err := s.Guard.CheckURL(ctx, sub.URL); err != nil {
		return &SubscriptionError{Field: "url", Reason: err.Error(), Err: err}
	}
	return nil
}

func (s *Service) catalogue() *Catalogue {
	if s.Catalogue == nil {
		return defaultCatalogue
	}
	return s.Catalogue
}

var defaultCatalogue = DefaultCatalogue()

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Publish stores event e in the outbox with one pending delivery per
// matching subscription, and returns it with its ID and time set.
//
// Call it with the context of the transaction that makes the change
// (store's DB.InTx): the event then commits with the change, or not at all.
// A dispatcher delivers it after the commit.
func (s *Service) Publish(ctx context.Context, e Event) (Event, error) {
	es, err := s.PublishAll(ctx, []Event{e})
	if err != nil {
		return Event{}, err
	}
	return es[0], nil
}

// PublishAll publishes several events as [Service.Publish] does, with one
// look-up of the subscriptions and one write for them all (or one write
// that matches them, when the Store is a [MatchingStore]): the way to
// announce a change that touches many resources. Nothing is stored unless
// every event is valid.
func (s *Service) PublishAll(ctx context.Context, events []Event) ([]Event, error) {
	now := s.now()
	out := make([]Event, len(events))
	for i, e := range events {
		if _, err := s.catalogue().check(e.Type); err != nil {
			return nil, err
		}
		if e.ResourceID == "" {
			return nil, &EventError{Field: "resource_id", Value: "", Reason: "is required"}
		}
		if e.ID == uuid.Nil {
			e.ID = uuid.New()
		}
		if e.OccurredAt.IsZero() {
			e.OccurredAt = now
		}
		e.OccurredAt = e.OccurredAt.UTC().Truncate(time.Microsecond)
		out[i] = e
	}
	if m, ok := s.Store.(MatchingStore); ok {
		if err := m.EnqueueMatching(ctx, out, now); err != nil {
			return nil, err
		}
		return out, nil
	}
	// One look-up for every type: each round trip to the database is
	// spent inside the caller's transaction.
	var types []EventType
	for _, e := range out {
		if !slices.Contains(types, e.Type) {
			types = append(types, e.Type)
		}
	}
	subs, err := s.Store.Subscriptions(ctx, SubscriptionQuery{EventTypes: types, ActiveOnly: true})
	if err != nil {
		return nil, err
	}
	var ds []Delivery
	for _, e := range out {
		for _, sub := range subs {
			if !sub.Matches(e) {
				continue
			}
			ds = append(ds, Delivery{
				ID:             uuid.New(),
				EventID:        e.ID,
				SubscriptionID: sub.ID,
				EventType:      e.Type,
				State:          StatePending,
				NextAttemptAt:  now,
				CreatedAt:      now,
				UpdatedAt:      now,
			})
		}
	}
	if err := s.Store.Enqueue(ctx, out, ds); err != nil {
		return nil, err
	}
	return out, nil
}

// CreateSubscription validates sub and stores it. Its URL must pass the
// Guard: an address literal or a resolvable name in a forbidden range
// (169.254.169.254, 10.0.0.0/8, loopback…) fails with a
// [*SubscriptionError] wrapping an [*AddressError]. A secret may be given
// as "whsec_…" or as bare base64 (stored with the prefix); a symmetric one
// needs at least MinNewSecretBytes. A zero ID is assigned;
// without secrets, one new "whsec_" secret is generated (read it back from
// the result to hand to the receiver); an empty Format means FormatJSON.
func (s *Service) CreateSubscription(ctx context.Context, sub Subscription) (Subscription, error) {
	if sub.ID == uuid.Nil {
		sub.ID = uuid.New()
	}
	if len(sub.Secrets) == 0 {
		sub.Secrets = []Secret{{Key: NewSecret()}}
	}
	if sub.Format == "" {
		sub.Format = FormatJSON
	}
	if err := sub.Validate(s.catalogue()); err != nil {
		return Subscription{}, err
	}
	sub.Secrets = slices.Clone(sub.Secrets)
	if err := checkNewSecrets(&sub, nil); err != nil {
		return Subscription{}, err
	}
	if err := s.checkURL(ctx, &sub); err != nil {
		return Subscription{}, err
	}
	now := s.now().Truncate(time.Microsecond)
	sub.CreatedAt, sub.UpdatedAt = now, now
	if err := s.Store.CreateSubscription(ctx, sub); err != nil {
		return Subscription{}, err
	}
	return sub, nil
}

// UpdateSubscription validates sub, checks its URL as CreateSubscription
// does, and replaces the stored subscription with its ID. A secret it adds
// needs at least MinNewSecretBytes; one already stored is kept whatever its
// length. Switching a subscription off fails its pending deliveries
// (nothing more goes out to it); switching it on again clears its failure
// record and sends again, at once, the deliveries that were waiting when it
// was switched off or disabled ([Service.RecoverStranded]).
func (s *Service) UpdateSubscription(ctx context.Context, sub Subscription) (Subscription, error) {
	if sub.Format == "" {
		sub.Format = FormatJSON
	}
	if err := sub.Validate(s.catalogue()); err != nil {
		return Subscription{}, err
	}
	if err := s.checkURL(ctx, &sub); err != nil {
		return Subscription{}, err
	}
	old, err := s.Store.Subscription(ctx, sub.ID)
	if err != nil {
		return Subscription{}, err
	}
	sub.Secrets = slices.Clone(sub.Secrets)
	if err := checkNewSecrets(&sub, old.Secrets); err != nil {
		return Subscription{}, err
	}
	sub.CreatedAt = old.CreatedAt
	sub.UpdatedAt = s.now().Truncate(time.Microsecond)
	if sub.Active && !old.Active {
		sub.FailingSince, sub.DisabledAt, sub.DisabledReason = time.Time{}, time.Time{}, ""
	}
	if err := s.Store.UpdateSubscription(ctx, sub); err != nil {
		return Subscription{}, err
	}
	if sub.Active && !old.Active {
		if _, err := s.RecoverStranded(ctx); err != nil {
			return sub, fmt.Errorf("webhook: subscription %s is active again, but its waiting deliveries were not recovered (the maintenance job will retry): %w", sub.ID, err)
		}
	}
	return sub, nil
}

// RotateSecret adds a new secret to subscription id and lets the current
// ones expire after grace, during which deliveries carry both signatures.
// It returns the subscription with the new secret last.
func (s *Service) RotateSecret(ctx context.Context, id uuid.UUID, grace time.Duration) (Subscription, error) {
	sub, err := s.Store.Subscription(ctx, id)
	if err != nil {
		return Subscription{}, err
	}
	now := s.now()
	expires := now.Add(grace).Truncate(time.Microsecond)
	kept := sub.Secrets[:0]
	for _, sec := range sub.Secrets {
		if !sec.ExpiresAt.IsZero() && !now.Before(sec.ExpiresAt) {
			continue // already expired: drop it
		}
		if sec.ExpiresAt.IsZero() || sec.ExpiresAt.After(expires) {
			sec.ExpiresAt = expires
		}
		kept = append(kept, sec)
	}
	sub.Secrets = append(kept, Secret{Key: NewSecret()})
	return s.UpdateSubscription(ctx, sub)
}

// Resend sends delivery id again, as soon as a dispatcher is free, with the
// same webhook-id and a fresh retry schedule, whatever its state.
func (s *Service) Resend(ctx context.Context, id uuid.UUID) error {
	return s.Store.Resend(ctx, id, s.now())
}

// Recover resends every failed delivery of subscription id created in
// [from, before), and returns how many.
func (s *Service) Recover(ctx context.Context, id uuid.UUID, from, before time.Time) (int, error) {
	if !before.After(from) {
		return 0, fmt.Errorf("webhook: recover: range [%s, %s) is empty", from.Format(time.RFC3339), before.Format(time.RFC3339))
	}
	if _, err := s.Store.Subscription(ctx, id); err != nil {
		return 0, err
	}
	return s.Store.Recover(ctx, id, from, before, s.now())
}

// Subscription returns the subscription with id, or an error wrapping
// ErrNotFound.
func (s *Service) Subscription(ctx context.Context, id uuid.UUID) (Subscription, error) {
	return s.Store.Subscription(ctx, id)
}

// Subscriptions lists the subscriptions q selects, oldest first.
func (s *Service) Subscriptions(ctx context.Context, q SubscriptionQuery) ([]Subscription, error) {
	return s.Store.Subscriptions(ctx, q)
}

// DeleteSubscription deletes a subscription with its deliveries and their
// log. Deliveries in flight may still arrive once.
func (s *Service) DeleteSubscription(ctx context.Context, id uuid.UUID) error {
	return s.Store.DeleteSubscription(ctx, id)
}

// Deliveries queries the delivery log, newest first.
func (s *Service) Deliveries(ctx context.Context, q DeliveryQuery) ([]Delivery, error) {
	return s.Store.Deliveries(ctx, q)
}

// Attempts lists the attempts of delivery id, oldest first.
func (s *Service) Attempts(ctx context.Context, id uuid.UUID) ([]Attempt, error) {
	return s.Store.Attempts(ctx, id)
}

// EventTest is the event type of [Service.SendTest].
const EventTest EventType = "webhook.test"

// SendTest sends a test event to subscription id alone, whatever event
// types it asks for: an event of type [EventTest] ("webhook.test") whose
// resource is the subscription, signed and logged like any other
// delivery, so an integrator can check the receiver and its signature
// verification from the delivery log. It returns the delivery, pending; a
// running dispatcher sends it at once (call [Dispatcher.Wake] in-process).
// A subscription that is not active is refused: nothing would send it.
func (s *Service) SendTest(ctx context.Context, id uuid.UUID) (Delivery, error) {
	sub, err := s.Store.Subscription(ctx, id)
	if err != nil {
		return Delivery{}, err
	}
	if !sub.Active {
		return Delivery{}, &SubscriptionError{Field: "active", Reason: fmt.Sprintf("subscription %s is not active: enable it before sending a test event", id)}
	}
	now := s.now().Truncate(time.Microsecond)
	data, _ := json.Marshal(map[string]any{"subscription_id": id.String(), "test": true})
	e := Event{ID: uuid.New(), Type: EventTest, ResourceID: id.String(), Department: sub.Department, Data: data, OccurredAt: now}
	d := Delivery{ID: uuid.New(), EventID: e.ID, SubscriptionID: id, EventType: EventTest, State: StatePending,
		NextAttemptAt: now, CreatedAt: now, UpdatedAt: now}
	if err := s.Store.Enqueue(ctx, []Event{e}, []Delivery{d}); err != nil {
		return Delivery{}, err
	}
	return d, nil
}

// ErrNoBacklog is returned by [Service.Backlog] when the Store is not a
// [BacklogStore].
var ErrNoBacklog = errors.New("webhook: the store does not report its backlog")

// Backlog reports, for every subscription with pending deliveries, how
// many wait, how many are due, and the age of the oldest: poll it for
// backlog gauges (the operations side's "how far behind is each
// receiver"). The Store must be a [BacklogStore] (store's WebhookStore is),
// or it fails with [ErrNoBacklog]. It is one grouped query over the
// pending deliveries; poll it every few seconds, not per request.
func (s *Service) Backlog(ctx context.Context) ([]Backlog, error) {
	bs, ok := s.Store.(BacklogStore)
	if !ok {
		return nil, ErrNoBacklog
	}
	now := s.now()
	out, err := bs.Backlog(ctx, now)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].OldestAge = max(0, now.Sub(out[i].OldestCreatedAt))
	}
	return out, nil
}
