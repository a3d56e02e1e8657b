package webhook_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
	"github.com/vetlink/vetlink/webhook"
)

// loopback allows the tests' receivers through the SSRF guard.
var loopback = &webhook.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}}

// received is one request a test receiver accepted, signature verified.
type received struct {
	ID, ContentType, Event, Body string
}

// receiver is a loopback HTTP server that verifies every signature with
// secret and answers with respond (nil: 204).
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	got      []received
	rejected atomic.Int64
	respond  func(w http.ResponseWriter, r *http.Request, n int)
}

func newReceiver(t *testing.T, secret string, respond func(w http.ResponseWriter, r *http.Request, n int)) *receiver {
	t.Helper()
	rc := &receiver{respond: respond}
	v := &webhook.Verifier{Keys: []webhook.Key{mustKey(t, secret)}}
	verified := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, received{ID: r.Header.Get("webhook-id"), ContentType: r.Header.Get("Content-Type"), Event: r.Header.Get("webhook-event"), Body: string(body)})
		n := len(rc.got)
		rc.mu.Unlock()
		if rc.respond != nil {
			rc.respond(w, r, n)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rw := &statusRecorder{ResponseWriter: w}
		verified.ServeHTTP(rw, r)
		if rw.status == http.StatusUnauthorized {
			rc.rejected.Add(1)
		}
	}))
	t.Cleanup(rc.Close)
	return rc
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (rc *receiver) received() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

// run starts d until the test ends.
func run(t *testing.T, d *webhook.Dispatcher) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
}

// eventually waits up to 30 s for cond (the machine may be busy).
func eventually(t *testing.T, cond func() bool, msg string) {
	t.Helper()
	require.Eventually(t, cond, 30*time.Second, 5*time.Millisecond, msg)
}

func delivery(t *testing.T, db *store.DB, sub uuid.UUID) webhook.Delivery {
	t.Helper()
	ds, err := db.Webhooks().Deliveries(context.Background(), webhook.DeliveryQuery{SubscriptionID: sub})
	require.NoError(t, err)
	require.Len(t, ds, 1)
	return ds[0]
}

func TestDispatcherDeliversBothFormats(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		secret := webhook.NewSecret()
		rc := newReceiver(t, secret, nil)
		svc := &webhook.Service{Store: db.Webhooks(), Guard: loopback}
		form, err := svc.CreateSubscription(ctx, webhook.Subscription{URL: rc.URL + "/form", Events: []webhook.EventType{"consultation.created_or_updated"},
			Format: webhook.FormatForm, Secrets: []webhook.Secret{{Key: secret}}, Active: true})
		require.NoError(t, err)
		js, err := svc.CreateSubscription(ctx, webhook.Subscription{URL: rc.URL + "/json", Events: []webhook.EventType{"consultation.created_or_updated"},
			Format: webhook.FormatJSON, Secrets: []webhook.Secret{{Key: secret}}, Active: true})
		require.NoError(t, err)
		// Limited to another department: does not receive the event.
		_, err = svc.CreateSubscription(ctx, webhook.Subscription{URL: rc.URL + "/south", Events: []webhook.EventType{"consultation.created_or_updated"},
			Department: "south", Secrets: []webhook.Secret{{Key: secret}}, Active: true})
		require.NoError(t, err)

		e, err := svc.Publish(ctx, webhook.Event{Type: "consultation.created_or_updated", ResourceID: "123", Department: "north",
			OccurredAt: time.Date(2026, 5, 1, 8, 30, 0, 0, time.UTC)})
		require.NoError(t, err)
		run(t, &webhook.Dispatcher{Store: db.Webhooks(), Guard: loopback, PollInterval: 10 * time.Millisecond})

		eventually(t, func() bool { return len(rc.received()) == 2 }, "two deliveries")
		got := map[string]received{}
		for _, r := range rc.received() {
			got[r.ContentType] = r
		}
		require.Equal(t, "consultation_id=123", got["application/x-www-form-urlencoded"].Body)
		require.Equal(t, `{"type":"consultation.created_or_updated","timestamp":"2026-05-01T08:30:00Z","data":{"consultation_id":"123"}}`, got["application/json"].Body)
		require.Zero(t, rc.rejected.Load())

		eventually(t, func() bool { return delivery(t, db, form.ID).State == webhook.StateSucceeded }, "form delivery recorded")
		d := delivery(t, db, js.ID)
		eventually(t, func() bool { d = delivery(t, db, js.ID); return d.State == webhook.StateSucceeded }, "json delivery recorded")
		require.Equal(t, e.ID, d.EventID)
		require.Equal(t, 1, d.Attempts)
		require.Equal(t, 204, d.LastStatus)
		require.Equal(t, d.MessageID(), got["application/json"].ID)
		as, err := db.Webhooks().Attempts(ctx, d.ID)
		require.NoError(t, err)
		require.Len(t, as, 1)
		require.Equal(t, 204, as[0].StatusCode)
		require.True(t, as[0].NextAttemptAt.IsZero())
	})
}

