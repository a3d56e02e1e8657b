package webhook_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
	"github.com/vetlink/vetlink/webhook"
)

// EnvPerf enables the performance tests: they take about half a minute
// and measure this machine, so CI leaves them out.
const envPerf = "VETLINK_WEBHOOK_PERF"

func perfOnly(t *testing.T) {
	if os.Getenv(envPerf) == "" || testing.Short() {
		t.Skipf("set %s=1 to run the dispatcher performance tests", envPerf)
	}
}

// perfTypes are the event types of the performance tests: one subscription
// per type, so each event makes exactly one delivery.
var perfTypes = []webhook.EventType{
	"case.created", "case.updated", "case.closed", "task.created", "task.completed", "task.skipped",
	"withhold.started", "withhold.released", "prescription.created", "prescription.updated",
	"invoice.finalized", "appointment.deleted", "patient.created_or_updated", "client.created_or_updated",
	"consultation.created_or_updated", "reminder.created_or_updated",
}

// perfRig is a loopback receiver that verifies every signature and notes
// when each resource ID arrived, with the subscriptions pointing at it.
type perfRig struct {
	svc      *webhook.Service
	rc       *httptest.Server
	mu       sync.Mutex
	arrived  map[string]time.Time
	n        atomic.Int64
	rejected atomic.Int64
}

func newPerfRig(t *testing.T, db *store.DB) *perfRig {
	secret := webhook.NewSecret()
	r := &perfRig{svc: &webhook.Service{Store: db.Webhooks(), Guard: loopback}, arrived: make(map[string]time.Time)}
	v := &webhook.Verifier{Keys: []webhook.Key{mustKey(t, secret)}}
	r.rc = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		if err := v.Verify(req.Header, body); err != nil {
			r.rejected.Add(1)
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		_, id, _ := strings.Cut(string(body), "=")
		now := time.Now()
		r.mu.Lock()
		if _, dup := r.arrived[id]; !dup {
			r.arrived[id] = now
			r.n.Add(1)
		}
		r.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.rc.Close)
	for _, typ := range perfTypes {
		_, err := r.svc.CreateSubscription(context.Background(), webhook.Subscription{URL: r.rc.URL, Events: []webhook.EventType{typ},
			Format: webhook.FormatForm, Secrets: []webhook.Secret{{Key: secret}}, Active: true})
		require.NoError(t, err)
	}
	return r
}

