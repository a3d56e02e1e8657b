package openapi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/vetview"
	"github.com/vetlink/vetlink/webhook"
)

// echoSettings configure the test kind "echo".
type echoSettings struct {
	Message string `json:"message"`
	Times   int    `json:"times"`
	Note    string `json:"note,omitempty"`
}

// Validate refuses fewer than one time.
func (s echoSettings) Validate() error {
	if s.Times < 1 {
		return errors.New("times must be at least 1")
	}
	return nil
}

// testKinds are the job kinds of a testEnv's admin API: "echo", which
// fails when its message is "fail", and "idle", which no job of the
// tests configures.
func testKinds() *vetview.Registry {
	var r vetview.Registry
	vetview.MustRegister(&r, vetview.Kind[echoSettings]{
		Name: "echo", Title: "Echo a message", Description: "Does nothing but fail when asked to.",
		Defaults: echoSettings{Message: "hello", Times: 1},
		Run: func(ctx context.Context, run vetview.RunInfo, s echoSettings) error {
			if s.Message == "fail" {
				return errors.New("asked to fail")
			}
			return nil
		},
	})
	vetview.MustRegister(&r, vetview.Kind[struct{}]{
		Name: "idle", Title: "Idle", Run: func(context.Context, vetview.RunInfo, struct{}) error { return nil },
	})
	return &r
}

// adminVetview is the vetview service of a testEnv's admin API on db.
func adminVetview(t testing.TB, db *store.DB) *vetview.Service {
	t.Helper()
	vv, err := vetview.New(vetview.Config{Store: db.Vetview(), Kinds: testKinds(), ServerName: "api-test"})
	require.NoError(t, err)
	return vv
}

// registerServer puts a server named name in db's registry whose last
// heartbeat was ago ago, with a one-minute interval: stale after 3m.
func registerServer(t testing.TB, db *store.DB, name string, ago time.Duration) uuid.UUID {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Microsecond)
	s := vetview.Server{ID: uuid.New(), Name: name, Host: "host-" + name, PID: 7, Version: "test",
		StartedAt: now.Add(-ago), HeartbeatAt: now.Add(-ago), HeartbeatInterval: time.Minute}
	require.NoError(t, db.Vetview().RegisterServer(context.Background(), s))
	return s.ID
}

// newJob configures an active echo job on server "api-1" with a unique
// name.
func newJob(t testing.TB, db *store.DB, name string) vetview.Job {
	t.Helper()
	j, err := adminVetview(t, db).CreateJob(context.Background(), vetview.JobSpec{
		Name: name, Kind: "echo", Schedule: vetview.Every(time.Hour), Servers: []string{"api-1"}, Active: true})
	require.NoError(t, err)
	return j
}

// publicHook is a receiver URL the subscription guard accepts without a
// DNS look-up (a public address literal); nothing is ever sent to it in
// these tests.
const publicHook = "https://93.184.215.14/hook"

// newSubscription stores an active subscription to protocol.created.
func newSubscription(t testing.TB, db *store.DB) webhook.Subscription {
	t.Helper()
	sub, err := (&webhook.Service{Store: db.Webhooks()}).CreateSubscription(context.Background(),
		webhook.Subscription{URL: publicHook, Events: []webhook.EventType{"protocol.created"}, Active: true})
	require.NoError(t, err)
	return sub
}

// newFailedDelivery publishes a protocol.created event to a new
// subscription and records one attempt that failed with a 500 and ended
// the delivery, through the store's own claim and completion.
func newFailedDelivery(t testing.TB, db *store.DB) webhook.Delivery {
	t.Helper()
	ctx := context.Background()
	sub := newSubscription(t, db)
	svc := &webhook.Service{Store: db.Webhooks()}
	_, err := svc.Publish(ctx, webhook.Event{Type: "protocol.created", ResourceID: fmt.Sprint(time.Now().UnixNano())})
	require.NoError(t, err)
	ds, err := svc.Deliveries(ctx, webhook.DeliveryQuery{SubscriptionID: sub.ID})
	require.NoError(t, err)
	require.Len(t, ds, 1)
	now := time.Now().UTC().Truncate(time.Microsecond)
	lease := uuid.NewString()
	var claimed []webhook.Job
	for range 50 { // other subscriptions' deliveries may be due too
		jobs, err := db.Webhooks().Claim(ctx, webhook.ClaimRequest{Owner: "test", Lease: lease, Now: now.Add(time.Second), Until: now.Add(time.Minute), Limit: 1000, PerSubscription: 10})
		require.NoError(t, err)
		claimed = append(claimed, jobs...)
		if len(jobs) == 0 {
			break
		}
	}
	var outcomes []webhook.Outcome
	for _, j := range claimed {
		o := webhook.Outcome{DeliveryID: j.Delivery.ID, SubscriptionID: j.Subscription.ID, Lease: lease, At: now}
		if j.Delivery.ID == ds[0].ID {
			o.Attempt = &webhook.Attempt{DeliveryID: j.Delivery.ID, Number: 1, StartedAt: now, Duration: 42 * time.Millisecond,
				StatusCode: 500, Response: "upstream broke", Error: "HTTP 500"}
			o.State = webhook.StateFailed
		} else {
			o.State, o.NextAttemptAt = webhook.StatePending, now // released unattempted
		}
		outcomes = append(outcomes, o)
	}
	_, err = db.Webhooks().Complete(ctx, outcomes)
	require.NoError(t, err)
	d, err := db.Webhooks().Delivery(ctx, ds[0].ID)
	require.NoError(t, err)
	require.Equal(t, webhook.StateFailed, d.State)
	return d
}

