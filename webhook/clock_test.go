package webhook

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// handlerTransport serves requests with a handler inside the test, so that
// attempts run on synctest's virtual clock; a handler that blocks waits
// for the request's context, as a hung receiver keeps the connection open.
type handlerTransport struct{ h http.HandlerFunc }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		defer close(done)
		t.h(rec, r)
	}()
	select {
	case <-done:
		return rec.Result(), nil
	case <-r.Context().Done():
		<-done
		return nil, r.Context().Err()
	}
}

// script answers attempt n (from 1) with statuses[n-1]; 0 hangs until the
// request times out. The last entry repeats.
func script(statuses []int, header http.Header) http.HandlerFunc {
	n := 0
	return func(w http.ResponseWriter, r *http.Request) {
		s := statuses[min(n, len(statuses)-1)]
		n++
		if s == 0 {
			<-r.Context().Done()
			return
		}
		for k, v := range header {
			w.Header()[k] = v
		}
		w.WriteHeader(s)
	}
}

// retryRun attempts one delivery as the durable dispatcher would, on the
// virtual clock: each outcome is applied to the job the way the store
// applies it, and the next attempt waits until its time. It returns the
// offset of every attempt from the start, and the final outcome.
func retryRun(t *testing.T, p Policy, h http.HandlerFunc) ([]time.Duration, Outcome) {
	t.Helper()
	d := &Dispatcher{Client: &http.Client{Transport: handlerTransport{h}}, Policy: p}
	d.init()
	start := time.Now()
	job := Job{
		Delivery: Delivery{ID: uuid.New(), EventType: "case.created"},
		Event:    Event{ID: uuid.New(), Type: "case.created", ResourceID: "7", OccurredAt: start},
		Subscription: Subscription{ID: uuid.New(), URL: "https://receiver.example/", Active: true,
			Secrets: []Secret{{Key: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}}},
	}
	var at []time.Duration
	for {
		o := d.attempt(context.Background(), job)
		if o.Attempt == nil { // circuit open: released until it lets a trial through
			time.Sleep(o.NextAttemptAt.Sub(time.Now()))
			continue
		}
		at = append(at, o.Attempt.StartedAt.Sub(start))
		if o.State != StatePending {
			return at, o
		}
		job.Delivery.Attempts++
		if job.Subscription.FailingSince.IsZero() {
			job.Subscription.FailingSince = o.Attempt.StartedAt
		}
		time.Sleep(o.NextAttemptAt.Sub(time.Now()))
	}
}

func TestRetryScheduleOnVirtualClock(t *testing.T) {
	const h = time.Hour
	tests := []struct {
		name     string
		policy   Policy
		handler  http.HandlerFunc
		want     []time.Duration
		state    DeliveryState
		disable  string
		lastCode int
	}{
		{
			name:    "default schedule to exhaustion",
			policy:  Policy{Jitter: -1},
			handler: script([]int{500}, nil),
			// 0, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, cumulated.
			want: []time.Duration{0, 5 * time.Second, 5*time.Minute + 5*time.Second, 35*time.Minute + 5*time.Second,
				2*h + 35*time.Minute + 5*time.Second, 7*h + 35*time.Minute + 5*time.Second,
				17*h + 35*time.Minute + 5*time.Second, 27*h + 35*time.Minute + 5*time.Second},
			state: StateFailed, lastCode: 500,
		},
		{
			name:    "429 waits 60 s",
			policy:  Policy{Jitter: -1},
			handler: script([]int{429, 200}, nil),
			want:    []time.Duration{0, 60 * time.Second},
			state:   StateSucceeded, lastCode: 200,
		},
		{
			name:    "Retry-After honoured",
			policy:  Policy{Jitter: -1},
			handler: script([]int{503, 204}, http.Header{"Retry-After": {"300"}}),
			want:    []time.Duration{0, 300 * time.Second},
			state:   StateSucceeded, lastCode: 204,
		},
		{
			name:    "timeout after 15 s, then at least 60 s",
			policy:  Policy{Jitter: -1},
			handler: script([]int{0, 200}, nil),
			want:    []time.Duration{0, 75 * time.Second},
			state:   StateSucceeded, lastCode: 200,
		},
		{
			name:    "410 disables at once",
			policy:  Policy{Jitter: -1},
			handler: script([]int{500, 410}, nil),
			want:    []time.Duration{0, 5 * time.Second},
			state:   StateFailed, disable: "status 410; the receiver asked for the subscription to end", lastCode: 410,
		},
		{
			name:    "failing for 120 h disables",
			policy:  Policy{Jitter: -1, Schedule: []time.Duration{0, 10 * h, 10 * h, 10 * h, 10 * h, 10 * h, 10 * h, 10 * h, 10 * h, 10 * h, 10 * h, 10 * h, 10 * h, 10 * h, 10 * h}},
			handler: script([]int{502}, nil),
			want:    []time.Duration{0, 10 * h, 20 * h, 30 * h, 40 * h, 50 * h, 60 * h, 70 * h, 80 * h, 90 * h, 100 * h, 110 * h, 120 * h},
			state:   StateFailed, disable: "status 502; failing since 2000-01-01T00:00:00Z", lastCode: 502,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				at, o := retryRun(t, tt.policy, tt.handler)
				require.Equal(t, tt.want, at)
				require.Equal(t, tt.state, o.State)
				require.Equal(t, tt.disable, o.Disable)
				require.Equal(t, tt.lastCode, o.Attempt.StatusCode)
			})
		})
	}
}

func TestCircuitBreakerOnVirtualClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBreakers(BreakerPolicy{})
		sub := uuid.New()
		ok, _ := b.allow(sub, time.Now())
		require.True(t, ok)
		for range DefaultBreakerThreshold - 1 {
			b.record(sub, false, time.Now())
		}
		require.False(t, b.open(sub, time.Now()), "four failures: still closed")
		b.record(sub, false, time.Now())
		opened := time.Now()
		require.True(t, b.open(sub, time.Now()))
		ok, until := b.allow(sub, time.Now())
		require.False(t, ok)
		require.Equal(t, opened.Add(30*time.Second), until)

		time.Sleep(30 * time.Second)
		ok, _ = b.allow(sub, time.Now())
		require.True(t, ok, "after the cooldown one trial goes through")
		ok, _ = b.allow(sub, time.Now())
		require.False(t, ok, "and only one")
		b.record(sub, false, time.Now())
		require.True(t, b.open(sub, time.Now()), "a failed trial opens the circuit again")

		time.Sleep(30 * time.Second)
		ok, _ = b.allow(sub, time.Now())
		require.True(t, ok)
		b.record(sub, true, time.Now())
		require.False(t, b.open(sub, time.Now()), "a good trial closes it")
		ok, _ = b.allow(sub, time.Now())
		require.True(t, ok)
	})
}

// With the breaker in the loop, a receiver that is down costs one trial
// per cooldown instead of one request per due delivery.
func TestBreakerHoldsDeliveriesOnVirtualClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		calls := 0
		d := &Dispatcher{Client: &http.Client{Transport: handlerTransport{func(w http.ResponseWriter, r *http.Request) {
			calls++
			w.WriteHeader(503)
		}}}, Policy: Policy{Jitter: -1}}
		d.init()
		sub := Subscription{ID: uuid.New(), URL: "https://receiver.example/", Active: true, Secrets: []Secret{{Key: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}}}
		var released int
		for range 20 {
			job := Job{Delivery: Delivery{ID: uuid.New()}, Event: Event{Type: "case.created", ResourceID: "1", OccurredAt: time.Now()}, Subscription: sub}
			if o := d.attempt(context.Background(), job); o.Attempt == nil {
				released++
				require.Equal(t, time.Now().UTC().Add(30*time.Second), o.NextAttemptAt)
			}
		}
		require.Equal(t, 5, calls)
		require.Equal(t, 15, released)
	})
}

func TestAttemptWithExpiredSecrets(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		calls := 0
		d := &Dispatcher{Client: &http.Client{Transport: handlerTransport{func(w http.ResponseWriter, r *http.Request) { calls++ }}}}
		d.init()
		job := Job{Delivery: Delivery{ID: uuid.New()}, Event: Event{Type: "case.created", ResourceID: "1", OccurredAt: time.Now()},
			Subscription: Subscription{ID: uuid.New(), URL: "https://receiver.example/", Active: true,
				Secrets: []Secret{{Key: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", ExpiresAt: time.Now().Add(time.Hour)}}}}
		o := d.attempt(context.Background(), job)
		require.Equal(t, StateSucceeded, o.State)

		time.Sleep(time.Hour)
		o = d.attempt(context.Background(), job)
		require.Equal(t, StateFailed, o.State, "nothing to sign with: retrying would not help")
		require.Equal(t, "no valid secret to sign with: every secret has expired", o.Attempt.Error)
		require.Equal(t, 1, calls)
	})
}
