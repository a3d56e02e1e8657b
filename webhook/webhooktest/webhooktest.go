// Package webhooktest checks implementations of [webhook.Store]: the one
// conformance suite every store runs, as slogtest does for slog handlers.
//
//	func TestWebhookStore(t *testing.T) {
//		webhooktest.TestStore(t, func(t *testing.T) webhook.Store { return openMyStore(t) })
//	}
package webhooktest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/webhook"
)

// t0 is the suite's clock: a fixed instant, with whole microseconds as the
// stores keep them.
var t0 = time.Date(2026, 3, 14, 9, 26, 53, 589_793_000, time.UTC)

// TestStore runs the conformance suite. newStore returns a fresh, empty
// store for each subtest.
func TestStore(t *testing.T, newStore func(t *testing.T) webhook.Store) {
	t.Run("SubscriptionRoundTrip", func(t *testing.T) { testSubscriptionRoundTrip(t, newStore(t)) })
	t.Run("SubscriptionErrors", func(t *testing.T) { testSubscriptionErrors(t, newStore(t)) })
	t.Run("SubscriptionsQuery", func(t *testing.T) { testSubscriptionsQuery(t, newStore(t)) })
	t.Run("ClaimAndLease", func(t *testing.T) { testClaimAndLease(t, newStore(t)) })
	t.Run("ClaimLimits", func(t *testing.T) { testClaimLimits(t, newStore(t)) })
	t.Run("ConcurrentClaims", func(t *testing.T) { testConcurrentClaims(t, newStore(t)) })
	t.Run("Complete", func(t *testing.T) { testComplete(t, newStore(t)) })
	t.Run("Disable", func(t *testing.T) { testDisable(t, newStore(t)) })
	t.Run("DeliveryLog", func(t *testing.T) { testDeliveryLog(t, newStore(t)) })
	t.Run("ResendAndRecover", func(t *testing.T) { testResendAndRecover(t, newStore(t)) })
	t.Run("CompleteAfterDelete", func(t *testing.T) { testCompleteAfterDelete(t, newStore(t)) })
	t.Run("Prune", func(t *testing.T) { testPrune(t, newStore(t)) })
	t.Run("PruneBatches", func(t *testing.T) { testPruneBatches(t, newStore(t)) })
	t.Run("Stranded", func(t *testing.T) { testStranded(t, newStore(t)) })
	t.Run("SwitchOff", func(t *testing.T) { testSwitchOff(t, newStore(t)) })
	t.Run("EnqueueMatching", func(t *testing.T) { testEnqueueMatching(t, newStore(t)) })
	t.Run("ClaimRoom", func(t *testing.T) { testClaimRoom(t, newStore(t)) })
	t.Run("SettingsRoundTrip", func(t *testing.T) { testSettingsRoundTrip(t, newStore(t)) })
}

func subscription(name string, events ...webhook.EventType) webhook.Subscription {
	return webhook.Subscription{
		ID:        uuid.New(),
		Name:      name,
		URL:       "https://receiver.example/" + name,
		Events:    events,
		Format:    webhook.FormatJSON,
		Secrets:   []webhook.Secret{{Key: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}},
		Active:    true,
		CreatedAt: t0,
		UpdatedAt: t0,
	}
}

func create(t *testing.T, s webhook.Store, subs ...webhook.Subscription) {
	t.Helper()
	for _, sub := range subs {
		require.NoError(t, s.CreateSubscription(context.Background(), sub))
	}
}

// enqueue stores one event of type typ for each of subs, due at due.
func enqueue(t *testing.T, s webhook.Store, typ webhook.EventType, due time.Time, subs ...webhook.Subscription) (webhook.Event, []webhook.Delivery) {
	t.Helper()
	e := webhook.Event{ID: uuid.New(), Type: typ, ResourceID: "123", Department: "north", OccurredAt: due.Add(-time.Second)}
	var ds []webhook.Delivery
	for _, sub := range subs {
		ds = append(ds, webhook.Delivery{ID: uuid.New(), EventID: e.ID, SubscriptionID: sub.ID, EventType: typ,
			State: webhook.StatePending, NextAttemptAt: due, CreatedAt: due, UpdatedAt: due})
	}
	require.NoError(t, s.Enqueue(context.Background(), []webhook.Event{e}, ds))
	return e, ds
}