// adminOnly is the expected answer of every admin operation: the SAOR
// alone, everyone else 403 before anything is read.
func adminOnly(ok int) statuses { return statuses{401, ok, 403, 403, 403, 403, 403, 403} }

// adminRoleRows are the rows of roleRows for the admin API.
func adminRoleRows() []roleRow {
	const (
		get, post, put, del = http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete
	)
	job := func(path string) func(*testing.T, *roleWorld) (string, any) {
		return func(t *testing.T, w *roleWorld) (string, any) {
			j := newJob(t, w.db, fmt.Sprintf("role job %d", w.next()))
			return fmt.Sprintf(path, j.ID), nil
		}
	}
	sub := func(path string, body any) func(*testing.T, *roleWorld) (string, any) {
		return func(t *testing.T, w *roleWorld) (string, any) {
			return fmt.Sprintf(path, newSubscription(t, w.db).ID), body
		}
	}
	delivery := func(path string) func(*testing.T, *roleWorld) (string, any) {
		return func(t *testing.T, w *roleWorld) (string, any) {
			return fmt.Sprintf(path, newFailedDelivery(t, w.db).ID), nil
		}
	}
	spec := func(w *roleWorld) map[string]any {
		return map[string]any{"name": fmt.Sprintf("role job %d", w.next()), "kind": "echo", "schedule": map[string]any{"every": "PT1H"}, "servers": []string{"api-1"}, "active": true}
	}
	return []roleRow{
		{op: "listAdminServers", method: get, req: static("/api/admin/servers", nil), want: adminOnly(200)},
		{op: "deleteAdminServer", method: del, req: func(t *testing.T, w *roleWorld) (string, any) {
			return "/api/admin/servers/" + registerServer(t, w.db, fmt.Sprintf("gone-%d", w.next()), time.Hour).String(), nil
		}, want: adminOnly(204)},
		{op: "listAdminJobKinds", method: get, req: static("/api/admin/job-kinds?unconfigured=true", nil), want: adminOnly(200)},
		{op: "getAdminJobKind", method: get, req: static("/api/admin/job-kinds/echo", nil), want: adminOnly(200)},
		{op: "listAdminJobs", method: get, req: static("/api/admin/jobs", nil), want: adminOnly(200)},
		{op: "createAdminJob", method: post, req: func(t *testing.T, w *roleWorld) (string, any) {
			return "/api/admin/jobs", spec(w)
		}, want: adminOnly(201)},
		{op: "getAdminJob", method: get, req: job("/api/admin/jobs/%s"), want: adminOnly(200)},
		{op: "updateAdminJob", method: put, req: func(t *testing.T, w *roleWorld) (string, any) {
			j := newJob(t, w.db, fmt.Sprintf("role job %d", w.next()))
			return "/api/admin/jobs/" + j.ID.String(), spec(w)
		}, want: adminOnly(200)},
		{op: "deleteAdminJob", method: del, req: job("/api/admin/jobs/%s"), want: adminOnly(204)},
		{op: "activateAdminJob", method: put, req: job("/api/admin/jobs/%s/activation"), want: adminOnly(200)},
		{op: "deactivateAdminJob", method: del, req: job("/api/admin/jobs/%s/activation"), want: adminOnly(200)},
		{op: "listAdminJobRuns", method: get, req: job("/api/admin/jobs/%s/runs?limit=5"), want: adminOnly(200)},
		{op: "runAdminJobNow", method: post, req: job("/api/admin/jobs/%s/runs"), want: adminOnly(202)},
		{op: "listAdminSubscriptions", method: get, req: static("/api/admin/webhooks/subscriptions", nil), want: adminOnly(200)},
		{op: "createAdminSubscription", method: post, req: static("/api/admin/webhooks/subscriptions",
			map[string]any{"url": publicHook, "events": []string{"case.created"}}), want: adminOnly(201)},
		{op: "getAdminSubscription", method: get, req: sub("/api/admin/webhooks/subscriptions/%s", nil), want: adminOnly(200)},
		{op: "updateAdminSubscription", method: put, req: sub("/api/admin/webhooks/subscriptions/%s",
			map[string]any{"url": publicHook, "events": []string{"case.created"}, "name": "renamed"}), want: adminOnly(200)},
		{op: "deleteAdminSubscription", method: del, req: sub("/api/admin/webhooks/subscriptions/%s", nil), want: adminOnly(204)},
		{op: "disableAdminSubscription", method: post, req: sub("/api/admin/webhooks/subscriptions/%s/disable", nil), want: adminOnly(200)},
		{op: "rotateAdminSubscriptionSecret", method: post, req: sub("/api/admin/webhooks/subscriptions/%s/secret?graceSeconds=60", nil), want: adminOnly(200)},
		{op: "recoverAdminSubscription", method: post, req: sub("/api/admin/webhooks/subscriptions/%s/recovery",
			map[string]any{"from": "2026-01-01T00:00:00Z", "before": "2027-01-01T00:00:00Z"}), want: adminOnly(200)},
		{op: "listAdminDeliveries", method: get, req: static("/api/admin/webhooks/deliveries?status=failed&limit=10", nil), want: adminOnly(200)},
		{op: "getAdminDelivery", method: get, req: delivery("/api/admin/webhooks/deliveries/%s"), want: adminOnly(200)},
		{op: "resendAdminDelivery", method: post, req: delivery("/api/admin/webhooks/deliveries/%s/resend"), want: adminOnly(202)},
		{op: "listAdminAudit", method: get, req: static("/api/admin/audit?limit=5", nil), want: adminOnly(200)},
		{op: "recoverAdminStranded", method: post, req: static("/api/admin/webhooks/stranded/recovery", nil), want: adminOnly(200)},
	}
}
