package webhook_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
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

// headerReceiver records the headers and event of every request, and
// verifies none (the signature tests do).
type headerReceiver struct {
	*httptest.Server
	mu   sync.Mutex
	got  []http.Header
	wait time.Duration
}

func newHeaderReceiver(t *testing.T, wait time.Duration) *headerReceiver {
	hr := &headerReceiver{wait: wait}
	hr.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		time.Sleep(hr.wait)
		hr.mu.Lock()
		hr.got = append(hr.got, r.Header.Clone())
		hr.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(hr.Close)
	return hr
}

func (hr *headerReceiver) headers() []http.Header {
	hr.mu.Lock()
	defer hr.mu.Unlock()
	return slices.Clone(hr.got)
}

// TestSubscriptionSettings stores a subscription's timeout, headers, rate
// limit and prefix pattern, and the dispatcher applies them: the custom
// header arrives beside the signature headers (which it cannot replace),
// the pattern selects the events it names and no others.
func TestSubscriptionSettings(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		rc := newHeaderReceiver(t, 0)
		svc := &webhook.Service{Store: db.Webhooks(), Guard: loopback}
		sub, err := svc.CreateSubscription(ctx, webhook.Subscription{URL: rc.URL, Events: []webhook.EventType{"prescription.*"},
			Active: true, Timeout: 3 * time.Second, RateLimit: 50, Headers: map[string]string{"X-Api-Key": "k-123"}})
		require.NoError(t, err)
		got, err := svc.Subscription(ctx, sub.ID)
		require.NoError(t, err)
		require.Equal(t, 3*time.Second, got.Timeout)
		require.Equal(t, 50.0, got.RateLimit)
		require.Equal(t, map[string]string{"X-Api-Key": "k-123"}, got.Headers)
		require.Equal(t, []webhook.EventType{"prescription.*"}, got.Events)

		listed, err := svc.Subscriptions(ctx, webhook.SubscriptionQuery{EventType: "prescription.cancelled"})
		require.NoError(t, err)
		require.Len(t, listed, 1, "the pattern selects prescription.cancelled")
		listed, err = svc.Subscriptions(ctx, webhook.SubscriptionQuery{EventType: "case.created"})
		require.NoError(t, err)
		require.Empty(t, listed, "and not case.created")

		_, err = svc.PublishAll(ctx, []webhook.Event{
			{Type: "prescription.created", ResourceID: "1"}, {Type: "case.created", ResourceID: "2"},
			{Type: "prescription.cancelled", ResourceID: "3"}})
		require.NoError(t, err)
		run(t, &webhook.Dispatcher{Store: db.Webhooks(), Guard: loopback, PollInterval: 10 * time.Millisecond})
		eventually(t, func() bool { return len(rc.headers()) == 2 }, "the two prescription events arrive")
		time.Sleep(100 * time.Millisecond)
		hs := rc.headers()
		require.Len(t, hs, 2, "and the case event does not")
		var events []string
		for _, h := range hs {
			require.Equal(t, "k-123", h.Get("X-Api-Key"))
			require.NotEmpty(t, h.Get("webhook-signature"))
			require.Equal(t, "application/json", h.Get("Content-Type"))
			events = append(events, h.Get("webhook-event"))
		}
		slices.Sort(events)
		require.Equal(t, []string{"prescription.cancelled", "prescription.created"}, events)

		_, err = svc.UpdateSubscription(ctx, webhook.Subscription{ID: sub.ID, URL: rc.URL, Events: sub.Events, Secrets: sub.Secrets, Active: true,
			Headers: map[string]string{"webhook-id": "forged"}})
		var se *webhook.SubscriptionError
		require.ErrorAs(t, err, &se)
		require.Equal(t, `headers["webhook-id"]`, se.Field)
	})
}

