package webhook

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
)

// Errors of a [Store]. Implementations wrap them with detail; test them
// with errors.Is.
var (
	// ErrNotFound reports a subscription or delivery that does not exist.
	ErrNotFound = errors.New("webhook: not found")
	// ErrConflict reports a subscription whose ID is already taken.
	ErrConflict = errors.New("webhook: conflict")
)

// DeliveryState is where a delivery stands.
type DeliveryState string

// The delivery states.
const (
	// StatePending deliveries wait for their next attempt (or are being
	// attempted under a lease).
	StatePending DeliveryState = "pending"
	// StateSucceeded deliveries were accepted by the receiver.
	StateSucceeded DeliveryState = "succeeded"
	// StateFailed deliveries exhausted their retries, or their subscription
	// was disabled. [Service.Resend] and [Service.Recover] try them again.
	StateFailed DeliveryState = "failed"
)

// A Delivery is one event for one subscription. Its ID is the webhook-id
// of every attempt, so receivers can drop duplicates.
type Delivery struct {
	ID             uuid.UUID
	EventID        uuid.UUID
	SubscriptionID uuid.UUID
	EventType      EventType
	State          DeliveryState
	// Attempts counts the attempts since the delivery was created or last
	// resent.
	Attempts      int
	NextAttemptAt time.Time
	LastStatus    int    // HTTP status of the last attempt, 0 if none answered
	LastError     string // what went wrong in the last attempt
	CreatedAt     time.Time
	UpdatedAt     time.Time
	CompletedAt   time.Time // when it succeeded or failed; zero while pending
}

// MessageID returns the webhook-id header value of d: "msg_" and its ID.
func (d Delivery) MessageID() string {
	var b [32]byte
	id := d.ID
	const hex = "0123456789abcdef"
	for i, c := range id {
		b[2*i], b[2*i+1] = hex[c>>4], hex[c&0xf]
	}
	return "msg_" + string(b[:])
}

// An Attempt is one HTTP request of a delivery, as the delivery log keeps it.
type Attempt struct {
	DeliveryID uuid.UUID
	Number     int // 1 for the first attempt since the delivery was created or resent
	StartedAt  time.Time
	Duration   time.Duration
	StatusCode int    // 0 when no response arrived
	Response   string // the start of the response body, up to the capture limit
	Error      string // transport error, or why the answer counts as a failure
	// NextAttemptAt is when the delivery is tried again; zero when this
	// attempt ended it.
	NextAttemptAt time.Time
}

// A Job is a claimed delivery, with what the dispatcher needs to send it.
// Its Subscription's Events list is not loaded.
type Job struct {
	Delivery     Delivery
	Event        Event
	Subscription Subscription
	// Lease identifies the claim; [Store.Complete] applies an outcome only
	// while the lease is still the delivery's.
	Lease string
}

// ClaimRequest asks [Store.Claim] for due deliveries.
type ClaimRequest struct {
	// Owner names the claiming dispatcher, for the log.
	Owner string
	// Lease identifies this claim; the store records it on each row.
	Lease string
	// Now is the claim time: deliveries due at or before it are claimed.
	Now time.Time
	// Until is when the claim lapses: an unfinished delivery is due again
	// then, so a dispatcher that dies loses nothing.
	Until time.Time
	// Limit is the most deliveries claimed; PerSubscription the most of one
	// subscription, unless Room names it.
	Limit, PerSubscription int
	// Room is the most deliveries claimed of the subscriptions it names,
	// overriding PerSubscription for them: what their in-flight caps leave
	// free in the dispatcher. Subscriptions with no room go in Skip.
	Room map[uuid.UUID]int
	// Skip lists subscriptions not to claim for (full, or circuit open).
	Skip []uuid.UUID
}

// An Outcome is the result of one claimed delivery, for [Store.Complete].
type Outcome struct {
	DeliveryID     uuid.UUID
	SubscriptionID uuid.UUID
	Lease          string
	// Attempt is the attempt made, or nil when the delivery was released
	// unattempted (dispatcher stopping, circuit open).
	Attempt *Attempt
	// State is the delivery's new state; NextAttemptAt applies to pending.
	State         DeliveryState
	NextAttemptAt time.Time
	// SubscriptionFailing reports that the attempt failed (so the
	// subscription's FailingSince starts now if unset), or succeeded (so it
	// is cleared). It is ignored when Attempt is nil.
	SubscriptionFailing bool
	// Disable, when not empty, disables the subscription with this reason
	// and fails its pending deliveries.
	Disable string
	At      time.Time
}

// SubscriptionQuery filters [Store.Subscriptions]. Zero fields match all.
type SubscriptionQuery struct {
	// EventType selects the subscriptions to this event type.
	EventType EventType
	// EventTypes selects the subscriptions to any of these event types (and
	// to EventType, when both are set): one query for an outbox write that
	// publishes events of several types.
	EventTypes []EventType
	ActiveOnly bool
}

// DeliveryQuery filters the delivery log. Zero fields match all; results
// are newest first.
type DeliveryQuery struct {
	SubscriptionID uuid.UUID
	EventID        uuid.UUID
	State          DeliveryState
	// CreatedFrom and CreatedBefore bound the creation time.
	CreatedFrom, CreatedBefore time.Time
	// Limit caps the result; zero means 100.
	Limit int
}

