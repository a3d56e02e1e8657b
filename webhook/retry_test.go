package webhook_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
	"github.com/vetlink/vetlink/webhook"
)

func TestPolicyDecide(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	exact := webhook.Policy{Jitter: -1}
	tests := []struct {
		name         string
		policy       webhook.Policy
		attempt      int
		r            webhook.Result
		strict       bool
		failingSince time.Time
		want         webhook.Decision
	}{
		{"2xx", exact, 1, webhook.Result{StatusCode: 204}, false, time.Time{}, webhook.Decision{Verdict: webhook.Delivered}},
		{"strict 200", exact, 1, webhook.Result{StatusCode: 200}, true, time.Time{}, webhook.Decision{Verdict: webhook.Delivered}},
		{"strict refuses 201", exact, 1, webhook.Result{StatusCode: 201}, true, time.Time{},
			webhook.Decision{Verdict: webhook.Retry, At: now.Add(5 * time.Second), Reason: "status 201: the subscription accepts only 200"}},
		{"first failure waits 5 s", exact, 1, webhook.Result{StatusCode: 500}, false, time.Time{},
			webhook.Decision{Verdict: webhook.Retry, At: now.Add(5 * time.Second), Reason: "status 500"}},
		{"second failure waits 5 min", exact, 2, webhook.Result{StatusCode: 502}, false, now.Add(-time.Minute),
			webhook.Decision{Verdict: webhook.Retry, At: now.Add(5 * time.Minute), Reason: "status 502"}},
		{"seventh failure waits 10 h", exact, 7, webhook.Result{StatusCode: 500}, false, now.Add(-time.Hour),
			webhook.Decision{Verdict: webhook.Retry, At: now.Add(10 * time.Hour), Reason: "status 500"}},
		{"eighth failure gives up", exact, 8, webhook.Result{StatusCode: 500}, false, now.Add(-time.Hour),
			webhook.Decision{Verdict: webhook.GiveUp, Reason: "status 500; no attempts left"}},
		{"429 waits at least 60 s", exact, 1, webhook.Result{StatusCode: 429}, false, time.Time{},
			webhook.Decision{Verdict: webhook.Retry, At: now.Add(60 * time.Second), Reason: "status 429"}},
		{"429 later in the schedule keeps the schedule", exact, 3, webhook.Result{StatusCode: 429}, false, time.Time{},
			webhook.Decision{Verdict: webhook.Retry, At: now.Add(30 * time.Minute), Reason: "status 429"}},
		{"timeout waits at least 60 s", exact, 1, webhook.Result{Err: errors.New("deadline"), Timeout: true}, false, time.Time{},
			webhook.Decision{Verdict: webhook.Retry, At: now.Add(60 * time.Second), Reason: "timed out"}},
		{"connection refused", exact, 1, webhook.Result{Err: errors.New("dial tcp: connection refused")}, false, time.Time{},
			webhook.Decision{Verdict: webhook.Retry, At: now.Add(5 * time.Second), Reason: "dial tcp: connection refused"}},
		{"Retry-After lengthens the wait", exact, 1, webhook.Result{StatusCode: 503, RetryAfter: 120 * time.Second}, false, time.Time{},
			webhook.Decision{Verdict: webhook.Retry, At: now.Add(120 * time.Second), Reason: "status 503"}},
		{"Retry-After never shortens it", exact, 3, webhook.Result{StatusCode: 503, RetryAfter: 10 * time.Second}, false, time.Time{},
			webhook.Decision{Verdict: webhook.Retry, At: now.Add(30 * time.Minute), Reason: "status 503"}},
		{"Retry-After bounded", exact, 1, webhook.Result{StatusCode: 429, RetryAfter: 48 * time.Hour}, false, time.Time{},
			webhook.Decision{Verdict: webhook.Retry, At: now.Add(24 * time.Hour), Reason: "status 429"}},
		{"410 disables", exact, 1, webhook.Result{StatusCode: 410}, false, time.Time{},
			webhook.Decision{Verdict: webhook.Disable, Reason: "status 410; the receiver asked for the subscription to end"}},
		{"failing 119 h keeps retrying", exact, 2, webhook.Result{StatusCode: 500}, false, now.Add(-119 * time.Hour),
			webhook.Decision{Verdict: webhook.Retry, At: now.Add(5 * time.Minute), Reason: "status 500"}},
		{"failing 120 h disables", exact, 2, webhook.Result{StatusCode: 500}, false, now.Add(-120 * time.Hour),
			webhook.Decision{Verdict: webhook.Disable, Reason: "status 500; failing since 2025-12-28T03:04:05Z"}},
		{"custom disable-after", webhook.Policy{Jitter: -1, DisableAfter: time.Hour}, 2, webhook.Result{StatusCode: 500}, false, now.Add(-time.Hour),
			webhook.Decision{Verdict: webhook.Disable, Reason: "status 500; failing since 2026-01-02T02:04:05Z"}},
		{"ten retries: the eighth failure waits 10 h", webhook.Policy{Jitter: -1, Retries: 10}, 8, webhook.Result{StatusCode: 500}, false, now.Add(-40 * time.Hour),
			webhook.Decision{Verdict: webhook.Retry, At: now.Add(10 * time.Hour), Reason: "status 500"}},
		{"ten retries: the tenth failure waits 10 h", webhook.Policy{Jitter: -1, Retries: 10}, 10, webhook.Result{StatusCode: 500}, false, now.Add(-60 * time.Hour),
			webhook.Decision{Verdict: webhook.Retry, At: now.Add(10 * time.Hour), Reason: "status 500"}},
		{"ten retries: the eleventh failure gives up", webhook.Policy{Jitter: -1, Retries: 10}, 11, webhook.Result{StatusCode: 500}, false, now.Add(-70 * time.Hour),
			webhook.Decision{Verdict: webhook.GiveUp, Reason: "status 500; no attempts left"}},
		{"two retries: the third failure gives up", webhook.Policy{Jitter: -1, Retries: 2}, 3, webhook.Result{StatusCode: 500}, false, now.Add(-time.Hour),
			webhook.Decision{Verdict: webhook.GiveUp, Reason: "status 500; no attempts left"}},
		{"two retries: the second failure waits 5 min", webhook.Policy{Jitter: -1, Retries: 2}, 2, webhook.Result{StatusCode: 500}, false, now.Add(-time.Minute),
			webhook.Decision{Verdict: webhook.Retry, At: now.Add(5 * time.Minute), Reason: "status 500"}},
		{"no retries", webhook.Policy{Jitter: -1, Retries: -1}, 1, webhook.Result{StatusCode: 500}, false, time.Time{},
			webhook.Decision{Verdict: webhook.GiveUp, Reason: "status 500; no attempts left"}},
		{"retries beyond a custom schedule repeat its last wait", webhook.Policy{Jitter: -1, Schedule: []time.Duration{0, time.Second}, Retries: 3}, 3, webhook.Result{StatusCode: 500}, false, time.Time{},
			webhook.Decision{Verdict: webhook.Retry, At: now.Add(time.Second), Reason: "status 500"}},
		{"custom schedule", webhook.Policy{Jitter: -1, Schedule: []time.Duration{0, time.Second}}, 1, webhook.Result{StatusCode: 500}, false, time.Time{},
			webhook.Decision{Verdict: webhook.Retry, At: now.Add(time.Second), Reason: "status 500"}},
		{"jitter low end", webhook.Policy{Rand: func() float64 { return 0 }}, 1, webhook.Result{StatusCode: 500}, false, time.Time{},
			webhook.Decision{Verdict: webhook.Retry, At: now.Add(4 * time.Second), Reason: "status 500"}},
		{"jitter middle", webhook.Policy{Rand: func() float64 { return 0.5 }}, 2, webhook.Result{StatusCode: 500}, false, time.Time{},
			webhook.Decision{Verdict: webhook.Retry, At: now.Add(5 * time.Minute), Reason: "status 500"}},
		{"jitter high end", webhook.Policy{Rand: func() float64 { return 0.75 }, Jitter: 0.1}, 1, webhook.Result{StatusCode: 500}, false, time.Time{},
			webhook.Decision{Verdict: webhook.Retry, At: now.Add(5250 * time.Millisecond), Reason: "status 500"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.policy.Decide(tt.attempt, tt.r, tt.strict, tt.failingSince, now)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestPolicyJitterBounds(t *testing.T) {
	var p webhook.Policy
	now := time.Unix(0, 0)
	lo, hi := 10*time.Second, time.Duration(0)
	for range 2000 {
		d := p.Decide(1, webhook.Result{StatusCode: 500}, false, time.Time{}, now).At.Sub(now)
		lo, hi = min(lo, d), max(hi, d)
	}
	require.GreaterOrEqual(t, lo, 4*time.Second)
	require.LessOrEqual(t, hi, 6*time.Second)
	require.Less(t, lo, 4200*time.Millisecond, "jitter spreads low")
	require.Greater(t, hi, 5800*time.Millisecond, "jitter spreads high")
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		v    string
		want time.Duration
	}{
		{"", 0},
		{"120", 120 * time.Second},
		{" 5 ", 5 * time.Second},
		{"0", 0},
		{"-3", 0},
		{"soon", 0},
		{"Fri, 02 Jan 2026 03:06:05 GMT", 2 * time.Minute},
		{"Fri, 02 Jan 2026 03:00:00 GMT", 0},
		{"99999999999", 365 * 24 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.v, func(t *testing.T) {
			require.Equal(t, tt.want, webhook.ParseRetryAfter(tt.v, now))
		})
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"120", "Fri, 02 Jan 2026 03:06:05 GMT", "", "-1", "1e9"} {
		f.Add(s)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d := webhook.ParseRetryAfter(v, now)
		if d < 0 || d > 365*24*time.Hour {
			t.Fatalf("ParseRetryAfter(%q) = %v, out of [0, 1 year]", v, d)
		}
	})
}

// Policy.Retries sets the attempts a dispatcher makes, past the end of the
// schedule.
func TestDispatcherRetryCount(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		secret := webhook.NewSecret()
		rc := newReceiver(t, secret, func(w http.ResponseWriter, r *http.Request, n int) { w.WriteHeader(http.StatusInternalServerError) })
		svc := &webhook.Service{Store: db.Webhooks(), Guard: loopback}
		sub, err := svc.CreateSubscription(ctx, webhook.Subscription{URL: rc.URL, Events: []webhook.EventType{"case.created"}, Secrets: []webhook.Secret{{Key: secret}}, Active: true})
		require.NoError(t, err)
		_, err = svc.Publish(ctx, webhook.Event{Type: "case.created", ResourceID: "c1"})
		require.NoError(t, err)
		policy := webhook.Policy{Schedule: []time.Duration{0, 5 * time.Millisecond}, Jitter: -1, Retries: 4}
		run(t, &webhook.Dispatcher{Store: db.Webhooks(), Guard: loopback, Policy: policy, PollInterval: 5 * time.Millisecond})

		var d webhook.Delivery
		eventually(t, func() bool { d = delivery(t, db, sub.ID); return d.State == webhook.StateFailed }, "retries exhausted")
		require.Equal(t, 5, d.Attempts)
		require.Equal(t, "status 500; no attempts left", d.LastError)
		require.Len(t, rc.received(), 5)
	})
}