// Every delivery names its event type in the webhook-event header: the thin
// form bodies of two events of one resource are the same bytes.
func TestDispatcherSendsEventHeader(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		secret := webhook.NewSecret()
		rc := newReceiver(t, secret, nil)
		svc := &webhook.Service{Store: db.Webhooks(), Guard: loopback}
		for _, f := range []webhook.Format{webhook.FormatForm, webhook.FormatJSON} {
			_, err := svc.CreateSubscription(ctx, webhook.Subscription{URL: rc.URL + "/" + string(f),
				Events: []webhook.EventType{"appointment.created_or_updated", "appointment.deleted"},
				Format: f, Secrets: []webhook.Secret{{Key: secret}}, Active: true})
			require.NoError(t, err)
		}
		at := time.Date(2026, 5, 1, 8, 30, 0, 0, time.UTC)
		_, err := svc.PublishAll(ctx, []webhook.Event{
			{Type: "appointment.created_or_updated", ResourceID: "42", OccurredAt: at},
			{Type: "appointment.deleted", ResourceID: "42", OccurredAt: at},
		})
		require.NoError(t, err)
		run(t, &webhook.Dispatcher{Store: db.Webhooks(), Guard: loopback, PollInterval: 10 * time.Millisecond})

		eventually(t, func() bool { return len(rc.received()) == 4 }, "four deliveries")
		got := map[string]string{}
		for _, r := range rc.received() {
			got[r.Event+" "+r.ContentType] = r.Body
		}
		require.Equal(t, map[string]string{
			"appointment.created_or_updated application/x-www-form-urlencoded": "appointment_id=42",
			"appointment.deleted application/x-www-form-urlencoded":            "appointment_id=42",
			"appointment.created_or_updated application/json":                  `{"type":"appointment.created_or_updated","timestamp":"2026-05-01T08:30:00Z","data":{"appointment_id":"42"}}`,
			"appointment.deleted application/json":                             `{"type":"appointment.deleted","timestamp":"2026-05-01T08:30:00Z","data":{"appointment_id":"42"}}`,
		}, got)
		require.Zero(t, rc.rejected.Load(), "the signatures verify with the header present")
	})
}

// fastPolicy retries after 10 ms, exactly.
var fastPolicy = webhook.Policy{Schedule: []time.Duration{0, 10 * time.Millisecond, 10 * time.Millisecond}, Jitter: -1}

func TestDispatcherRetriesWithTheSameID(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		secret := webhook.NewSecret()
		rc := newReceiver(t, secret, func(w http.ResponseWriter, r *http.Request, n int) {
			if n < 3 {
				http.Error(w, "try later", http.StatusServiceUnavailable)
				return
			}
			w.WriteHeader(http.StatusOK)
		})
		svc := &webhook.Service{Store: db.Webhooks(), Guard: loopback}
		sub, err := svc.CreateSubscription(ctx, webhook.Subscription{URL: rc.URL, Events: []webhook.EventType{"case.created"}, Secrets: []webhook.Secret{{Key: secret}}, Active: true})
		require.NoError(t, err)
		_, err = svc.Publish(ctx, webhook.Event{Type: "case.created", ResourceID: "c1"})
		require.NoError(t, err)
		run(t, &webhook.Dispatcher{Store: db.Webhooks(), Guard: loopback, Policy: fastPolicy, PollInterval: 5 * time.Millisecond})

		var d webhook.Delivery
		eventually(t, func() bool { d = delivery(t, db, sub.ID); return d.State == webhook.StateSucceeded }, "delivered on the third attempt")
		got := rc.received()
		require.Len(t, got, 3)
		for _, r := range got {
			require.Equal(t, d.MessageID(), r.ID)
			require.Equal(t, got[0].Body, r.Body)
		}
		as, err := db.Webhooks().Attempts(ctx, d.ID)
		require.NoError(t, err)
		require.Len(t, as, 3)
		require.Equal(t, []int{503, 503, 200}, []int{as[0].StatusCode, as[1].StatusCode, as[2].StatusCode})
		require.Equal(t, []int{1, 2, 3}, []int{as[0].Number, as[1].Number, as[2].Number})
		require.Equal(t, "try later\n", as[0].Response)
		require.Equal(t, "status 503", as[0].Error)
		require.False(t, as[0].NextAttemptAt.IsZero())
		require.Equal(t, 3, d.Attempts)
	})
}

