package webhooktest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/webhook"
)

const day = 24 * time.Hour

// outcome is the outcome of job j in state st at at, with an attempt
// started at started answered with status.
func outcome(j webhook.Job, st webhook.DeliveryState, started, at time.Time, status int) webhook.Outcome {
	return webhook.Outcome{DeliveryID: j.Delivery.ID, SubscriptionID: j.Subscription.ID, Lease: j.Lease, State: st,
		SubscriptionFailing: st != webhook.StateSucceeded, At: at,
		Attempt: &webhook.Attempt{DeliveryID: j.Delivery.ID, Number: j.Delivery.Attempts + 1, StartedAt: started, StatusCode: status}}
}

// jobOf returns the job of delivery id among jobs.
func jobOf(t *testing.T, jobs []webhook.Job, id uuid.UUID) webhook.Job {
	t.Helper()
	for _, j := range jobs {
		if j.Delivery.ID == id {
			return j
		}
	}
	t.Fatalf("delivery %s was not claimed", id)
	return webhook.Job{}
}

func complete(t *testing.T, s webhook.Store, os ...webhook.Outcome) {
	t.Helper()
	_, err := s.Complete(context.Background(), os)
	require.NoError(t, err)
}

func attemptNumbers(t *testing.T, s webhook.Store, id uuid.UUID) []int {
	t.Helper()
	as, err := s.Attempts(context.Background(), id)
	require.NoError(t, err)
	var ns []int
	for _, a := range as {
		ns = append(ns, a.Number)
	}
	return ns
}

// testPrune deletes the log older than a cut-off of ten days, and keeps
// pending deliveries (claimed or not), their attempts and their events.
func testPrune(t *testing.T, s webhook.Store) {
	ctx := context.Background()
	a, b := subscription("a", "case.created"), subscription("b", "case.created")
	create(t, s, a, b)
	_, e1 := enqueue(t, s, "case.created", t0, a, b) // d1 succeeds; d2 retries in 30 days
	_, e2 := enqueue(t, s, "case.created", t0, a)    // d3 fails
	_, e4 := enqueue(t, s, "case.created", t0, a)    // d5 fails once, succeeds on day 11
	enqueue(t, s, "case.created", t0)                // e5: no subscriber
	d1, d2, d3, d5 := e1[0], e1[1], e2[0], e4[0]

	jobs := claim(t, s, t0, 10, 10)
	require.Equal(t, sortedIDs([]webhook.Delivery{d1, d2, d3, d5}), ids(jobs))
	retry := outcome(jobOf(t, jobs, d2.ID), webhook.StatePending, t0, t0.Add(time.Second), 503)
	retry.NextAttemptAt = t0.Add(30 * day)
	retry5 := outcome(jobOf(t, jobs, d5.ID), webhook.StatePending, t0, t0.Add(time.Second), 503)
	retry5.NextAttemptAt = t0.Add(11 * day)
	complete(t, s,
		outcome(jobOf(t, jobs, d1.ID), webhook.StateSucceeded, t0, t0.Add(time.Second), 204),
		retry,
		outcome(jobOf(t, jobs, d3.ID), webhook.StateFailed, t0, t0.Add(time.Second), 500),
		retry5)

	_, e3 := enqueue(t, s, "case.created", t0.Add(time.Hour), a) // d4 stays claimed
	d4 := e3[0]
	require.Equal(t, []uuid.UUID{d4.ID}, ids(claim(t, s, t0.Add(time.Hour), 10, 10)))

	jobs = claim(t, s, t0.Add(11*day), 10, 10)
	require.Equal(t, sortedIDs([]webhook.Delivery{d4, d5}), ids(jobs), "d4's claim lapsed: it is claimed again")
	complete(t, s, outcome(jobOf(t, jobs, d5.ID), webhook.StateSucceeded, t0.Add(11*day), t0.Add(11*day+time.Second), 204))
	enqueue(t, s, "case.created", t0.Add(11*day)) // e6: no subscriber, after the cut-off

	got, err := s.Prune(ctx, t0.Add(10*day))
	require.NoError(t, err)
	require.Equal(t, webhook.PruneResult{Attempts: 3, Deliveries: 2, Events: 2}, got,
		"attempts of d1, d3 and d5's first; deliveries d1 and d3; events e2 and e5")

	for _, id := range []uuid.UUID{d1.ID, d3.ID} {
		_, err := s.Delivery(ctx, id)
		require.ErrorIs(t, err, webhook.ErrNotFound)
		require.Empty(t, attemptNumbers(t, s, id))
	}
	for _, d := range []webhook.Delivery{d2, d4, d5} {
		_, err := s.Delivery(ctx, d.ID)
		require.NoError(t, err, "delivery %s is kept", d.ID)
	}
	require.Equal(t, []int{1}, attemptNumbers(t, s, d2.ID), "a pending delivery keeps its old attempts")
	require.Equal(t, []int{2}, attemptNumbers(t, s, d5.ID), "only the attempt before the cut-off goes")

	got, err = s.Prune(ctx, t0.Add(10*day))
	require.NoError(t, err)
	require.Equal(t, webhook.PruneResult{}, got, "pruning again deletes nothing")

	got, err = s.Prune(ctx, t0.Add(12*day))
	require.NoError(t, err)
	require.Equal(t, webhook.PruneResult{Attempts: 1, Deliveries: 1, Events: 2}, got,
		"d5 and its attempt; events e4 and e6; d2 and d4 are pending, and keep e1 and e3")
	ds, err := s.Deliveries(ctx, webhook.DeliveryQuery{})
	require.NoError(t, err)
	require.Equal(t, sortedIDs([]webhook.Delivery{d2, d4}), sortedIDs(ds))

	// The kept deliveries are still whole: their events load with them.
	jobs = claim(t, s, t0.Add(40*day), 10, 10)
	require.Equal(t, sortedIDs([]webhook.Delivery{d2, d4}), ids(jobs))
	for _, j := range jobs {
		require.Equal(t, "123", j.Event.ResourceID)
	}
}