func claim(t *testing.T, s webhook.Store, now time.Time, limit, per int, skip ...uuid.UUID) []webhook.Job {
	t.Helper()
	jobs, err := s.Claim(context.Background(), webhook.ClaimRequest{
		Owner: "suite", Lease: uuid.NewString(), Now: now, Until: now.Add(time.Minute),
		Limit: limit, PerSubscription: per, Skip: skip,
	})
	require.NoError(t, err)
	return jobs
}

func ids(jobs []webhook.Job) []uuid.UUID {
	out := make([]uuid.UUID, len(jobs))
	for i, j := range jobs {
		out[i] = j.Delivery.ID
	}
	slices.SortFunc(out, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
	return out
}

func testSubscriptionRoundTrip(t *testing.T, s webhook.Store) {
	ctx := context.Background()
	sub := webhook.Subscription{
		ID:             uuid.MustParse("6f1d8a52-3c1e-4b8e-9f0a-1a2b3c4d5e6f"),
		Name:           "lab system",
		URL:            "https://lab.example/hooks?src=vetlink",
		Events:         []webhook.EventType{"case.created", "consultation.created_or_updated"},
		Department:     "north",
		Format:         webhook.FormatForm,
		Secrets:        []webhook.Secret{{Key: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", ExpiresAt: t0.Add(time.Hour)}, {Key: "whsk_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="}},
		Active:         true,
		Strict200:      true,
		MaxInFlight:    2,
		FailingSince:   t0.Add(-time.Hour),
		DisabledReason: "",
		CreatedAt:      t0,
		UpdatedAt:      t0.Add(time.Second),
	}
	require.NoError(t, s.CreateSubscription(ctx, sub))
	got, err := s.Subscription(ctx, sub.ID)
	require.NoError(t, err)
	require.Equal(t, sub, got)

	sub.Name = "lab system v2"
	sub.Events = []webhook.EventType{"task.completed"}
	sub.Active = false
	sub.DisabledAt = t0.Add(2 * time.Hour)
	sub.DisabledReason = "status 410"
	sub.FailingSince = time.Time{}
	require.NoError(t, s.UpdateSubscription(ctx, sub))
	got, err = s.Subscription(ctx, sub.ID)
	require.NoError(t, err)
	require.Equal(t, sub, got)

	require.NoError(t, s.DeleteSubscription(ctx, sub.ID))
	_, err = s.Subscription(ctx, sub.ID)
	require.ErrorIs(t, err, webhook.ErrNotFound)
}

func testSubscriptionErrors(t *testing.T, s webhook.Store) {
	ctx := context.Background()
	sub := subscription("a", "case.created")
	create(t, s, sub)
	require.ErrorIs(t, s.CreateSubscription(ctx, sub), webhook.ErrConflict)
	missing := subscription("b", "case.created")
	require.ErrorIs(t, s.UpdateSubscription(ctx, missing), webhook.ErrNotFound)
	require.ErrorIs(t, s.DeleteSubscription(ctx, missing.ID), webhook.ErrNotFound)
	_, err := s.Delivery(ctx, uuid.New())
	require.ErrorIs(t, err, webhook.ErrNotFound)
	require.ErrorIs(t, s.Resend(ctx, uuid.New(), t0), webhook.ErrNotFound)
}

func testSubscriptionsQuery(t *testing.T, s webhook.Store) {
	ctx := context.Background()
	a := subscription("a", "case.created", "case.closed")
	b := subscription("b", "case.created")
	b.CreatedAt = t0.Add(time.Second)
	c := subscription("c", "task.completed")
	c.CreatedAt = t0.Add(2 * time.Second)
	d := subscription("d", "case.created")
	d.CreatedAt = t0.Add(3 * time.Second)
	d.Active = false
	create(t, s, a, b, c, d)

	names := func(subs []webhook.Subscription) []string {
		var out []string
		for _, s := range subs {
			out = append(out, s.Name)
		}
		return out
	}
	tests := []struct {
		q    webhook.SubscriptionQuery
		want []string
	}{
		{webhook.SubscriptionQuery{}, []string{"a", "b", "c", "d"}},
		{webhook.SubscriptionQuery{ActiveOnly: true}, []string{"a", "b", "c"}},
		{webhook.SubscriptionQuery{EventType: "case.created"}, []string{"a", "b", "d"}},
		{webhook.SubscriptionQuery{EventType: "case.created", ActiveOnly: true}, []string{"a", "b"}},
		{webhook.SubscriptionQuery{EventType: "invoice.finalized"}, nil},
		{webhook.SubscriptionQuery{EventTypes: []webhook.EventType{"case.closed", "task.completed"}}, []string{"a", "c"}},
		{webhook.SubscriptionQuery{EventTypes: []webhook.EventType{"case.created", "case.closed"}, ActiveOnly: true}, []string{"a", "b"}},
		{webhook.SubscriptionQuery{EventType: "task.completed", EventTypes: []webhook.EventType{"case.closed"}}, []string{"a", "c"}},
		{webhook.SubscriptionQuery{EventTypes: []webhook.EventType{"invoice.finalized"}}, nil},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%+v", tt.q), func(t *testing.T) {
			got, err := s.Subscriptions(ctx, tt.q)
			require.NoError(t, err)
			require.Equal(t, tt.want, names(got))
		})
	}
	got, err := s.Subscriptions(ctx, webhook.SubscriptionQuery{EventType: "case.closed"})
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, []webhook.EventType{"case.closed", "case.created"}, got[0].Events, "all of a subscription's events, not only the queried one")
}