// TestSendTest sends webhook.test to one subscription only, logged like
// any other delivery, and refuses an inactive one.
func TestSendTest(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		secret := webhook.NewSecret()
		a, b := newReceiver(t, secret, nil), newReceiver(t, secret, nil)
		svc := &webhook.Service{Store: db.Webhooks(), Guard: loopback}
		sa, err := svc.CreateSubscription(ctx, webhook.Subscription{URL: a.URL, Events: []webhook.EventType{"webhook.test"}, Secrets: []webhook.Secret{{Key: secret}}, Active: true})
		require.NoError(t, err)
		_, err = svc.CreateSubscription(ctx, webhook.Subscription{URL: b.URL, Events: []webhook.EventType{"webhook.test"}, Secrets: []webhook.Secret{{Key: secret}}, Active: true})
		require.NoError(t, err)
		d, err := svc.SendTest(ctx, sa.ID)
		require.NoError(t, err)
		run(t, &webhook.Dispatcher{Store: db.Webhooks(), Guard: loopback, PollInterval: 10 * time.Millisecond})
		eventually(t, func() bool { return len(a.received()) == 1 }, "the test event arrives")
		got := a.received()[0]
		require.Equal(t, "webhook.test", got.Event)
		require.JSONEq(t, `{"subscription_id":"`+sa.ID.String()+`","test":true}`, mustData(t, got.Body))
		eventually(t, func() bool {
			ds, err := svc.Deliveries(ctx, webhook.DeliveryQuery{SubscriptionID: sa.ID, State: webhook.StateSucceeded})
			return err == nil && len(ds) == 1 && ds[0].ID == d.ID
		}, "and is logged as succeeded")
		time.Sleep(100 * time.Millisecond)
		require.Empty(t, b.received(), "the other subscription gets nothing")

		sa.Active = false
		_, err = svc.UpdateSubscription(ctx, sa)
		require.NoError(t, err)
		_, err = svc.SendTest(ctx, sa.ID)
		require.EqualError(t, err, "webhook: subscription active: subscription "+sa.ID.String()+" is not active: enable it before sending a test event")
		_, err = svc.SendTest(ctx, uuid.New())
		require.ErrorIs(t, err, webhook.ErrNotFound)
	})
}

