package admin_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/admin"
	"github.com/vetlink/vetlink/auth"
	"github.com/vetlink/vetlink/openapi"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/site"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
	"github.com/vetlink/vetlink/vetview"
	"github.com/vetlink/vetlink/vetview/jobs"
	"github.com/vetlink/vetlink/webhook"
)

const adminPassword = "correct horse battery"

// chromium returns the path of a headless-capable Chromium, or "".
func chromium() string {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// site is the reference server's pieces a browser test drives: the API
// and the dashboard on one loopback server over a SQLite database.
type testSite struct {
	URL     string
	DB      *store.DB
	Kinds   *vetview.Registry
	AdminID int64 // the administrator's user ID
	Auth    *auth.Service
}

func newSite(t *testing.T) *testSite {
	t.Helper()
	ctx := context.Background()
	db := storetest.SQLite(t)
	a := &auth.Service{Store: db.Auth(), Key: bytes.Repeat([]byte{7}, 32)}
	apiKey, _, err := a.CreateAPIKey(ctx, "admin dashboard")
	require.NoError(t, err)
	u := rx.User{Uname: "administrator", Type: rx.SAOR, Firstname: "Ada", Lastname: "Admin", Email: "admin@example.org"}
	require.NoError(t, db.Rx().CreateUser(ctx, &u))
	require.NoError(t, a.SetPassword(ctx, u.ID, adminPassword))

	var kinds vetview.Registry
	vetview.MustRegister(&kinds, jobs.MLLPListenerKind(db.HL7(), jobs.MLLPListenerOptions{}))
	vv, err := vetview.New(vetview.Config{Store: db.Vetview(), Kinds: &kinds, ServerName: "api"})
	require.NoError(t, err)
	api, err := openapi.NewHandler(openapi.Config{
		DB: db, Rx: &rx.Service{Store: db.Rx()}, Library: &rx.Library{Store: db.Library()},
		Site: &site.Service{Store: db.Site()}, Auth: a, Webhooks: &webhook.Service{Store: db.Webhooks()},
		Vetview: vv, Audit: db.Admin(),
	})
	require.NoError(t, err)
	dash, err := admin.New(admin.Config{API: api, APIKey: apiKey, Key: bytes.Repeat([]byte{9}, 32), Refresh: time.Minute, InsecureCookies: true})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/admin/", dash)
	mux.Handle("/", api)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &testSite{URL: srv.URL, DB: db, Kinds: &kinds, AdminID: int64(u.ID), Auth: a}
}

// startServer runs a vetview scheduler named name on the site's database
// until the returned stop is called (a clean stop: it leaves the
// registry).
func (s *testSite) startServer(t *testing.T, name string) (stop func()) {
	t.Helper()
	vv, err := vetview.New(vetview.Config{Store: s.DB.Vetview(), Kinds: s.Kinds, ServerName: name,
		HeartbeatInterval: 200 * time.Millisecond, PollInterval: 100 * time.Millisecond, ShutdownTimeout: 500 * time.Millisecond})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- vv.Run(ctx) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		<-done
	}
	t.Cleanup(stop)
	return stop
}

// receiver is a loopback webhook receiver that answers 500 "upstream
// broke" until fixed, then 204.
type receiver struct {
	URL   string
	fixed atomic.Bool
	hits  atomic.Int32
}

func newReceiver(t *testing.T) *receiver {
	t.Helper()
	rc := &receiver{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		rc.hits.Add(1)
		if rc.fixed.Load() {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		http.Error(w, "upstream broke", http.StatusInternalServerError)
	}))
	t.Cleanup(srv.Close)
	rc.URL = srv.URL + "/hook"
	return rc
}