func testClaimAndLease(t *testing.T, s webhook.Store) {
	ctx := context.Background()
	sub := subscription("a", "case.created")
	create(t, s, sub)
	e, ds := enqueue(t, s, "case.created", t0, sub)
	e.Data = nil

	require.Empty(t, claim(t, s, t0.Add(-time.Microsecond), 10, 10), "not due yet")

	lease := "lease-1"
	jobs, err := s.Claim(ctx, webhook.ClaimRequest{Owner: "suite", Lease: lease, Now: t0, Until: t0.Add(time.Minute), Limit: 10, PerSubscription: 4})
	require.NoError(t, err)
	require.Len(t, jobs, 1)
	j := jobs[0]
	require.Equal(t, lease, j.Lease)
	require.Equal(t, ds[0].ID, j.Delivery.ID)
	require.Equal(t, webhook.StatePending, j.Delivery.State)
	require.Equal(t, 0, j.Delivery.Attempts)
	require.Equal(t, e.ID, j.Event.ID)
	require.Equal(t, webhook.EventType("case.created"), j.Event.Type)
	require.Equal(t, "123", j.Event.ResourceID)
	require.Equal(t, "north", j.Event.Department)
	require.Equal(t, t0.Add(-time.Second), j.Event.OccurredAt)
	require.Equal(t, sub.ID, j.Subscription.ID)
	require.Equal(t, sub.URL, j.Subscription.URL)
	require.Equal(t, sub.Secrets, j.Subscription.Secrets)

	require.Empty(t, claim(t, s, t0.Add(59*time.Second), 10, 10), "leased")
	again := claim(t, s, t0.Add(time.Minute), 10, 10)
	require.Len(t, again, 1, "the lease lapsed: claimed again")
	require.Equal(t, ds[0].ID, again[0].Delivery.ID)

	// The first claimer's late outcome no longer applies.
	_, err = s.Complete(ctx, []webhook.Outcome{{DeliveryID: ds[0].ID, SubscriptionID: sub.ID, Lease: lease,
		State: webhook.StateSucceeded, At: t0.Add(61 * time.Second),
		Attempt: &webhook.Attempt{DeliveryID: ds[0].ID, Number: 1, StartedAt: t0, StatusCode: 200}}})
	require.NoError(t, err)
	d, err := s.Delivery(ctx, ds[0].ID)
	require.NoError(t, err)
	require.Equal(t, webhook.StatePending, d.State, "an outcome under a lost lease does not change the state")
	as, err := s.Attempts(ctx, ds[0].ID)
	require.NoError(t, err)
	require.Len(t, as, 1, "but the attempt it made is logged")
}

