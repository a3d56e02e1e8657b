package client_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/client"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/store/storetest"
)

// fault is what the faultProxy does to one request in place of passing it
// on.
type fault int

const (
	drop          fault = iota + 1 // close the connection, answering nothing
	unavailable                    // 503 with Retry-After: 0
	unavailable1s                  // 503 with Retry-After: 1
	retryLater                     // 503 with Retry-After: 3600
	slowBody                       // half a body, then nothing for 5 s
	dropAnswer                     // pass the request on, then close the connection instead of answering
)

// faultProxy passes requests to the reference API, but first works
// through its queue of faults, one per request; with always set, every
// request gets that fault.
type faultProxy struct {
	URL    string
	mu     sync.Mutex
	queue  []fault
	always fault
	seen   int      // requests received
	keys   []string // the Idempotency-Key of each POST received
}

func newFaultProxy(t *testing.T, upstream string) *faultProxy {
	t.Helper()
	u, err := url.Parse(upstream)
	require.NoError(t, err)
	rp := httputil.NewSingleHostReverseProxy(u)
	f := &faultProxy{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.seen++
		if r.Method == http.MethodPost {
			f.keys = append(f.keys, r.Header.Get(client.IdempotencyKeyHeader))
		}
		next := f.always
		if len(f.queue) > 0 {
			next, f.queue = f.queue[0], f.queue[1:]
		}
		f.mu.Unlock()
		switch next {
		case drop:
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close()
			}
		case dropAnswer:
			// The server does the work; the client never hears of it.
			rp.ServeHTTP(httptest.NewRecorder(), r)
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close()
			}
		case unavailable, unavailable1s, retryLater:
			w.Header().Set("Retry-After", map[fault]string{unavailable: "0", unavailable1s: "1", retryLater: "3600"}[next])
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("proxy: upstream unavailable"))
		case slowBody:
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", "100")
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte(`{"protocols":[`))
			_ = http.NewResponseController(w).Flush()
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		default:
			rp.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

// inject queues faults for the next requests and resets the count.
func (f *faultProxy) inject(always fault, queue ...fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queue, f.always, f.seen, f.keys = queue, always, 0, nil
}

// postKeys returns the Idempotency-Key of each POST since inject.
func (f *faultProxy) postKeys() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.keys...)
}

func (f *faultProxy) state() (pending, seen int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.queue), f.seen
}

// fastRetries is a policy that does not keep a test waiting.
func fastRetries(budget *client.RetryBudget) client.RetryPolicy {
	return client.RetryPolicy{MaxRetries: 3, MinWait: time.Millisecond, MaxWait: 10 * time.Millisecond,
		MaxRetryAfter: 2 * time.Second, AttemptTimeout: time.Second, Budget: budget}
}

// proxied returns an API logged in through a fault proxy in front of the
// reference API on SQLite.
func proxied(t *testing.T, p client.RetryPolicy) (*client.API, *faultProxy) {
	api, f, _ := proxiedEnv(t, p)
	return api, f
}

func proxiedEnv(t *testing.T, p client.RetryPolicy) (*client.API, *faultProxy, *apiEnv) {
	t.Helper()
	e := newAPIEnv(t, storetest.SQLite(t))
	e.user(t, rx.VOR, "vet-faults")
	f := newFaultProxy(t, e.URL)
	api, err := client.New(context.Background(), f.URL, client.WithAPIKey(e.APIKey),
		client.WithLogin("vet-faults", password), client.WithRetry(p))
	require.NoError(t, err)
	return api, f, e
}

func TestRetriesThroughFaults(t *testing.T) {
	t.Parallel()
	api, f, e := proxiedEnv(t, fastRetries(nil))
	ctx := context.Background()

	f.inject(0, drop, unavailable, slowBody)
	p := fastRetries(nil)
	p.AttemptTimeout = 300 * time.Millisecond
	slow, err := client.New(ctx, f.URL, client.WithAPIKey(e.APIKey), client.WithToken(api.Token()), client.WithRetry(p))
	require.NoError(t, err)
	r, err := client.Check(slow.GetMyProtocolsWithResponse(ctx, nil))
	require.NoError(t, err)
	require.NotNil(t, r.JSON200)
	pending, _ := f.state()
	require.Zero(t, pending, "every fault was met and retried")

	// A POST is not retried without an idempotency key.
	f.inject(0, unavailable)
	_, err = client.Check(api.CreateProtocolWithResponse(ctx, flunixin(t)))
	var prob *client.Problem
	require.ErrorAs(t, err, &prob)
	require.Equal(t, http.StatusServiceUnavailable, prob.Status)
	require.Equal(t, "proxy: upstream unavailable", prob.Detail)
	_, seen := f.state()
	require.Equal(t, 1, seen)

	// With one, it is, and its body is sent again whole.
	f.inject(0, unavailable, drop)
	withKey := func(ctx context.Context, req *http.Request) error {
		req.Header.Set(client.IdempotencyKeyHeader, "create-flunixin-1")
		return nil
	}
	created, err := client.Check(api.CreateProtocolWithResponse(ctx, flunixin(t), withKey))
	require.NoError(t, err)
	require.NotNil(t, created.JSON200)
	pending, _ = f.state()
	require.Zero(t, pending)
}

func TestRetryAfterIsHonoured(t *testing.T) {
	t.Parallel()
	api, f := proxied(t, fastRetries(nil))
	f.inject(0, unavailable1s)
	start := time.Now()
	_, err := client.Check(api.GetMyProtocolsWithResponse(context.Background(), nil))
	require.NoError(t, err)
	require.GreaterOrEqual(t, time.Since(start), time.Second)

	// A wait longer than MaxRetryAfter is not waited for.
	f.inject(0, retryLater)
	start = time.Now()
	_, err = client.Check(api.GetMyProtocolsWithResponse(context.Background(), nil))
	require.Error(t, err)
	require.Less(t, time.Since(start), time.Second)
}

func TestRetriesStopWithContext(t *testing.T) {
	t.Parallel()
	api, f := proxied(t, fastRetries(nil))
	f.inject(unavailable1s)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := api.GetMyProtocolsWithResponse(ctx, nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Less(t, time.Since(start), 900*time.Millisecond)
}

func TestRetryBudgetSparesADeadServer(t *testing.T) {
	t.Parallel()
	api, f := proxied(t, fastRetries(client.NewRetryBudget(2, 0.5)))
	ctx := context.Background()
	f.inject(unavailable)
	_, err := client.Check(api.GetMyProtocolsWithResponse(ctx, nil))
	require.Error(t, err)
	_, seen := f.state()
	require.Equal(t, 3, seen, "the budget's two retries")
	f.inject(unavailable)
	_, err = client.Check(api.GetMyProtocolsWithResponse(ctx, nil))
	require.Error(t, err)
	_, seen = f.state()
	require.Equal(t, 1, seen, "a spent budget sends once")

	// Answers refill it.
	f.inject(0)
	for range 2 {
		_, err = client.Check(api.GetMyProtocolsWithResponse(ctx, nil))
		require.NoError(t, err)
	}
	f.inject(0, unavailable)
	_, err = client.Check(api.GetMyProtocolsWithResponse(ctx, nil))
	require.NoError(t, err)
}

func TestConcurrentCallsRetry(t *testing.T) {
	t.Parallel()
	api, f := proxied(t, fastRetries(nil))
	f.inject(0, unavailable, drop, unavailable)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			_, err := client.Check(api.GetMyProtocolsWithResponse(context.Background(), nil))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}