func TestDispatcherOutcomes(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("a redirect was followed")
	}))
	defer other.Close()
	big := strings.Repeat("r", 30<<10)
	tests := []struct {
		name      string
		strict    bool
		respond   func(w http.ResponseWriter, r *http.Request, n int)
		state     webhook.DeliveryState
		attempts  int
		status    int
		err       string
		response  int // length of the logged response
		subActive bool
	}{
		{name: "any 2xx", respond: func(w http.ResponseWriter, r *http.Request, n int) { w.WriteHeader(202) },
			state: webhook.StateSucceeded, attempts: 1, status: 202, subActive: true},
		{name: "strict 200 refuses 204", strict: true, respond: func(w http.ResponseWriter, r *http.Request, n int) { w.WriteHeader(204) },
			state: webhook.StateFailed, attempts: 3, status: 204, err: "status 204: the subscription accepts only 200; no attempts left", subActive: true},
		{name: "redirect not followed", respond: func(w http.ResponseWriter, r *http.Request, n int) { http.Redirect(w, r, other.URL, http.StatusFound) },
			state: webhook.StateFailed, attempts: 3, status: 302, err: "status 302: redirects are not followed; no attempts left", response: 0, subActive: true},
		{name: "response capture bounded", respond: func(w http.ResponseWriter, r *http.Request, n int) { io.WriteString(w, big) },
			state: webhook.StateSucceeded, attempts: 1, status: 200, response: 20 << 10, subActive: true},
		{name: "410 disables", respond: func(w http.ResponseWriter, r *http.Request, n int) { w.WriteHeader(http.StatusGone) },
			state: webhook.StateFailed, attempts: 1, status: 410, err: "status 410; the receiver asked for the subscription to end", subActive: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := storetest.SQLite(t)
			ctx := context.Background()
			secret := webhook.NewSecret()
			rc := newReceiver(t, secret, tt.respond)
			svc := &webhook.Service{Store: db.Webhooks(), Guard: loopback}
			sub, err := svc.CreateSubscription(ctx, webhook.Subscription{URL: rc.URL, Events: []webhook.EventType{"case.created"},
				Secrets: []webhook.Secret{{Key: secret}}, Active: true, Strict200: tt.strict})
			require.NoError(t, err)
			watcher, err := svc.CreateSubscription(ctx, webhook.Subscription{URL: "https://watcher.example/", Events: []webhook.EventType{webhook.EventSubscriptionDisabled}, Active: true})
			require.NoError(t, err)
			_, err = svc.Publish(ctx, webhook.Event{Type: "case.created", ResourceID: "c1"})
			require.NoError(t, err)
			run(t, &webhook.Dispatcher{Store: db.Webhooks(), Guard: loopback, Policy: fastPolicy, PollInterval: 5 * time.Millisecond})

			var d webhook.Delivery
			eventually(t, func() bool { d = delivery(t, db, sub.ID); return d.State != webhook.StatePending }, "delivery done")
			require.Equal(t, tt.state, d.State)
			require.Equal(t, tt.attempts, d.Attempts)
			require.Equal(t, tt.status, d.LastStatus)
			require.Equal(t, tt.err, d.LastError)
			as, err := db.Webhooks().Attempts(ctx, d.ID)
			require.NoError(t, err)
			require.Len(t, as[len(as)-1].Response, tt.response)
			got, err := svc.Store.Subscription(ctx, sub.ID)
			require.NoError(t, err)
			require.Equal(t, tt.subActive, got.Active)
			ws, err := db.Webhooks().Deliveries(ctx, webhook.DeliveryQuery{SubscriptionID: watcher.ID})
			require.NoError(t, err)
			if tt.subActive {
				require.Empty(t, ws)
			} else {
				require.Len(t, ws, 1, "a subscription_disabled event was published")
				require.Equal(t, webhook.EventSubscriptionDisabled, ws[0].EventType)
				require.Equal(t, "status 410; the receiver asked for the subscription to end", got.DisabledReason)
			}
		})
	}
}