// testPruneBatches prunes more rows than one batch of the store, with rows
// to keep spread through them.
func testPruneBatches(t *testing.T, s webhook.Store) {
	ctx := context.Background()
	a, b := subscription("a", "case.created"), subscription("b", "case.created")
	create(t, s, a, b)
	const n = 1200
	var (
		es []webhook.Event
		ds []webhook.Delivery
	)
	for i := range n {
		// Three events a millisecond: rows of one instant straddle the
		// store's batches.
		at := t0.Add(time.Duration(i/3) * time.Millisecond)
		e := webhook.Event{ID: uuid.New(), Type: "case.created", ResourceID: "123", OccurredAt: at}
		es = append(es, e)
		if i%2 == 0 { // a delivery of a, due at once
			ds = append(ds, webhook.Delivery{ID: uuid.New(), EventID: e.ID, SubscriptionID: a.ID, EventType: e.Type,
				State: webhook.StatePending, NextAttemptAt: at, CreatedAt: at, UpdatedAt: at})
		}
		if i%100 == 0 { // a delivery of b, due in a year: keeps its event
			ds = append(ds, webhook.Delivery{ID: uuid.New(), EventID: e.ID, SubscriptionID: b.ID, EventType: e.Type,
				State: webhook.StatePending, NextAttemptAt: t0.Add(365 * day), CreatedAt: at, UpdatedAt: at})
		}
	}
	require.NoError(t, s.Enqueue(ctx, es, ds))

	// Disabling a fails its 600 deliveries in one sweep: one attempted,
	// the rest unattempted.
	jobs := claim(t, s, t0.Add(2*time.Second), 1, 1)
	require.Len(t, jobs, 1)
	o := outcome(jobs[0], webhook.StateFailed, t0.Add(2*time.Second), t0.Add(3*time.Second), 410)
	o.Disable = "status 410"
	complete(t, s, o)

	got, err := s.Prune(ctx, t0.Add(time.Hour))
	require.NoError(t, err)
	require.Equal(t, webhook.PruneResult{Attempts: 1, Deliveries: 600, Events: 1188}, got,
		"every event but the 12 that b's pending deliveries need")
	left, err := s.Deliveries(ctx, webhook.DeliveryQuery{Limit: 1000})
	require.NoError(t, err)
	require.Len(t, left, 12)
	for _, d := range left {
		require.Equal(t, b.ID, d.SubscriptionID)
	}
}

