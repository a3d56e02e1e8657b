package webhook_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"os/exec"
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

// The dispatcher benchmarks run when VETLINK_BENCH_DISPATCH=1. They measure
// a Dispatcher at its defaults (only Store and a Guard that lets the
// loopback receiver through are set) on SQLite and, with
// VETLINK_TEST_POSTGRES, on PostgreSQL:
//
//	cd bench && VETLINK_BENCH_DISPATCH=1 VETLINK_TEST_POSTGRES=postgres://... \
//		go test ./webhook/ -run 'Dispatch' -v -count 1
//
// (bench/go.mod needs the requirements of package store, pgx and SQLite,
// for these; until it has them, run with a go.work that uses both modules:
// GOWORK=/path/go.work with "use (/path/to/vetlink /path/to/vetlink/bench)".)
const (
	envBench = "VETLINK_BENCH_DISPATCH"
	// envPublisher makes this test binary the publishing process of
	// TestDispatchAcrossProcesses: it publishes to the database it names.
	envPublisher = "VETLINK_BENCH_PUBLISHER_DSN"
)

func benchOnly(t *testing.T) {
	if os.Getenv(envBench) == "" {
		t.Skipf("set %s=1 to run the dispatcher benchmarks", envBench)
	}
}

var loopback = &webhook.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}

// rig is a fast loopback receiver that verifies every signature and notes
// when each resource ID first arrived.
type rig struct {
	svc      *webhook.Service
	rc       *httptest.Server
	secret   string
	mu       sync.Mutex
	arrived  map[string]time.Time
	n, dups  atomic.Int64
	rejected atomic.Int64
}

func newRig(t *testing.T, db *store.DB) *rig {
	r := &rig{svc: &webhook.Service{Store: db.Webhooks(), Guard: loopback}, arrived: make(map[string]time.Time), secret: webhook.NewSecret()}
	key, err := webhook.ParseKey(r.secret)
	require.NoError(t, err)
	v := &webhook.Verifier{Keys: []webhook.Key{key}}
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
		if _, dup := r.arrived[id]; dup {
			r.dups.Add(1)
		} else {
			r.arrived[id] = now
			r.n.Add(1)
		}
		r.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.rc.Close)
	return r
}

// subscribe creates one subscription per type, to the receiver.
func (r *rig) subscribe(t *testing.T, types ...webhook.EventType) {
	for _, typ := range types {
		_, err := r.svc.CreateSubscription(context.Background(), webhook.Subscription{URL: r.rc.URL, Events: []webhook.EventType{typ},
			Format: webhook.FormatForm, Secrets: []webhook.Secret{{Key: r.secret}}, Active: true})
		require.NoError(t, err)
	}
}

func (r *rig) waitAll(t *testing.T, n int, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for r.n.Load() < int64(n) && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
	}
	require.Equal(t, int64(n), r.n.Load(), "every event arrived")
	require.Zero(t, r.rejected.Load(), "every signature verified")
}

func run(t *testing.T, d *webhook.Dispatcher) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
}

// defaults is a dispatcher at its defaults.
func defaults(db *store.DB) *webhook.Dispatcher {
	return &webhook.Dispatcher{Store: db.Webhooks(), Guard: loopback}
}

var types8 = []webhook.EventType{"case.created", "case.updated", "case.closed", "task.created",
	"task.completed", "task.skipped", "withhold.started", "withhold.released"}

// fill publishes n events, round robin over types, 500 a transaction.
func fill(t *testing.T, db *store.DB, svc *webhook.Service, n int, types []webhook.EventType) {
	ctx := context.Background()
	for b := 0; b < n; b += 500 {
		events := make([]webhook.Event, 0, 500)
		for i := b; i < min(n, b+500); i++ {
			events = append(events, webhook.Event{Type: types[i%len(types)], ResourceID: strconv.Itoa(i)})
		}
		require.NoError(t, db.InTx(ctx, func(ctx context.Context) error {
			_, err := svc.PublishAll(ctx, events)
			return err
		}))
	}
}

func percentile(ds []time.Duration, p float64) time.Duration {
	slices.Sort(ds)
	return ds[min(len(ds)-1, int(float64(len(ds))*p))]
}

// TestDispatchDrain drains 20,000 deliveries already in the outbox, to one
// subscription and spread over eight, at the defaults.
func TestDispatchDrain(t *testing.T) {
	benchOnly(t)
	for _, subs := range []int{1, 8} {
		for _, engine := range storetest.Engines() {
			t.Run(fmt.Sprintf("%s/%d-subscriptions", engine, subs), func(t *testing.T) {
				db := storetest.Open(t, engine)
				r := newRig(t, db)
				r.subscribe(t, types8[:subs]...)
				const n = 20000
				fill(t, db, r.svc, n, types8[:subs])
				start := time.Now()
				run(t, defaults(db))
				r.waitAll(t, n, 3*time.Minute)
				elapsed := time.Since(start)
				t.Logf("%s, %d subscription(s), defaults: drained %d deliveries in %s = %.0f deliveries/s",
					engine, subs, n, elapsed.Round(time.Millisecond), n/elapsed.Seconds())
			})
		}
	}
}