// failedDelivery subscribes rc to protocol.created, runs a real
// dispatcher that tries each delivery once (no retries) against the
// loopback receiver, and publishes one event: the receiver's 500 fails
// it. The dispatcher keeps running, so that a resend is sent.
func failedDelivery(t *testing.T, db *store.DB, rc *receiver) webhook.Delivery {
	t.Helper()
	ctx := context.Background()
	guard := &webhook.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
	svc := &webhook.Service{Store: db.Webhooks(), Guard: guard}
	sub, err := svc.CreateSubscription(ctx, webhook.Subscription{Name: "Lab system", URL: rc.URL, Events: []webhook.EventType{"protocol.created"}, Active: true})
	require.NoError(t, err)
	disp := &webhook.Dispatcher{Store: db.Webhooks(), Guard: guard, Policy: webhook.Policy{Retries: -1},
		PollInterval: 100 * time.Millisecond, Timeout: 5 * time.Second, Recorders: 1}
	dctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- disp.Run(dctx) }()
	t.Cleanup(func() { cancel(); <-done })
	_, err = svc.Publish(ctx, webhook.Event{Type: "protocol.created", ResourceID: "12"})
	require.NoError(t, err)
	var d webhook.Delivery
	require.Eventually(t, func() bool {
		ds, err := svc.Deliveries(ctx, webhook.DeliveryQuery{SubscriptionID: sub.ID})
		require.NoError(t, err)
		if len(ds) == 1 {
			d = ds[0]
		}
		return d.State == webhook.StateFailed
	}, 20*time.Second, 50*time.Millisecond, "the delivery to the receiver answering 500 never failed")
	return d
}