// testStranded finds and recovers exactly the deliveries that failed
// because their subscription was disabled, once it is active again and
// still wants them.
func testStranded(t *testing.T, s webhook.Store) {
	ctx := context.Background()
	a := subscription("a", "case.created")
	c := subscription("c", "case.created", "case.updated")
	north := subscription("north", "case.created")
	north.Department = "north"
	create(t, s, a, c, north)

	// Before any disabling: a success and a failure on its own retries.
	_, ok := enqueue(t, s, "case.created", t0, a)
	_, gaveUp := enqueue(t, s, "case.created", t0, a)
	jobs := claim(t, s, t0, 10, 10)
	complete(t, s,
		outcome(jobOf(t, jobs, ok[0].ID), webhook.StateSucceeded, t0, t0.Add(time.Second), 204),
		outcome(jobOf(t, jobs, gaveUp[0].ID), webhook.StateFailed, t0, t0.Add(time.Second), 500))

	// Each subscription's first delivery gets 410 Gone and disables it;
	// the later ones are pending then, and fail with it.
	_, trigA := enqueue(t, s, "case.created", t0.Add(time.Hour), a)
	_, trigC := enqueue(t, s, "case.created", t0.Add(time.Hour), c)
	_, trigN := enqueue(t, s, "case.created", t0.Add(time.Hour), north)
	_, p1 := enqueue(t, s, "case.created", t0.Add(2*time.Hour), a)
	_, c1 := enqueue(t, s, "case.created", t0.Add(150*time.Minute), c)
	_, c2 := enqueue(t, s, "case.updated", t0.Add(2*time.Hour), c)
	_, n1 := enqueue(t, s, "case.created", t0.Add(2*time.Hour), north) // department "north"
	_, p2 := enqueue(t, s, "case.created", t0.Add(3*time.Hour), a)
	jobs = claim(t, s, t0.Add(time.Hour), 10, 10)
	require.Equal(t, sortedIDs([]webhook.Delivery{trigA[0], trigC[0], trigN[0]}), ids(jobs))
	var gone []webhook.Outcome
	for _, j := range jobs {
		o := outcome(j, webhook.StateFailed, t0.Add(time.Hour), t0.Add(time.Hour+time.Second), 410)
		o.Disable = "status 410"
		gone = append(gone, o)
	}
	complete(t, s, gone...)

	stranded := func() []uuid.UUID {
		t.Helper()
		ds, err := s.Stranded(ctx, 100)
		require.NoError(t, err)
		var out []uuid.UUID
		for _, d := range ds {
			out = append(out, d.ID)
		}
		return out
	}
	require.Empty(t, stranded(), "the subscriptions are still disabled")

	enable := func(sub webhook.Subscription) {
		t.Helper()
		sub.Active, sub.UpdatedAt = true, t0.Add(4*time.Hour)
		require.NoError(t, s.UpdateSubscription(ctx, sub))
	}
	enable(a)
	c.Events = []webhook.EventType{"case.created"} // no longer wants c2
	enable(c)
	north.Department = "south" // no longer wants n1
	enable(north)

	require.Equal(t, []uuid.UUID{p1[0].ID, c1[0].ID, p2[0].ID}, stranded(), "oldest first")
	first, err := s.Stranded(ctx, 1)
	require.NoError(t, err)
	require.Len(t, first, 1)
	require.Equal(t, webhook.Delivery{ID: p1[0].ID, EventID: p1[0].EventID, SubscriptionID: a.ID, EventType: "case.created",
		State: webhook.StateFailed, NextAttemptAt: t0.Add(2 * time.Hour), LastError: "subscription disabled: status 410",
		CreatedAt: t0.Add(2 * time.Hour), UpdatedAt: t0.Add(time.Hour + time.Second), CompletedAt: t0.Add(time.Hour + time.Second)}, first[0])

	at := t0.Add(5 * time.Hour)
	n, err := s.RecoverStranded(ctx, at)
	require.NoError(t, err)
	require.Equal(t, 3, n)
	n, err = s.RecoverStranded(ctx, at)
	require.NoError(t, err)
	require.Equal(t, 0, n, "recovering again finds nothing")
	require.Empty(t, stranded())

	d, err := s.Delivery(ctx, p1[0].ID)
	require.NoError(t, err)
	require.Equal(t, webhook.Delivery{ID: p1[0].ID, EventID: p1[0].EventID, SubscriptionID: a.ID, EventType: "case.created",
		State: webhook.StatePending, NextAttemptAt: at, LastError: "subscription disabled: status 410",
		CreatedAt: t0.Add(2 * time.Hour), UpdatedAt: at}, d)
	for _, kept := range []webhook.Delivery{gaveUp[0], trigA[0], trigC[0], trigN[0], c2[0], n1[0]} {
		d, err := s.Delivery(ctx, kept.ID)
		require.NoError(t, err)
		require.Equal(t, webhook.StateFailed, d.State, "delivery %s stays failed", kept.ID)
	}

	// Disabled again while they are claimed: the one whose attempt
	// disabled it failed on its own answer; the other is stranded again
	// once a is enabled again.
	jobs = claim(t, s, at, 10, 10)
	require.Equal(t, sortedIDs([]webhook.Delivery{p1[0], c1[0], p2[0]}), ids(jobs))
	o := outcome(jobOf(t, jobs, p1[0].ID), webhook.StateFailed, at, at.Add(time.Second), 410)
	o.Disable = "status 410"
	complete(t, s, o)
	require.Empty(t, stranded())
	enable(a)
	require.Equal(t, []uuid.UUID{p2[0].ID}, stranded())

	// Resending a stranded delivery unmarks it.
	require.NoError(t, s.Resend(ctx, p2[0].ID, at))
	require.Empty(t, stranded())
}

