package webhook_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
	"github.com/vetlink/vetlink/webhook"
)

// The crash test runs when VETLINK_WEBHOOK_CRASH=1: it takes a minute or
// two per engine. The child dispatcher process is this test binary run
// again with envCrashChild set to the database's DSN.
const (
	envCrash      = "VETLINK_WEBHOOK_CRASH"
	envCrashChild = "VETLINK_WEBHOOK_CRASH_CHILD_DSN"
)

// TestCrashChild is the dispatcher process of TestCrashRecovery; on its
// own it does nothing.
func TestCrashChild(t *testing.T) {
	dsn := os.Getenv(envCrashChild)
	if dsn == "" {
		t.Skip("runs only as TestCrashRecovery's child process")
	}
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	require.NoError(t, err)
	require.NoError(t, db.SetSecretKey(storetest.SecretKey()))
	d := &webhook.Dispatcher{
		Store: db.Webhooks(), Guard: loopback, Workers: 64, Batch: 100,
		Timeout: 2 * time.Second, Lease: 3 * time.Second, PollInterval: 20 * time.Millisecond,
		Policy: webhook.Policy{Schedule: []time.Duration{0, 50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond,
			400 * time.Millisecond, 800 * time.Millisecond, time.Second, time.Second, time.Second, time.Second}},
		// Random failures must not trip the breaker for long in this test.
		Breaker: webhook.BreakerPolicy{Threshold: 50, Cooldown: 100 * time.Millisecond},
	}
	require.NoError(t, d.Run(ctx)) // until SIGKILL
}

// TestCrashRecovery publishes 10,000 events for 3 subscriptions while the
// dispatcher process is killed with SIGKILL at random moments and
// restarted. Every (event, subscription) pair must arrive at least once,
// duplicates must carry the same webhook-id, and nothing may arrive for a
// transaction that rolled back.
func TestCrashRecovery(t *testing.T) {
	if os.Getenv(envCrash) == "" || testing.Short() {
		t.Skipf("set %s=1 to run the crash test", envCrash)
	}
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			var dsn string
			if engine == store.SQLite {
				dsn = storetest.SQLitePath(t)
			} else {
				dsn = storetest.PostgresDSN(t)
			}
			crashRecovery(t, dsn)
		})
	}
}

func crashRecovery(t *testing.T, dsn string) {
	const (
		events   = 10000
		perTx    = 10
		subCount = 3
	)
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	require.NoError(t, err)
	require.NoError(t, db.SetSecretKey(storetest.SecretKey()))
	defer db.Close()

	// The receiver: verifies every signature, fails 3 % of requests, and
	// notes the webhook-ids of each (subscription, resource) pair.
	secret := webhook.NewSecret()
	v := &webhook.Verifier{Keys: []webhook.Key{mustKey(t, secret)}}
	var (
		mu       sync.Mutex
		ids      = map[string]map[string]int{} // "path|resource" -> webhook-id -> arrivals
		rejected atomic.Int64
		requests atomic.Int64
	)
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		body, _ := io.ReadAll(r.Body)
		if err := v.Verify(r.Header, body); err != nil {
			rejected.Add(1)
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		if rand.IntN(100) < 3 {
			http.Error(w, "random failure", http.StatusInternalServerError)
			return
		}
		_, resource, _ := strings.Cut(string(body), "=")
		key := r.URL.Path + "|" + resource
		mu.Lock()
		if ids[key] == nil {
			ids[key] = map[string]int{}
		}
		ids[key][r.Header.Get("webhook-id")]++
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer rc.Close()

	svc := &webhook.Service{Store: db.Webhooks(), Guard: loopback}
	for i := range subCount {
		_, err := svc.CreateSubscription(ctx, webhook.Subscription{URL: fmt.Sprintf("%s/s%d", rc.URL, i), Events: []webhook.EventType{"case.created"},
			Format: webhook.FormatForm, Secrets: []webhook.Secret{{Key: secret}}, Active: true})
		require.NoError(t, err)
	}

	// Publish while the dispatcher crashes: every 7th transaction rolls
	// back after publishing, its events named "rb-…".
	published := make(chan struct{})
	var rolledBack atomic.Int64
	go func() {
		defer close(published)
		n := 0
		for tx := 0; n < events; tx++ {
			rollback := tx%7 == 3
			err := db.InTx(ctx, func(ctx context.Context) error {
				for range perTx {
					id := fmt.Sprint(n)
					if rollback {
						id = fmt.Sprintf("rb-%d", tx)
					} else {
						n++
					}
					if _, err := svc.Publish(ctx, webhook.Event{Type: "case.created", ResourceID: id}); err != nil {
						return err
					}
				}
				if rollback {
					return errRolledBack
				}
				return nil
			})
			if rollback {
				rolledBack.Add(perTx)
				if err != errRolledBack {
					t.Errorf("rolled-back transaction: %v", err)
				}
			} else if err != nil {
				t.Errorf("publish: %v", err)
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()

	complete := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(ids) >= events*subCount
	}
	start := time.Now()
	kills := 0
	deadline := start.Add(4 * time.Minute)
	for !complete() && time.Now().Before(deadline) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.v=false")
		cmd.Env = append(os.Environ(), envCrashChild+"="+dsn)
		cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
		require.NoError(t, cmd.Start())
		alive := time.Duration(200+rand.IntN(1000)) * time.Millisecond
		select {
		case <-published:
			// Publishing is over: let the last child finish the work.
			for !complete() && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
		case <-time.After(alive):
		}
		if !complete() {
			kills++
		}
		require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
		cmd.Wait()
	}
	<-published

	mu.Lock()
	defer mu.Unlock()
	var missing, dupes, mixed, rb int
	for i := range subCount {
		for n := range events {
			got := ids[fmt.Sprintf("/s%d|%d", i, n)]
			switch {
			case len(got) == 0:
				missing++
			case len(got) > 1:
				mixed++
			}
			for _, c := range got {
				dupes += c - 1
			}
		}
	}
	for key := range ids {
		if strings.Contains(key, "|rb-") {
			rb++
		}
	}
	t.Logf("%d events x %d subscriptions in %s: %d SIGKILLs, %d requests, %d duplicate arrivals (same webhook-id), %d rolled-back events published and never sent",
		events, subCount, time.Since(start).Round(time.Second), kills, requests.Load(), dupes, rolledBack.Load())
	require.Zero(t, rejected.Load(), "signatures verified")
	require.Zero(t, missing, "pairs that never arrived")
	require.Zero(t, mixed, "pairs that arrived under different webhook-ids")
	require.Zero(t, rb, "arrivals for rolled-back transactions")
	require.Greater(t, kills, 5, "the dispatcher was killed several times while working")
}

var errRolledBack = fmt.Errorf("crash test: roll back")
