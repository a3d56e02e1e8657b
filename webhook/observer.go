package webhook

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// An Observer is told of every attempt a [Dispatcher] makes, for metrics
// and traces: deliveries a second, latency and failures per subscription
// and event type. The package imports no telemetry library; an adapter
// (OpenTelemetry, Prometheus, expvar) implements Observer in the program
// that wires the dispatcher. Poll [Service.Backlog] for what waits.
//
// The dispatcher calls the methods from its worker goroutines, many at
// once: they must be safe for concurrent use, and quick, since each call
// delays its attempt's worker. Embed [BaseObserver] to implement only some
// of them (and to keep compiling when methods are added).
//
// For each attempt, AttemptStarted is called first; then exactly one of
// AttemptSucceeded or AttemptFailed, with the context AttemptStarted
// returned, unless the attempt is abandoned because its subscription was
// disabled meanwhile (then neither). Deliveries released unattempted (the
// circuit open, the dispatcher stopping) are not attempts.
type Observer interface {
	// AttemptStarted is called before the request is made. The context it
	// returns is the request's: start a span there, and end it in
	// AttemptSucceeded or AttemptFailed. Return ctx to add nothing.
	AttemptStarted(ctx context.Context, a AttemptInfo) context.Context
	// AttemptSucceeded is called when the receiver accepted the delivery.
	AttemptSucceeded(ctx context.Context, a AttemptInfo, r AttemptResult)
	// AttemptFailed is called when the attempt failed: r.Verdict says
	// whether it is retried, given up, or disabled its subscription.
	AttemptFailed(ctx context.Context, a AttemptInfo, r AttemptResult)
}

// AttemptInfo identifies an attempt for an [Observer].
type AttemptInfo struct {
	SubscriptionID uuid.UUID
	DeliveryID     uuid.UUID
	EventType      EventType
	// Number is 1 for the first attempt of the delivery (since it was
	// created or resent).
	Number int
	// Queued is how long the delivery had been due when it was sent: the
	// time from its NextAttemptAt to the attempt.
	Queued time.Duration
}

// AttemptResult is how an attempt ended, for an [Observer].
type AttemptResult struct {
	// Latency is the time from sending the request to the end of the
	// response (or the error).
	Latency time.Duration
	// StatusCode is the HTTP status; 0 when no response arrived.
	StatusCode int
	// Error says why the attempt failed; "" on success.
	Error string
	// Verdict is what the dispatcher decided: Delivered, Retry, GiveUp or
	// Disable.
	Verdict Verdict
	// NextAttemptAt is when a retried delivery is due again; zero otherwise.
	NextAttemptAt time.Time
}

// BaseObserver is an [Observer] that does nothing: embed it in your own
// to implement only the methods you need.
type BaseObserver struct{}

// AttemptStarted returns ctx.
func (BaseObserver) AttemptStarted(ctx context.Context, _ AttemptInfo) context.Context { return ctx }

// AttemptSucceeded does nothing.
func (BaseObserver) AttemptSucceeded(context.Context, AttemptInfo, AttemptResult) {}

// AttemptFailed does nothing.
func (BaseObserver) AttemptFailed(context.Context, AttemptInfo, AttemptResult) {}

// Backlog is what waits for one subscription: its pending deliveries.
type Backlog struct {
	SubscriptionID uuid.UUID
	// Pending counts the pending deliveries, due or waiting for a retry
	// (those in flight included).
	Pending int
	// Due counts the pending deliveries due at the time of the query.
	Due int
	// OldestCreatedAt is when the oldest pending delivery was created.
	OldestCreatedAt time.Time
	// OldestAge is the age of the oldest pending delivery at the time of
	// the query: how far behind the subscription is.
	OldestAge time.Duration
}

// A BacklogStore reports the pending deliveries per subscription, for
// [Service.Backlog]. store's WebhookStore implements it.
type BacklogStore interface {
	// Backlog returns, for every subscription with pending deliveries,
	// their count, how many are due at now, and the creation time of the
	// oldest, ordered by subscription ID. OldestAge is left zero.
	Backlog(ctx context.Context, now time.Time) ([]Backlog, error)
}