// testSwitchOff checks that a subscription switched off by UpdateSubscription
// gets nothing more: its pending deliveries fail, parked, and come back
// through RecoverStranded once it is switched on again; other
// subscriptions' deliveries are untouched.
func testSwitchOff(t *testing.T, s webhook.Store) {
	ctx := context.Background()
	off := subscription("off", "case.created")
	other := subscription("other", "case.created")
	create(t, s, off, other)
	_, ds := enqueue(t, s, "case.created", t0, off, other)

	off.Active = false
	off.UpdatedAt = t0.Add(time.Minute)
	require.NoError(t, s.UpdateSubscription(ctx, off))
	jobs := claim(t, s, t0.Add(time.Hour), 10, 10)
	require.Equal(t, []uuid.UUID{ds[1].ID}, ids(jobs), "only the subscription still on is claimed")
	d, err := s.Delivery(ctx, ds[0].ID)
	require.NoError(t, err)
	require.Equal(t, webhook.StateFailed, d.State)

	off.Active = true
	off.UpdatedAt = t0.Add(2 * time.Hour)
	require.NoError(t, s.UpdateSubscription(ctx, off))
	n, err := s.RecoverStranded(ctx, t0.Add(2*time.Hour))
	require.NoError(t, err)
	require.Equal(t, 1, n)
	// other's delivery is claimable again too (its lease lapsed): skip it.
	jobs = claim(t, s, t0.Add(2*time.Hour), 10, 10, other.ID)
	require.Equal(t, []uuid.UUID{ds[0].ID}, ids(jobs))
}
