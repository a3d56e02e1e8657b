package openapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/openapi"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
	"github.com/vetlink/vetlink/webhook"
)

// decode decodes a JSON answer into a T.
func decode[T any](t testing.TB, body []byte) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal(body, &v), "%s", body)
	return v
}

// TestAdminJobSettingsProblems: a job whose settings break the kind's
// schema or its own rule is refused with a 422 problem that names the
// setting and the rule, and nothing is configured or audited.
func TestAdminJobSettingsProblems(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		spec := func(kind string, settings map[string]any) map[string]any {
			return map[string]any{"name": "bad " + kind, "kind": kind, "settings": settings,
				"schedule": map[string]any{"every": "PT1H"}, "servers": []string{"api-1"}, "active": true}
		}
		for _, tc := range []struct {
			name string
			body map[string]any
			want []string // what the problem's detail must say
		}{
			{"rule of the kind", spec("echo", map[string]any{"message": "hi", "times": 0}), []string{"times", "at least 1"}},
			{"wrong type", spec("echo", map[string]any{"message": "hi", "times": "many"}), []string{"times"}},
			{"unknown setting", spec("echo", map[string]any{"message": "hi", "times": 1, "colour": "red"}), []string{"colour"}},
			{"unknown kind", spec("teleport", map[string]any{}), []string{"teleport"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				status, body := e.do(t, e.Admin, http.MethodPost, "/api/admin/jobs", tc.body)
				require.Equal(t, http.StatusUnprocessableEntity, status, "%s", body)
				p := problem(t, body)
				for _, w := range tc.want {
					require.Contains(t, p.Detail, w)
				}
			})
		}
		changes, err := db.Admin().AdminChanges(context.Background(), 0, 10)
		require.NoError(t, err)
		require.Empty(t, changes, "a refused change is not audited")
		status, body := e.do(t, e.Admin, http.MethodGet, "/api/admin/jobs", nil)
		require.Equal(t, http.StatusOK, status)
		require.Empty(t, decode[[]openapi.AdminJob](t, body))
	})
}

// TestAdminDeleteServer: a live server cannot be deleted (409); a stale
// one is, and leaves the list.
func TestAdminDeleteServer(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		live := registerServer(t, db, "live-1", 0)
		stale := registerServer(t, db, "stale-1", time.Hour)

		status, body := e.do(t, e.Admin, http.MethodDelete, "/api/admin/servers/"+live.String(), nil)
		require.Equal(t, http.StatusConflict, status, "%s", body)
		require.Contains(t, problem(t, body).Detail, "live")

		status, body = e.do(t, e.Admin, http.MethodDelete, "/api/admin/servers/"+stale.String(), nil)
		require.Equal(t, http.StatusNoContent, status, "%s", body)

		status, body = e.do(t, e.Admin, http.MethodGet, "/api/admin/servers", nil)
		require.Equal(t, http.StatusOK, status)
		var names []string
		for _, s := range decode[[]openapi.AdminServer](t, body) {
			names = append(names, s.Name+" "+string(s.Status))
		}
		require.Equal(t, []string{"live-1 live"}, names)

		status, _ = e.do(t, e.Admin, http.MethodDelete, "/api/admin/servers/"+stale.String(), nil)
		require.Equal(t, http.StatusNotFound, status, "deleted once")
	})
}