// mustData returns the "data" object of a Standard Webhooks envelope.
func mustData(t *testing.T, body string) string {
	var env struct {
		Data map[string]any `json:"data"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &env))
	b, err := json.Marshal(env.Data)
	require.NoError(t, err)
	return string(b)
}

// countingObserver counts the observer's calls per subscription.
type countingObserver struct {
	webhook.BaseObserver
	mu                 sync.Mutex
	started, ok, fails map[uuid.UUID]int
	statuses           []int
}

func (o *countingObserver) AttemptStarted(ctx context.Context, a webhook.AttemptInfo) context.Context {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.started[a.SubscriptionID]++
	return ctx
}

func (o *countingObserver) AttemptSucceeded(_ context.Context, a webhook.AttemptInfo, r webhook.AttemptResult) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.ok[a.SubscriptionID]++
	o.statuses = append(o.statuses, r.StatusCode)
}

func (o *countingObserver) AttemptFailed(_ context.Context, a webhook.AttemptInfo, r webhook.AttemptResult) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.fails[a.SubscriptionID]++
	o.statuses = append(o.statuses, r.StatusCode)
}

func (o *countingObserver) counts(id uuid.UUID) (started, ok, fails int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.started[id], o.ok[id], o.fails[id]
}

// TestObserverAndBacklog checks the observer's calls for successes and
// failures, and the backlog the service reports while a receiver fails.
func TestObserverAndBacklog(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		secret := webhook.NewSecret()
		good := newReceiver(t, secret, nil)
		bad := newReceiver(t, secret, func(w http.ResponseWriter, r *http.Request, n int) { w.WriteHeader(http.StatusServiceUnavailable) })
		svc := &webhook.Service{Store: db.Webhooks(), Guard: loopback}
		sg, err := svc.CreateSubscription(ctx, webhook.Subscription{URL: good.URL, Events: []webhook.EventType{"case.created"}, Secrets: []webhook.Secret{{Key: secret}}, Active: true})
		require.NoError(t, err)
		sb, err := svc.CreateSubscription(ctx, webhook.Subscription{URL: bad.URL, Events: []webhook.EventType{"case.created"}, Secrets: []webhook.Secret{{Key: secret}}, Active: true})
		require.NoError(t, err)
		for i := range 3 {
			_, err := svc.Publish(ctx, webhook.Event{Type: "case.created", ResourceID: string(rune('a' + i))})
			require.NoError(t, err)
		}
		before, err := svc.Backlog(ctx)
		require.NoError(t, err)
		require.Len(t, before, 2)
		for _, b := range before {
			require.Equal(t, 3, b.Pending)
			require.Equal(t, 3, b.Due)
		}
		obs := &countingObserver{started: map[uuid.UUID]int{}, ok: map[uuid.UUID]int{}, fails: map[uuid.UUID]int{}}
		run(t, &webhook.Dispatcher{Store: db.Webhooks(), Guard: loopback, Observer: obs, PollInterval: 10 * time.Millisecond})
		eventually(t, func() bool {
			_, ok, _ := obs.counts(sg.ID)
			_, _, fails := obs.counts(sb.ID)
			return ok == 3 && fails == 3
		}, "three successes and three failures observed")
		started, ok, fails := obs.counts(sg.ID)
		require.Equal(t, [3]int{3, 3, 0}, [3]int{started, ok, fails})
		started, ok, fails = obs.counts(sb.ID)
		require.Equal(t, [3]int{3, 0, 3}, [3]int{started, ok, fails})
		eventually(t, func() bool {
			bl, err := svc.Backlog(ctx)
			return err == nil && len(bl) == 1 && bl[0].SubscriptionID == sb.ID && bl[0].Pending == 3 && bl[0].Due == 0 && bl[0].OldestAge > 0
		}, "only the failing subscription has a backlog, waiting for its retries")
	})
}

// TestSlowSubscriptionDoesNotSlowAFastOne runs a receiver that answers
// after 400 ms beside a fast one: the slow one holds no more than its cap
// (it is slow by SlowAttempt, so it never gets a queue), and the fast
// one's deliveries go through at about the pace they went alone, measured
// first in the same run.
func TestSlowSubscriptionDoesNotSlowAFastOne(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var inflight, peak atomic.Int64
		slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n := inflight.Add(1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			time.Sleep(400 * time.Millisecond)
			inflight.Add(-1)
			w.WriteHeader(http.StatusNoContent)
		}))
		defer slow.Close()
		fast := newHeaderReceiver(t, 0)
		svc := &webhook.Service{Store: db.Webhooks(), Guard: loopback}
		_, err := svc.CreateSubscription(ctx, webhook.Subscription{URL: slow.URL, Events: []webhook.EventType{"case.created"}, Active: true})
		require.NoError(t, err)
		_, err = svc.CreateSubscription(ctx, webhook.Subscription{URL: fast.URL, Events: []webhook.EventType{"case.updated"}, Active: true})
		require.NoError(t, err)
		d := &webhook.Dispatcher{Store: db.Webhooks(), Guard: loopback, Workers: 16, SlowAttempt: 100 * time.Millisecond,
			PollInterval: 10 * time.Millisecond}
		run(t, d)
		publish := func(slowN, fastN int) {
			var events []webhook.Event
			for i := range max(slowN, fastN) {
				if i < slowN {
					events = append(events, webhook.Event{Type: "case.created", ResourceID: uuid.NewString()})
				}
				if i < fastN {
					events = append(events, webhook.Event{Type: "case.updated", ResourceID: uuid.NewString()})
				}
			}
			_, err := svc.PublishAll(ctx, events)
			require.NoError(t, err)
			d.Wake()
		}
		start := time.Now()
		publish(0, 100)
		eventually(t, func() bool { return len(fast.headers()) == 100 }, "alone, the fast receiver gets its 100")
		alone := time.Since(start)

		start = time.Now()
		// Workers as few as 16: without the caps, the slow receiver would
		// take them all, and 200 deliveries to it take 5 s even 16 at a
		// time.
		publish(200, 100)
		eventually(t, func() bool { return len(fast.headers()) == 200 }, "beside the slow one, the fast receiver gets its next 100")
		beside := time.Since(start)
		t.Logf("fast: 100 alone in %s, 100 beside the slow receiver in %s; slow: peak %d in flight",
			alone.Round(time.Millisecond), beside.Round(time.Millisecond), peak.Load())
		require.Less(t, beside, 3*alone+time.Second, "the fast receiver was not held behind the slow one")
		require.LessOrEqual(t, peak.Load(), int64(4), "the slow receiver never had more than the cap's start in flight")
	})
}