// Store is the durable state of webhooks: subscriptions, the outbox of
// events and their deliveries, and the delivery log. Package store
// implements it on SQLite and PostgreSQL; webhooktest checks an
// implementation.
//
// Every method joins the transaction its context carries, if any: an
// event enqueued in the transaction of a business change commits or rolls
// back with it.
type Store interface {
	CreateSubscription(ctx context.Context, s Subscription) error
	// UpdateSubscription replaces the subscription with s.ID. When s is not
	// Active, the subscription's pending deliveries fail in the same
	// transaction, parked as a dispatcher's disabling parks them (see
	// [Service.Stranded]), so that a switched-off subscription receives
	// nothing more.
	UpdateSubscription(ctx context.Context, s Subscription) error
	Subscription(ctx context.Context, id uuid.UUID) (Subscription, error)
	Subscriptions(ctx context.Context, q SubscriptionQuery) ([]Subscription, error)
	// DeleteSubscription deletes a subscription and its deliveries.
	DeleteSubscription(ctx context.Context, id uuid.UUID) error

	// Enqueue stores events es and their deliveries ds, all pending.
	Enqueue(ctx context.Context, es []Event, ds []Delivery) error
	// Claim leases due deliveries, oldest due first, and returns them with
	// their events and subscriptions. A delivery is claimed by one claimer
	// at a time until its lease lapses, across processes.
	Claim(ctx context.Context, r ClaimRequest) ([]Job, error)
	// Complete records outcomes: the attempts in the log, the deliveries'
	// new states (only where the lease still holds), and the
	// subscriptions' health.
	// It returns the subscriptions it disabled (that were active). The
	// pending deliveries of a subscription it disables fail, marked as
	// failed by the disabling, so that [Store.Stranded] finds them once the
	// subscription is active again.
	Complete(ctx context.Context, os []Outcome) (disabled []uuid.UUID, err error)

	Delivery(ctx context.Context, id uuid.UUID) (Delivery, error)
	Deliveries(ctx context.Context, q DeliveryQuery) ([]Delivery, error)
	// Attempts lists the attempts of a delivery, oldest first.
	Attempts(ctx context.Context, deliveryID uuid.UUID) ([]Attempt, error)
	// Resend makes a delivery pending again, due at, with its attempts
	// counted from zero.
	Resend(ctx context.Context, id uuid.UUID, at time.Time) error
	// Recover makes every failed delivery of a subscription created in
	// [from, before) pending again, due at, and returns how many.
	Recover(ctx context.Context, subscriptionID uuid.UUID, from, before, at time.Time) (int, error)

	// Prune deletes the attempts, deliveries and events older than before,
	// as [Service.Prune] describes, in short batches; it never deletes a
	// pending delivery, its attempts or its event.
	Prune(ctx context.Context, before time.Time) (PruneResult, error)
	// Stranded lists up to limit stranded deliveries (see
	// [Service.Stranded]), oldest first.
	Stranded(ctx context.Context, limit int) ([]Delivery, error)
	// RecoverStranded makes every stranded delivery pending again, due at,
	// with its attempts counted from zero, and returns how many.
	RecoverStranded(ctx context.Context, at time.Time) (int, error)
}

// A Transactor runs fn in one transaction that every Store call made with
// the context fn receives joins. A Store that implements it lets the
// dispatcher disable a subscription and publish the event that says so
// atomically; store's WebhookStore does.
type Transactor interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// A Notifier tells dispatchers in every process that deliveries were
// enqueued, so that they claim at once rather than at their next poll. A
// Store that implements it also announces, in the transaction of every
// enqueue, that it committed; store's WebhookStore does on PostgreSQL
// (LISTEN/NOTIFY). [Dispatcher.Run] listens when its Store is a Notifier.
type Notifier interface {
	// Listen calls wake after each commit that enqueued deliveries, in
	// any process sharing the database, and once whenever it (re)starts
	// listening (what was announced meanwhile is lost). It runs until ctx
	// is done, reconnecting with backoff, and then returns nil; it returns
	// ErrNotifyUnsupported at once when the database cannot notify (then
	// the dispatcher polls).
	Listen(ctx context.Context, wake func()) error
}

// ErrNotifyUnsupported is returned by [Notifier.Listen] on a database
// without notifications (SQLite, where one process dispatches and
// [Dispatcher.Wake] suffices).
var ErrNotifyUnsupported = errors.New("webhook: the store cannot notify other processes")

// A MatchingStore stores events together with their deliveries, matching
// the events to the subscriptions itself, as [Subscription.Matches] does:
// one pending delivery, due at now, per active subscription to the
// event's type that is organisation-wide or limited to the event's
// department. [Service.PublishAll] uses it when the Store implements it:
// the outbox write is then one round trip to the database inside the
// caller's transaction, instead of a look-up and a write. store's
// WebhookStore does.
type MatchingStore interface {
	EnqueueMatching(ctx context.Context, es []Event, now time.Time) error
}