// TestAdminSubscriptionSecret: the secret is in the answer to the
// creation and to a rotation only: never in a read, a list, an update,
// the audit log or the admin.changed event. A rotation lets the old
// secret expire after the grace period asked for.
func TestAdminSubscriptionSecret(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		status, body := e.do(t, e.Admin, http.MethodPost, "/api/admin/webhooks/subscriptions",
			map[string]any{"name": "Lab", "url": publicHook, "events": []string{"case.created"}})
		require.Equal(t, http.StatusCreated, status, "%s", body)
		created := decode[openapi.AdminSubscriptionWithSecret](t, body)
		secret := created.Secret
		require.GreaterOrEqual(t, len(secret), 32, "a generated secret is long")
		id := created.Subscription.Id.String()

		notShown := func(t *testing.T, secrets ...string) {
			t.Helper()
			for _, r := range []struct{ method, path string }{
				{http.MethodGet, "/api/admin/webhooks/subscriptions/" + id},
				{http.MethodGet, "/api/admin/webhooks/subscriptions"},
			} {
				status, body := e.do(t, e.Admin, r.method, r.path, nil)
				require.Equal(t, http.StatusOK, status)
				for _, s := range secrets {
					require.NotContains(t, string(body), s, "%s %s shows a secret", r.method, r.path)
				}
			}
			changes, err := db.Admin().AdminChanges(context.Background(), 0, 100)
			require.NoError(t, err)
			var data []string
			require.NoError(t, sqlStrings(db, &data, `SELECT data FROM webhook_events WHERE type = 'admin.changed'`))
			for _, s := range secrets {
				for _, c := range changes {
					require.NotContains(t, string(c.Detail), s, "audit record %d keeps a secret", c.ID)
				}
				for _, d := range data {
					require.NotContains(t, d, s, "an admin.changed event carries a secret")
				}
			}
		}
		notShown(t, secret)

		status, body = e.do(t, e.Admin, http.MethodPut, "/api/admin/webhooks/subscriptions/"+id,
			map[string]any{"name": "Lab renamed", "url": publicHook, "events": []string{"case.created"}})
		require.Equal(t, http.StatusOK, status, "%s", body)
		require.NotContains(t, string(body), secret)

		// Rotation: the new secret shown once, the old one expiring after
		// the grace period, the new one not expiring.
		before := time.Now()
		status, body = e.do(t, e.Admin, http.MethodPost, "/api/admin/webhooks/subscriptions/"+id+"/secret?graceSeconds=600", nil)
		after := time.Now()
		require.Equal(t, http.StatusOK, status, "%s", body)
		rotated := decode[openapi.AdminSubscriptionWithSecret](t, body)
		require.NotEqual(t, secret, rotated.Secret)
		require.NotContains(t, string(body), secret, "the old secret is not shown again")
		require.Len(t, rotated.Subscription.Secrets, 2)
		old, current := rotated.Subscription.Secrets[0], rotated.Subscription.Secrets[1]
		require.NotNil(t, old.ExpiresAt)
		require.WithinRange(t, *old.ExpiresAt, before.Add(600*time.Second-time.Second), after.Add(600*time.Second+time.Second))
		require.Nil(t, current.ExpiresAt)
		notShown(t, secret, rotated.Secret)

		changes, err := db.Admin().AdminChanges(context.Background(), 0, 1)
		require.NoError(t, err)
		require.Equal(t, "rotateAdminSubscriptionSecret", changes[0].Action)
		require.JSONEq(t, `{"graceSeconds":600}`, string(changes[0].Detail))
	})
}

// sqlStrings reads one text column of every row of q into out.
func sqlStrings(db *store.DB, out *[]string, q string, args ...any) error {
	rows, err := db.SQL().Query(q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		*out = append(*out, s)
	}
	return rows.Err()
}