func testClaimLimits(t *testing.T, s webhook.Store) {
	a, b, c := subscription("a", "case.created"), subscription("b", "case.created"), subscription("c", "case.created")
	create(t, s, a, b, c)
	for i := range 5 {
		enqueue(t, s, "case.created", t0.Add(time.Duration(i)*time.Second), a, b, c)
	}
	jobs := claim(t, s, t0.Add(time.Hour), 100, 2, c.ID)
	per := map[uuid.UUID]int{}
	for _, j := range jobs {
		per[j.Subscription.ID]++
	}
	require.Equal(t, map[uuid.UUID]int{a.ID: 2, b.ID: 2}, per)
	// The oldest due of each subscription came first.
	for _, j := range jobs {
		require.True(t, j.Delivery.CreatedAt.Before(t0.Add(2*time.Second)), "due %s", j.Delivery.CreatedAt)
	}
	require.Len(t, claim(t, s, t0.Add(time.Hour), 3, 10), 3, "Limit caps the claim")
}

func testConcurrentClaims(t *testing.T, s webhook.Store) {
	subs := make([]webhook.Subscription, 4)
	for i := range subs {
		subs[i] = subscription(fmt.Sprint("s", i), "case.created")
	}
	create(t, s, subs...)
	const events = 50
	for range events {
		enqueue(t, s, "case.created", t0, subs...)
	}
	var (
		mu   sync.Mutex
		seen = map[uuid.UUID]int{}
		wg   sync.WaitGroup
	)
	for range 4 {
		wg.Go(func() {
			for {
				jobs, err := s.Claim(context.Background(), webhook.ClaimRequest{Owner: "w", Lease: uuid.NewString(),
					Now: t0.Add(time.Second), Until: t0.Add(time.Hour), Limit: 7, PerSubscription: 7})
				if err != nil {
					t.Error(err)
					return
				}
				if len(jobs) == 0 {
					return
				}
				mu.Lock()
				for _, j := range jobs {
					seen[j.Delivery.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	require.Len(t, seen, events*len(subs))
	for id, n := range seen {
		require.Equal(t, 1, n, "delivery %s claimed %d times under one lease", id, n)
	}
}

func testComplete(t *testing.T, s webhook.Store) {
	ctx := context.Background()
	sub := subscription("a", "case.created")
	create(t, s, sub)
	_, ds := enqueue(t, s, "case.created", t0, sub, sub, sub)
	jobs := claim(t, s, t0, 10, 10)
	require.Len(t, jobs, 3)
	lease := jobs[0].Lease
	next := t0.Add(5 * time.Second)
	_, err := s.Complete(ctx, []webhook.Outcome{
		{DeliveryID: ds[0].ID, SubscriptionID: sub.ID, Lease: lease, State: webhook.StatePending, NextAttemptAt: next,
			SubscriptionFailing: true, At: t0.Add(time.Second),
			Attempt: &webhook.Attempt{DeliveryID: ds[0].ID, Number: 1, StartedAt: t0, Duration: 1500 * time.Microsecond,
				StatusCode: 503, Response: "busy \x00\xff", Error: "status 503", NextAttemptAt: next}},
		{DeliveryID: ds[1].ID, SubscriptionID: sub.ID, Lease: lease, State: webhook.StatePending, NextAttemptAt: t0.Add(time.Minute), At: t0.Add(time.Second)},
	})
	require.NoError(t, err)

	d0, err := s.Delivery(ctx, ds[0].ID)
	require.NoError(t, err)
	require.Equal(t, webhook.Delivery{ID: ds[0].ID, EventID: ds[0].EventID, SubscriptionID: sub.ID, EventType: "case.created",
		State: webhook.StatePending, Attempts: 1, NextAttemptAt: next, LastStatus: 503, LastError: "status 503",
		CreatedAt: t0, UpdatedAt: t0.Add(time.Second)}, d0)
	d1, err := s.Delivery(ctx, ds[1].ID)
	require.NoError(t, err)
	require.Equal(t, 0, d1.Attempts, "a released delivery counts no attempt")
	require.Equal(t, t0.Add(time.Minute), d1.NextAttemptAt)

	as, err := s.Attempts(ctx, ds[0].ID)
	require.NoError(t, err)
	require.Equal(t, []webhook.Attempt{{DeliveryID: ds[0].ID, Number: 1, StartedAt: t0, Duration: 1500 * time.Microsecond,
		StatusCode: 503, Response: "busy \uFFFD\uFFFD", Error: "status 503", NextAttemptAt: next}}, as)

	got, err := s.Subscription(ctx, sub.ID)
	require.NoError(t, err)
	require.Equal(t, t0, got.FailingSince, "failing since the failed attempt started")

	// Success ends the run of failures.
	jobs = claim(t, s, next, 10, 10)
	require.Len(t, jobs, 1)
	_, err = s.Complete(ctx, []webhook.Outcome{{DeliveryID: ds[0].ID, SubscriptionID: sub.ID, Lease: jobs[0].Lease,
		State: webhook.StateSucceeded, At: next.Add(time.Second),
		Attempt: &webhook.Attempt{DeliveryID: ds[0].ID, Number: 2, StartedAt: next, StatusCode: 204}}})
	require.NoError(t, err)
	d0, err = s.Delivery(ctx, ds[0].ID)
	require.NoError(t, err)
	require.Equal(t, webhook.StateSucceeded, d0.State)
	require.Equal(t, 2, d0.Attempts)
	require.Equal(t, 204, d0.LastStatus)
	require.Equal(t, "", d0.LastError)
	require.Equal(t, next.Add(time.Second), d0.CompletedAt)
	got, err = s.Subscription(ctx, sub.ID)
	require.NoError(t, err)
	require.True(t, got.FailingSince.IsZero())
	require.Empty(t, claim(t, s, next.Add(time.Hour), 10, 10)[:0])
}

func testDisable(t *testing.T, s webhook.Store) {
	ctx := context.Background()
	sub, other := subscription("a", "case.created"), subscription("b", "case.created")
	create(t, s, sub, other)
	_, ds := enqueue(t, s, "case.created", t0, sub, other)
	_, later := enqueue(t, s, "case.created", t0.Add(time.Hour), sub)
	jobs := claim(t, s, t0, 10, 10)
	require.Len(t, jobs, 2)
	o := webhook.Outcome{DeliveryID: ds[0].ID, SubscriptionID: sub.ID, Lease: jobs[0].Lease, State: webhook.StateFailed,
		SubscriptionFailing: true, Disable: "status 410", At: t0.Add(time.Second),
		Attempt: &webhook.Attempt{DeliveryID: ds[0].ID, Number: 1, StartedAt: t0, StatusCode: 410, Error: "status 410"}}
	disabled, err := s.Complete(ctx, []webhook.Outcome{o})
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{sub.ID}, disabled)
	disabled, err = s.Complete(ctx, []webhook.Outcome{o})
	require.NoError(t, err)
	require.Empty(t, disabled, "already disabled")

	got, err := s.Subscription(ctx, sub.ID)
	require.NoError(t, err)
	require.False(t, got.Active)
	require.Equal(t, "status 410", got.DisabledReason)
	require.Equal(t, t0.Add(time.Second), got.DisabledAt)

	d, err := s.Delivery(ctx, later[0].ID)
	require.NoError(t, err)
	require.Equal(t, webhook.StateFailed, d.State, "pending deliveries of a disabled subscription fail")
	require.Equal(t, "subscription disabled: status 410", d.LastError)
	d, err = s.Delivery(ctx, ds[1].ID)
	require.NoError(t, err)
	require.Equal(t, webhook.StatePending, d.State, "other subscriptions are untouched")
}

func testDeliveryLog(t *testing.T, s webhook.Store) {
	ctx := context.Background()
	a, b := subscription("a", "case.created"), subscription("b", "case.created")
	create(t, s, a, b)
	e1, d1 := enqueue(t, s, "case.created", t0, a, b)
	_, d2 := enqueue(t, s, "case.created", t0.Add(time.Minute), a)

	tests := []struct {
		name string
		q    webhook.DeliveryQuery
		want []uuid.UUID
	}{
		{"subscription newest first", webhook.DeliveryQuery{SubscriptionID: a.ID}, []uuid.UUID{d2[0].ID, d1[0].ID}},
		{"event", webhook.DeliveryQuery{EventID: e1.ID, SubscriptionID: b.ID}, []uuid.UUID{d1[1].ID}},
		{"created range", webhook.DeliveryQuery{SubscriptionID: a.ID, CreatedFrom: t0.Add(time.Second), CreatedBefore: t0.Add(time.Hour)}, []uuid.UUID{d2[0].ID}},
		{"state", webhook.DeliveryQuery{State: webhook.StateFailed}, nil},
		{"limit", webhook.DeliveryQuery{SubscriptionID: a.ID, Limit: 1}, []uuid.UUID{d2[0].ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Deliveries(ctx, tt.q)
			require.NoError(t, err)
			var gotIDs []uuid.UUID
			for _, d := range got {
				gotIDs = append(gotIDs, d.ID)
			}
			require.Equal(t, tt.want, gotIDs)
		})
	}
}

func testResendAndRecover(t *testing.T, s webhook.Store) {
	ctx := context.Background()
	sub := subscription("a", "case.created")
	create(t, s, sub)
	var ds []webhook.Delivery
	for i := range 3 {
		_, d := enqueue(t, s, "case.created", t0.Add(time.Duration(i)*time.Hour), sub)
		ds = append(ds, d[0])
	}
	jobs := claim(t, s, t0.Add(3*time.Hour), 10, 10)
	require.Len(t, jobs, 3)
	var os []webhook.Outcome
	for _, j := range jobs {
		os = append(os, webhook.Outcome{DeliveryID: j.Delivery.ID, SubscriptionID: sub.ID, Lease: j.Lease, State: webhook.StateFailed,
			SubscriptionFailing: true, At: t0.Add(3 * time.Hour),
			Attempt: &webhook.Attempt{DeliveryID: j.Delivery.ID, Number: 8, StartedAt: t0.Add(3 * time.Hour), StatusCode: 500}})
	}
	_, err := s.Complete(ctx, os)
	require.NoError(t, err)

	at := t0.Add(4 * time.Hour)
	require.NoError(t, s.Resend(ctx, ds[0].ID, at))
	d, err := s.Delivery(ctx, ds[0].ID)
	require.NoError(t, err)
	require.Equal(t, webhook.StatePending, d.State)
	require.Equal(t, 0, d.Attempts)
	require.Equal(t, at, d.NextAttemptAt)
	require.True(t, d.CompletedAt.IsZero())

	n, err := s.Recover(ctx, sub.ID, t0.Add(time.Hour), t0.Add(2*time.Hour), at)
	require.NoError(t, err)
	require.Equal(t, 1, n, "only the failed delivery created in [1h, 2h)")
	n, err = s.Recover(ctx, sub.ID, t0, t0.Add(24*time.Hour), at)
	require.NoError(t, err)
	require.Equal(t, 1, n, "the one still failed")
	require.Equal(t, sortedIDs(ds), ids(claim(t, s, at, 10, 10)))
}

func sortedIDs(ds []webhook.Delivery) []uuid.UUID {
	out := make([]uuid.UUID, len(ds))
	for i, d := range ds {
		out[i] = d.ID
	}
	slices.SortFunc(out, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
	return out
}

// A subscription deleted while its deliveries are in flight: their
// outcomes are dropped without failing the rest of the batch.
func testCompleteAfterDelete(t *testing.T, s webhook.Store) {
	ctx := context.Background()
	gone, kept := subscription("gone", "case.created"), subscription("kept", "case.created")
	create(t, s, gone, kept)
	_, ds := enqueue(t, s, "case.created", t0, gone, kept)
	jobs := claim(t, s, t0, 10, 10)
	require.Len(t, jobs, 2)
	require.NoError(t, s.DeleteSubscription(ctx, gone.ID))
	var os []webhook.Outcome
	for _, d := range ds {
		os = append(os, webhook.Outcome{DeliveryID: d.ID, SubscriptionID: d.SubscriptionID, Lease: jobs[0].Lease,
			State: webhook.StateSucceeded, At: t0.Add(time.Second),
			Attempt: &webhook.Attempt{DeliveryID: d.ID, Number: 1, StartedAt: t0, StatusCode: 204}})
	}
	_, err := s.Complete(ctx, os)
	require.NoError(t, err)
	d, err := s.Delivery(ctx, ds[1].ID)
	require.NoError(t, err)
	require.Equal(t, webhook.StateSucceeded, d.State)
	_, err = s.Delivery(ctx, ds[0].ID)
	require.ErrorIs(t, err, webhook.ErrNotFound)
}

// testEnqueueMatching checks a MatchingStore against the rule of
// Subscription.Matches; a store that is not one skips it.
func testEnqueueMatching(t *testing.T, s webhook.Store) {
	m, ok := s.(webhook.MatchingStore)
	if !ok {
		t.Skip("the store is not a webhook.MatchingStore")
	}
	ctx := context.Background()
	org := subscription("org", "case.created", "case.closed")
	north := subscription("north", "case.created")
	north.Department = "north"
	south := subscription("south", "case.created")
	south.Department = "south"
	off := subscription("off", "case.created")
	off.Active = false
	tasks := subscription("tasks", "task.completed")
	create(t, s, org, north, south, off, tasks)

	inNorth := webhook.Event{ID: uuid.New(), Type: "case.created", ResourceID: "1", Department: "north", Data: []byte(`{"a":1}`), OccurredAt: t0}
	unknown := webhook.Event{ID: uuid.New(), Type: "case.created", ResourceID: "2", OccurredAt: t0}
	closed := webhook.Event{ID: uuid.New(), Type: "case.closed", ResourceID: "3", Department: "south", OccurredAt: t0}
	nobody := webhook.Event{ID: uuid.New(), Type: "invoice.finalized", ResourceID: "4", OccurredAt: t0}
	due := t0.Add(time.Second)
	require.NoError(t, m.EnqueueMatching(ctx, []webhook.Event{inNorth, unknown, closed, nobody}, due))

	want := map[uuid.UUID][]uuid.UUID{
		inNorth.ID: {org.ID, north.ID},
		unknown.ID: {org.ID}, // no department: organisation-wide subscriptions only
		closed.ID:  {org.ID},
		nobody.ID:  nil,
	}
	for _, e := range []webhook.Event{inNorth, unknown, closed, nobody} {
		ds, err := s.Deliveries(ctx, webhook.DeliveryQuery{EventID: e.ID})
		require.NoError(t, err)
		var got []uuid.UUID
		for _, d := range ds {
			got = append(got, d.SubscriptionID)
			require.Equal(t, webhook.Delivery{ID: d.ID, EventID: e.ID, SubscriptionID: d.SubscriptionID, EventType: e.Type,
				State: webhook.StatePending, NextAttemptAt: due, CreatedAt: due, UpdatedAt: due}, d)
			require.NotEqual(t, uuid.Nil, d.ID)
		}
		slices.SortFunc(got, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
		exp := slices.Clone(want[e.ID])
		slices.SortFunc(exp, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
		require.Equal(t, exp, got, "deliveries of %s", e.ResourceID)
	}
	jobs := claim(t, s, due, 10, 10)
	require.Len(t, jobs, 4)
	for _, j := range jobs {
		if j.Event.ID == inNorth.ID {
			require.JSONEq(t, `{"a":1}`, string(j.Event.Data))
			require.Equal(t, "north", j.Event.Department)
			require.Equal(t, t0, j.Event.OccurredAt)
		}
	}
}

// testClaimRoom checks ClaimRequest.Room: it overrides PerSubscription for
// the subscriptions it names.
func testClaimRoom(t *testing.T, s webhook.Store) {
	a, b := subscription("a", "case.created"), subscription("b", "case.created")
	create(t, s, a, b)
	for i := range 5 {
		enqueue(t, s, "case.created", t0.Add(time.Duration(i)*time.Second), a, b)
	}
	jobs, err := s.Claim(context.Background(), webhook.ClaimRequest{
		Owner: "suite", Lease: uuid.NewString(), Now: t0.Add(time.Hour), Until: t0.Add(2 * time.Hour),
		Limit: 100, PerSubscription: 1, Room: map[uuid.UUID]int{a.ID: 3},
	})
	require.NoError(t, err)
	per := map[uuid.UUID]int{}
	for _, j := range jobs {
		per[j.Subscription.ID]++
	}
	require.Equal(t, map[uuid.UUID]int{a.ID: 3, b.ID: 1}, per)
}

// testSettingsRoundTrip stores a subscription's timeout, headers, rate
// limit and a prefix pattern, and reads them back.
func testSettingsRoundTrip(t *testing.T, s webhook.Store) {
	ctx := context.Background()
	sub := subscription("settings", "prescription.*", "case.created")
	sub.Timeout, sub.RateLimit = 2500*time.Millisecond, 0.5
	sub.Headers = map[string]string{"X-Api-Key": "k-1", "X-Tenant": "north"}
	create(t, s, sub)
	got, err := s.Subscription(ctx, sub.ID)
	require.NoError(t, err)
	require.Equal(t, 2500*time.Millisecond, got.Timeout)
	require.Equal(t, 0.5, got.RateLimit)
	require.Equal(t, map[string]string{"X-Api-Key": "k-1", "X-Tenant": "north"}, got.Headers)
	require.Equal(t, []webhook.EventType{"case.created", "prescription.*"}, got.Events)
	sub.Headers, sub.Timeout, sub.RateLimit = nil, 0, 0
	require.NoError(t, s.UpdateSubscription(ctx, sub))
	got, err = s.Subscription(ctx, sub.ID)
	require.NoError(t, err)
	require.Empty(t, got.Headers)
	require.Zero(t, got.Timeout)
	require.Zero(t, got.RateLimit)
	for typ, want := range map[webhook.EventType]int{"prescription.cancelled": 1, "case.created": 1, "case.closed": 0} {
		subs, err := s.Subscriptions(ctx, webhook.SubscriptionQuery{EventType: typ})
		require.NoError(t, err)
		require.Len(t, subs, want, typ)
	}
}