// TestDispatchSteady offers 2,000 events a second for 10 s to one
// subscription, from 8 producers committing 10 events a transaction (and
// waking the dispatcher), and measures the delivered rate and the
// commit-to-arrival latency.
func TestDispatchSteady(t *testing.T) {
	benchOnly(t)
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			db := storetest.Open(t, engine)
			r := newRig(t, db)
			r.subscribe(t, "case.created")
			d := defaults(db)
			run(t, d)
			const rate, producers, perTx = 2000, 8, 10
			dur := 10 * time.Second
			tick := time.Duration(float64(producers*perTx) / rate * float64(time.Second))
			var (
				mu        sync.Mutex
				committed = make(map[string]time.Time)
				seq       atomic.Int64
				wg        sync.WaitGroup
			)
			start := time.Now()
			for p := range producers {
				wg.Go(func() {
					first := start.Add(time.Duration(p) * tick / producers)
					for i := 0; time.Since(start) < dur; i++ {
						if wait := time.Until(first.Add(time.Duration(i) * tick)); wait > 0 {
							time.Sleep(wait)
						}
						events := make([]webhook.Event, perTx)
						for k := range events {
							events[k] = webhook.Event{Type: "case.created", ResourceID: strconv.FormatInt(seq.Add(1), 10)}
						}
						err := db.InTx(context.Background(), func(ctx context.Context) error {
							_, err := r.svc.PublishAll(ctx, events)
							return err
						})
						if err != nil {
							t.Error(err)
							return
						}
						now := time.Now()
						mu.Lock()
						for _, e := range events {
							committed[e.ResourceID] = now
						}
						mu.Unlock()
						d.Wake()
					}
				})
			}
			wg.Wait()
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
			t.Logf("%s, defaults: offered %d/s, committed %d, delivered %.0f/s; commit-to-arrival p50 %s p95 %s max %s",
				engine, rate, len(committed), float64(len(committed))/elapsed.Seconds(),
				percentile(lags, 0.5).Round(100*time.Microsecond), percentile(lags, 0.95).Round(100*time.Microsecond),
				percentile(lags, 1).Round(time.Millisecond))
		})
	}
}

// TestDispatchAcrossProcesses runs the dispatcher here and a publisher in a
// second process (this test binary again), which commits 200 events a
// second for 5 s, one a transaction, and prints each event's commit time;
// the dispatcher learns of them only through the database (LISTEN/NOTIFY on
// PostgreSQL, the poll on SQLite).
func TestDispatchAcrossProcesses(t *testing.T) {
	benchOnly(t)
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			var dsn string
			if engine == store.PostgreSQL {
				dsn = storetest.PostgresDSN(t)
			} else {
				dsn = storetest.SQLitePath(t)
			}
			db, err := store.Open(context.Background(), dsn)
			require.NoError(t, err)
			t.Cleanup(func() { db.Close() })
			require.NoError(t, db.SetSecretKey(storetest.SecretKey()))
			r := newRig(t, db)
			r.subscribe(t, "case.created")
			run(t, defaults(db))
			time.Sleep(200 * time.Millisecond) // listening

			cmd := exec.Command(os.Args[0], "-test.run", "^TestPublisherProcess$", "-test.v")
			cmd.Env = append(os.Environ(), envPublisher+"="+dsn)
			out, err := cmd.StdoutPipe()
			require.NoError(t, err)
			cmd.Stderr = os.Stderr
			require.NoError(t, cmd.Start())
			committed := make(map[string]time.Time)
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				id, at, ok := strings.Cut(strings.TrimSpace(sc.Text()), " ")
				if !ok || !strings.HasPrefix(id, "committed:") {
					continue
				}
				ns, err := strconv.ParseInt(at, 10, 64)
				require.NoError(t, err)
				committed[strings.TrimPrefix(id, "committed:")] = time.Unix(0, ns)
			}
			require.NoError(t, cmd.Wait())
			r.waitAll(t, len(committed), time.Minute)
			lags := make([]time.Duration, 0, len(committed))
			for id, at := range r.arrived {
				lags = append(lags, at.Sub(committed[id]))
			}
			t.Logf("%s, defaults, publisher in another process: %d events at 200/s; commit-to-arrival p50 %s p95 %s p99 %s",
				engine, len(lags), percentile(lags, 0.5).Round(100*time.Microsecond),
				percentile(lags, 0.95).Round(100*time.Microsecond), percentile(lags, 0.99).Round(100*time.Microsecond))
		})
	}
}

// TestPublisherProcess is the publishing process of
// TestDispatchAcrossProcesses; on its own it does nothing.
func TestPublisherProcess(t *testing.T) {
	dsn := os.Getenv(envPublisher)
	if dsn == "" {
		t.Skip("runs only as TestDispatchAcrossProcesses's second process")
	}
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.SetSecretKey(storetest.SecretKey()))
	svc := &webhook.Service{Store: db.Webhooks(), Guard: loopback}
	const rate = 200
	start := time.Now()
	for i := 0; i < rate*5; i++ {
		if wait := time.Until(start.Add(time.Duration(i) * time.Second / rate)); wait > 0 {
			time.Sleep(wait)
		}
		id := "x" + strconv.Itoa(i)
		require.NoError(t, db.InTx(ctx, func(ctx context.Context) error {
			_, err := svc.Publish(ctx, webhook.Event{Type: "case.created", ResourceID: id})
			return err
		}))
		fmt.Printf("committed:%s %d\n", id, time.Now().UnixNano())
	}
}