// TestAdminAuditRecordAndEvent: a change is recorded with who made it,
// when and what was asked, and published as an admin.changed event whose
// resource is the record's number and whose data is the record.
func TestAdminAuditRecordAndEvent(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		before := time.Now().UTC().Truncate(time.Microsecond)
		status, body := e.do(t, e.Admin, http.MethodPost, "/api/admin/jobs", map[string]any{
			"name": "Nightly echo", "kind": "echo", "settings": map[string]any{"message": "night", "times": 2},
			"schedule": map[string]any{"every": "PT1H"}, "servers": []string{"api-1"}, "active": true})
		after := time.Now().UTC()
		require.Equal(t, http.StatusCreated, status, "%s", body)
		job := decode[openapi.AdminJob](t, body)

		changes, err := db.Admin().AdminChanges(context.Background(), 0, 10)
		require.NoError(t, err)
		require.Len(t, changes, 1)
		c := changes[0]
		require.Equal(t, int64(e.Admin.ID), c.Actor, "who")
		require.WithinRange(t, c.At, before, after, "when")
		require.Equal(t, "createAdminJob", c.Action, "what")
		require.Equal(t, job.Id.String(), c.Target)
		require.JSONEq(t, `{"name":"Nightly echo","kind":"echo","settings":{"message":"night","times":2},
			"schedule":{"every":"PT1H"},"servers":["api-1"],"active":true}`, string(c.Detail))

		var data []string
		require.NoError(t, sqlStrings(db, &data, `SELECT data FROM webhook_events WHERE type = 'admin.changed' AND resource_id = $1`, fmt.Sprint(c.ID)))
		require.Len(t, data, 1, "one admin.changed event about record %d", c.ID)
		ev := decode[openapi.AdminChange](t, []byte(data[0]))
		require.Equal(t, c.ID, ev.ID)
		require.Equal(t, int64(e.Admin.ID), ev.Actor)
		require.True(t, c.At.Equal(ev.At), "event at %s, record at %s", ev.At, c.At)
		require.Equal(t, "createAdminJob", ev.Action)
		require.Equal(t, job.Id.String(), ev.Target)
		require.JSONEq(t, string(c.Detail), string(ev.Detail))

		// A read changes nothing and records nothing.
		status, _ = e.do(t, e.Admin, http.MethodGet, "/api/admin/jobs/"+job.Id.String(), nil)
		require.Equal(t, http.StatusOK, status)
		require.Equal(t, 1, eventCount(t, db, "admin.changed", ""))
	})
}

// TestAdminDeliveryLogFilters: the delivery log filters by status, event
// type, subscription and creation time range, each alone and together.
func TestAdminDeliveryLogFilters(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		ctx := context.Background()
		svc := &webhook.Service{Store: db.Webhooks()}
		failed := newFailedDelivery(t, db) // protocol.created, its own subscription
		time.Sleep(5 * time.Millisecond)
		boundary := time.Now().UTC()
		time.Sleep(5 * time.Millisecond)
		sub, err := svc.CreateSubscription(ctx, webhook.Subscription{URL: publicHook,
			Events: []webhook.EventType{"protocol.created", "case.created"}, Active: true})
		require.NoError(t, err)
		_, err = svc.Publish(ctx, webhook.Event{Type: "case.created", ResourceID: "c-1"})
		require.NoError(t, err)
		_, err = svc.Publish(ctx, webhook.Event{Type: "protocol.created", ResourceID: "p-2"})
		require.NoError(t, err)
		ds, err := svc.Deliveries(ctx, webhook.DeliveryQuery{SubscriptionID: sub.ID})
		require.NoError(t, err)
		require.Len(t, ds, 2)
		byType := map[webhook.EventType]uuid.UUID{}
		for _, d := range ds {
			byType[d.EventType] = d.ID
		}
		caseD, protoD := byType["case.created"], byType["protocol.created"]
		// newFailedDelivery's subscription also got p-2.
		ds, err = svc.Deliveries(ctx, webhook.DeliveryQuery{SubscriptionID: failed.SubscriptionID})
		require.NoError(t, err)
		require.Len(t, ds, 2)
		var otherP2 uuid.UUID
		for _, d := range ds {
			if d.ID != failed.ID {
				otherP2 = d.ID
			}
		}
		ts := func(t time.Time) string { return url.QueryEscape(t.Format(time.RFC3339Nano)) }
		for _, tc := range []struct {
			query string
			want  []uuid.UUID
		}{
			{"", []uuid.UUID{failed.ID, caseD, protoD, otherP2}},
			{"status=failed", []uuid.UUID{failed.ID}},
			{"status=pending", []uuid.UUID{caseD, protoD, otherP2}},
			{"status=succeeded", nil},
			{"eventType=case.created", []uuid.UUID{caseD}},
			{"eventType=protocol.created", []uuid.UUID{failed.ID, protoD, otherP2}},
			{"subscription=" + sub.ID.String(), []uuid.UUID{caseD, protoD}},
			{"subscription=" + failed.SubscriptionID.String() + "&status=pending", []uuid.UUID{otherP2}},
			{"before=" + ts(boundary), []uuid.UUID{failed.ID}},
			{"from=" + ts(boundary), []uuid.UUID{caseD, protoD, otherP2}},
			{"from=" + ts(boundary) + "&eventType=protocol.created&subscription=" + sub.ID.String(), []uuid.UUID{protoD}},
			{"from=" + ts(boundary.Add(time.Hour)), nil},
		} {
			t.Run(tc.query, func(t *testing.T) {
				status, body := e.do(t, e.Admin, http.MethodGet, "/api/admin/webhooks/deliveries?"+tc.query, nil)
				require.Equal(t, http.StatusOK, status, "%s", body)
				var got []uuid.UUID
				for _, d := range decode[[]openapi.AdminDelivery](t, body) {
					got = append(got, uuid.UUID(d.Id))
				}
				slices.SortFunc(got, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
				want := slices.Clone(tc.want)
				slices.SortFunc(want, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
				require.Equal(t, want, got)
			})
		}
		status, body := e.do(t, e.Admin, http.MethodGet, "/api/admin/webhooks/deliveries?status=lost", nil)
		require.Equal(t, http.StatusBadRequest, status, "%s", body)
	})
}