// TestDashboardInChromium drives the dashboard in a real headless Chromium
// as an administrator would, saving a screenshot of every step under
// artifacts/ at the repository root.
func TestDashboardInChromium(t *testing.T) {
	browser := chromium()
	if browser == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed: CI must drive the dashboard (apt-get install chromium)")
		}
		t.Skip("chromium is not installed")
	}
	s := newSite(t)
	stopInterfaces := s.startServer(t, "interfaces-1")
	rc := newReceiver(t)
	failed := failedDelivery(t, s.DB, rc)

	artifacts := filepath.Join("..", "artifacts")
	require.NoError(t, os.MkdirAll(artifacts, 0o755))
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser), chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(390, 900)) // a phone's width
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	bctx, cancelC := chromedp.NewContext(actx)
	defer cancelC()
	// The first action starts the browser, which lives as long as that
	// action's context: start it without a deadline, then bound the test.
	require.NoError(t, chromedp.Do(bctx, chromedp.Navigate("about:blank")))
	ctx, cancelT := context.WithTimeout(bctx, 60*time.Second)
	defer cancelT()

	step := 0
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			step++
			buf, err := chromedp.FullScreenshot(100)(ctx, tg) // 100: PNG, lossless
			if err != nil {
				return chromedp.Void{}, err
			}
			return chromedp.Void{}, os.WriteFile(filepath.Join(artifacts, fmt.Sprintf("admin-%02d-%s.png", step, name)), buf, 0o644)
		}
	}
	// eventually reloads path, as a person waiting would, until the
	// script's condition holds.
	eventually := func(path, condition string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(s.URL+path)))
			ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](condition))
			require.NoError(t, err)
			if ok {
				return
			}
			if time.Now().After(deadline) {
				body, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
				t.Fatalf("%s: %s never held; the page says:\n%s", path, condition, body)
			}
			time.Sleep(250 * time.Millisecond)
		}
	}
	// submit clicks a form's button and waits for the page the answer
	// loads, so that the next step never acts on the page before it.
	submit := func(buttonID string) chromedp.Action[chromedp.Void] {
		return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			loaded := chromedp.Events(ctx, page.LoadEventFired)
			if _, err := chromedp.Click(chromedp.ID(buttonID))(ctx, tg); err != nil {
				return chromedp.Void{}, err
			}
			for _, err := range loaded {
				return chromedp.Void{}, err
			}
			return chromedp.Void{}, fmt.Errorf("submitting with #%s loaded no page", buttonID)
		}
	}
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		require.NoError(t, err)
		return strings.TrimSpace(v)
	}

	// 1. Sign in.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/admin/jobs"), // no session: to the sign-in form
		chromedp.WaitVisible(chromedp.ID("uname")),
		shot("sign-in"),
		chromedp.SendKeys(chromedp.ID("uname"), "administrator"),
		chromedp.SendKeys(chromedp.ID("password"), adminPassword),
		submit("signin"),
		chromedp.WaitVisible(chromedp.ID("jobs")),
		shot("settings"),
	))
	servers := text("#servers")
	require.Contains(t, servers, "interfaces-1")
	require.Contains(t, servers, "live")

	// 2. Add an HL7 listener from the kinds not yet configured.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#kinds a[href*="hl7-mllp-listener"]`)),
		chromedp.WaitVisible(chromedp.ID("newjob")),
		chromedp.SetValue(chromedp.ID("name"), "Lab analyser"),
		chromedp.SetValue(chromedp.ID("s-addr"), "127.0.0.1:0"),
		chromedp.SetValue(chromedp.ID("s-windowMinutes"), "1"),
		shot("add-hl7-listener"),
		submit("save"),
		chromedp.WaitVisible(chromedp.ID("jobs")),
	))

	// 3. It goes green: active, and Running or Waiting on interfaces-1.
	const labRow = `tr[data-job="Lab analyser"]`
	eventually("/admin/jobs", `document.querySelector('`+labRow+` [data-state="go"]') !== null`)
	require.NoError(t, chromedp.Do(ctx, shot("listener-green")))
	state := text(labRow + ` td[data-label="State"]`)
	require.Contains(t, state, "\u25b6") // the green right-pointing triangle
	require.Regexp(t, `Active, (Running|Waiting)`, state)
	require.Equal(t, "interfaces-1", text(labRow+` td[data-label="Server(s)"]`))
	require.Equal(t, "every PT1M", text(labRow+` td[data-label="Interval"]`))
	color, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('`+labRow+` [data-state="go"]')).color`))
	require.NoError(t, err)
	require.Equal(t, "rgb(10, 107, 31)", color) // --go, green

	// 4. Its server stops: it turns red, and its next execution is blank.
	stopInterfaces()
	eventually("/admin/jobs", `document.querySelector('`+labRow+` [data-state="stop"]') !== null`)
	require.NoError(t, chromedp.Do(ctx, shot("listener-red")))
	state = text(labRow + ` td[data-label="State"]`)
	require.Contains(t, state, "\u25a0") // the red square
	require.Contains(t, state, "Active, not running")
	require.Equal(t, "", text(labRow+` td[data-label="Next execution"]`))
	color, err = chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('`+labRow+` [data-state="stop"]')).color`))
	require.NoError(t, err)
	require.Equal(t, "rgb(176, 0, 32)", color) // --stop, red

	// 5. The failed delivery: its attempt answered 500; the receiver is
	// fixed, the administrator resends it, and it is delivered.
	eventually("/admin/webhooks", `document.querySelector('#deliveries [data-status="failed"]') !== null`)
	require.NoError(t, chromedp.Do(ctx, shot("webhooks"),
		chromedp.Click(chromedp.CSS(`#deliveries a[href$="`+failed.ID.String()+`"]`)),
		chromedp.WaitVisible(chromedp.ID("attempts")),
	))
	attempts := text("#attempts")
	require.Contains(t, attempts, "500")
	require.Contains(t, attempts, "upstream broke")
	require.Equal(t, "failed", text("#status"))
	rc.fixed.Store(true)
	require.NoError(t, chromedp.Do(ctx, shot("failed-delivery"),
		submit("resend"),
	))
	eventually("/admin/webhooks/deliveries/"+failed.ID.String(), `document.getElementById('status').textContent.trim() === 'succeeded'`)
	require.NoError(t, chromedp.Do(ctx, shot("resent")))
	require.Equal(t, int32(2), rc.hits.Load())
	d, err := s.DB.Webhooks().Delivery(context.Background(), failed.ID)
	require.NoError(t, err)
	require.Equal(t, webhook.StateSucceeded, d.State)

	// Every change was audited, newest first: the resend and the job.
	changes, err := s.DB.Admin().AdminChanges(context.Background(), 0, 10)
	require.NoError(t, err)
	var actions []string
	for _, c := range changes {
		actions = append(actions, c.Action)
		require.Equal(t, s.AdminID, c.Actor)
	}
	require.Equal(t, []string{"resendAdminDelivery", "createAdminJob"}, actions)
}