// A receiver that hangs holds at most its in-flight cap of workers; the
// others keep flowing.
func TestDispatcherIsolatesAHungReceiver(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	secret := webhook.NewSecret()
	release := make(chan struct{})
	var inflight, peak atomic.Int64
	hung := newReceiver(t, secret, func(w http.ResponseWriter, r *http.Request, n int) {
		cur := inflight.Add(1)
		for {
			p := peak.Load()
			if cur <= p || peak.CompareAndSwap(p, cur) {
				break
			}
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
		inflight.Add(-1)
	})
	defer close(release)
	fast := newReceiver(t, secret, nil)
	svc := &webhook.Service{Store: db.Webhooks(), Guard: loopback}
	hs, err := svc.CreateSubscription(ctx, webhook.Subscription{URL: hung.URL, Events: []webhook.EventType{"case.created"}, Secrets: []webhook.Secret{{Key: secret}}, Active: true})
	require.NoError(t, err)
	_, err = svc.CreateSubscription(ctx, webhook.Subscription{URL: fast.URL, Events: []webhook.EventType{"case.created"}, Secrets: []webhook.Secret{{Key: secret}}, Active: true})
	require.NoError(t, err)
	for i := range 40 {
		_, err = svc.Publish(ctx, webhook.Event{Type: "case.created", ResourceID: uuid.NewString()[:i%8+1]})
		require.NoError(t, err)
	}
	run(t, &webhook.Dispatcher{Store: db.Webhooks(), Guard: loopback, Workers: 8, Timeout: 20 * time.Second, PollInterval: 5 * time.Millisecond})

	eventually(t, func() bool { return len(fast.received()) == 40 }, "the fast receiver gets every event while the other hangs")
	// A receiver that never answers gives the adaptive cap nothing to grow
	// on: it holds the cap's start, 4.
	eventually(t, func() bool { return peak.Load() == 4 }, "the hung receiver holds its cap")
	time.Sleep(100 * time.Millisecond)
	require.Equal(t, int64(4), peak.Load(), "and never more")
	ds, err := db.Webhooks().Deliveries(ctx, webhook.DeliveryQuery{SubscriptionID: hs.ID, State: webhook.StatePending})
	require.NoError(t, err)
	require.Len(t, ds, 40)
}

// TestDispatcherDrainsWithoutPolling checks that the dispatcher claims
// again by itself when a claim could not take everything due: a backlog of
// one subscription, four at a time (its cap), and a hung receiver holding
// its own cap beside it, drain with a poll interval far longer than the
// test, so that no claim comes from the clock.
func TestDispatcherDrainsWithoutPolling(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		secret := webhook.NewSecret()
		release := make(chan struct{})
		hung := newReceiver(t, secret, func(w http.ResponseWriter, r *http.Request, n int) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		})
		defer close(release)
		fast := newReceiver(t, secret, nil)
		svc := &webhook.Service{Store: db.Webhooks(), Guard: loopback}
		for _, url := range []string{hung.URL, fast.URL} {
			_, err := svc.CreateSubscription(ctx, webhook.Subscription{URL: url, Events: []webhook.EventType{"case.created"},
				Format: webhook.FormatForm, Secrets: []webhook.Secret{{Key: secret}}, Active: true})
			require.NoError(t, err)
		}
		const n = 60
		events := make([]webhook.Event, n)
		for i := range events {
			events[i] = webhook.Event{Type: "case.created", ResourceID: uuid.NewString()}
		}
		_, err := svc.PublishAll(ctx, events)
		require.NoError(t, err)
		run(t, &webhook.Dispatcher{Store: db.Webhooks(), Guard: loopback, Workers: 32, Batch: 32, Timeout: 20 * time.Second,
			PollInterval: time.Hour})
		eventually(t, func() bool { return len(fast.received()) == n }, "the backlog drains with no poll")
		require.Len(t, hung.received(), 4, "the hung receiver holds its cap (the adaptive cap's start), no more")
	})
}