// TestAdminAuditLog: GET /api/admin/audit pages through the changes,
// newest first, each with who, when, what and its target, following next
// until the last page, which has none.
func TestAdminAuditLog(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		start := time.Now().UTC().Truncate(time.Microsecond)
		var jobs []string
		for i := range 3 {
			status, body := e.do(t, e.Admin, http.MethodPost, "/api/admin/jobs", map[string]any{
				"name": fmt.Sprintf("Echo %d", i), "kind": "echo", "schedule": map[string]any{"every": "PT1H"}, "servers": []string{"api-1"}})
			require.Equal(t, http.StatusCreated, status, "%s", body)
			jobs = append(jobs, decode[openapi.AdminJob](t, body).Id.String())
		}
		status, body := e.do(t, e.Admin, http.MethodPut, "/api/admin/jobs/"+jobs[1]+"/activation", nil)
		require.Equal(t, http.StatusOK, status, "%s", body)
		end := time.Now().UTC()

		var got []string
		var ids []int64
		var pages []int
		path := "/api/admin/audit?limit=2"
		for {
			status, body := e.do(t, e.Admin, http.MethodGet, path, nil)
			require.Equal(t, http.StatusOK, status, "%s", body)
			page := decode[openapi.AdminAuditPage](t, body)
			pages = append(pages, len(page.Changes))
			for _, c := range page.Changes {
				require.Equal(t, int64(e.Admin.ID), c.Actor)
				require.WithinRange(t, c.At, start, end)
				got = append(got, c.Action+" "+c.Target)
				ids = append(ids, c.Id)
			}
			if page.Next == nil {
				break
			}
			path = fmt.Sprintf("/api/admin/audit?limit=2&before=%d", *page.Next)
		}
		require.Equal(t, []int{2, 2}, pages)
		require.Equal(t, []string{
			"activateAdminJob " + jobs[1],
			"createAdminJob " + jobs[2],
			"createAdminJob " + jobs[1],
			"createAdminJob " + jobs[0],
		}, got)

		require.IsDecreasing(t, ids)
		status, body = e.do(t, e.Admin, http.MethodGet, fmt.Sprintf("/api/admin/audit?limit=1&before=%d", ids[0]), nil)
		require.Equal(t, http.StatusOK, status)
		page := decode[openapi.AdminAuditPage](t, body)
		require.Equal(t, map[string]any{"name": "Echo 2", "kind": "echo", "schedule": map[string]any{"every": "PT1H"}, "servers": []any{"api-1"}},
			page.Changes[0].Detail, "what was asked, as asked")

		status, body = e.do(t, e.Admin, http.MethodGet, "/api/admin/audit?before=0", nil)
		require.Equal(t, http.StatusBadRequest, status, "%s", body)
	})
}