// produce publishes rate events a second for dur from producers
// goroutines, each committing a transaction of perTick events on its own
// clock, and returns the commit time of each resource ID. Producers stand
// for an application's concurrent requests: enough of them that the rate
// holds although each waits for its commit.
func (r *perfRig) produce(t *testing.T, db *store.DB, d *webhook.Dispatcher, rate, producers, perTick int, dur time.Duration) map[string]time.Time {
	tick := time.Duration(float64(producers*perTick) / float64(rate) * float64(time.Second))
	ctx := context.Background()
	var (
		mu        sync.Mutex
		committed = make(map[string]time.Time, int(float64(rate)*dur.Seconds()))
		seq       atomic.Int64
		wg        sync.WaitGroup
	)
	start := time.Now()
	for p := range producers {
		wg.Go(func() {
			// Stagger the producers across the tick.
			first := start.Add(time.Duration(p) * tick / time.Duration(producers))
			for i := 0; time.Since(start) < dur; i++ {
				if wait := time.Until(first.Add(time.Duration(i) * tick)); wait > 0 {
					time.Sleep(wait)
				}
				ids := make([]string, perTick)
				events := make([]webhook.Event, perTick)
				for k := range ids {
					n := seq.Add(1)
					ids[k] = strconv.FormatInt(n, 10)
					events[k] = webhook.Event{Type: perfTypes[n%int64(len(perfTypes))], ResourceID: ids[k]}
				}
				err := db.InTx(ctx, func(ctx context.Context) error {
					if perTick == 1 {
						_, err := r.svc.Publish(ctx, events[0])
						return err
					}
					_, err := r.svc.PublishAll(ctx, events)
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
				now := time.Now()
				mu.Lock()
				for _, id := range ids {
					committed[id] = now
				}
				mu.Unlock()
				d.Wake()
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	t.Logf("offered %d events/s: committed %d in %s = %.0f/s", rate, len(committed), elapsed.Round(time.Millisecond), float64(len(committed))/elapsed.Seconds())
	return committed
}

func (r *perfRig) waitAll(t *testing.T, n int, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for r.n.Load() < int64(n) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	require.Equal(t, int64(n), r.n.Load(), "every event arrived")
	require.Zero(t, r.rejected.Load(), "every signature verified")
}

func perfDispatcher(db *store.DB) *webhook.Dispatcher {
	return &webhook.Dispatcher{Store: db.Webhooks(), Guard: loopback, Workers: 256, Batch: 200, MaxInFlight: 16}
}

func percentile(ds []time.Duration, p float64) time.Duration {
	slices.Sort(ds)
	return ds[min(len(ds)-1, int(float64(len(ds))*p))]
}

// TestDispatcherThroughput offers 2,500 events a second for 10 s, from 8
// producers committing 10 events a transaction, and measures the
// sustained delivery rate: arrivals over the time from the first commit to
// the last arrival. It logs the rate the producers achieved: below the
// offer, the machine could not even commit the events.
func TestDispatcherThroughput(t *testing.T) {
	perfOnly(t)
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			db := storetest.Open(t, engine)
			r := newPerfRig(t, db)
			d := perfDispatcher(db)
			run(t, d)
			rate, dur := 2500, 10*time.Second
			if v, err := strconv.Atoi(os.Getenv(envPerf + "_RATE")); err == nil && v > 0 {
				rate = v
			}
			start := time.Now()
			committed := r.produce(t, db, d, rate, 8, 10, dur)
			r.waitAll(t, len(committed), 2*time.Minute)
			var last time.Time
			lags := make([]time.Duration, 0, len(committed))
			for id, at := range r.arrived {
				if at.After(last) {
					last = at
				}
				lags = append(lags, at.Sub(committed[id]))
			}
			elapsed := last.Sub(start)
			perSec := float64(len(committed)) / elapsed.Seconds()
			t.Logf("%s: %d deliveries in %s = %.0f deliveries/s (offered %d/s); enqueue-to-arrival p50 %s p95 %s max %s",
				engine, len(committed), elapsed.Round(time.Millisecond), perSec, rate,
				percentile(lags, 0.5).Round(time.Millisecond), percentile(lags, 0.95).Round(time.Millisecond), percentile(lags, 1).Round(time.Millisecond))
		})
	}
}

// TestDispatcherLatency offers 200 events a second for 5 s, one event a
// transaction from 4 producers in turn, and measures the time from each
// commit to the event's arrival at the receiver.
func TestDispatcherLatency(t *testing.T) {
	perfOnly(t)
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			db := storetest.Open(t, engine)
			r := newPerfRig(t, db)
			d := perfDispatcher(db)
			run(t, d)
			committed := r.produce(t, db, d, 200, 4, 1, 5*time.Second)
			r.waitAll(t, len(committed), time.Minute)
			lags := make([]time.Duration, 0, len(committed))
			for id, at := range r.arrived {
				lags = append(lags, at.Sub(committed[id]))
			}
			p95 := percentile(lags, 0.95)
			t.Logf("%s: %d deliveries at 200/s; enqueue-to-arrival p50 %s p95 %s p99 %s", engine, len(lags),
				percentile(lags, 0.5).Round(100*time.Microsecond), p95.Round(100*time.Microsecond), percentile(lags, 0.99).Round(100*time.Microsecond))
			require.LessOrEqual(t, p95, 50*time.Millisecond, fmt.Sprintf("p95 on %s", engine))
		})
	}
}

// TestDispatcherDrain measures the dispatcher alone: 20,000 events are in
// the outbox before it starts, and the clock runs until the last arrives.
func TestDispatcherDrain(t *testing.T) {
	perfOnly(t)
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			db := storetest.Open(t, engine)
			r := newPerfRig(t, db)
			ctx := context.Background()
			const n = 20000
			for b := 0; b < n; b += 500 {
				require.NoError(t, db.InTx(ctx, func(ctx context.Context) error {
					for i := b; i < b+500; i++ {
						if _, err := r.svc.Publish(ctx, webhook.Event{Type: perfTypes[i%len(perfTypes)], ResourceID: strconv.Itoa(i)}); err != nil {
							return err
						}
					}
					return nil
				}))
			}
			start := time.Now()
			run(t, perfDispatcher(db))
			r.waitAll(t, n, 2*time.Minute)
			elapsed := time.Since(start)
			t.Logf("%s: drained %d deliveries in %s = %.0f deliveries/s", engine, n, elapsed.Round(time.Millisecond), n/elapsed.Seconds())
		})
	}
}
