package jobs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
	"github.com/vetlink/vetlink/vetview"
	"github.com/vetlink/vetlink/vetview/jobs"
	"github.com/vetlink/vetlink/webhook"
)

func TestWebhookMaintenanceSettings(t *testing.T) {
	var kinds vetview.Registry
	vetview.MustRegister(&kinds, jobs.WebhookMaintenanceKind(&webhook.Service{}, nil))
	tests := []struct {
		settings string
		want     string // "" when valid
	}{
		{``, ""},
		{`{"retentionDays":1}`, ""},
		{`{"retentionDays":3650}`, ""},
		{`{}`, `vetview: settings "{}": rejected by kind webhook-maintenance: retentionDays 0: must be between 1 and 3650`},
		{`{"retentionDays":-7}`, `vetview: settings "{\"retentionDays\":-7}": rejected by kind webhook-maintenance: retentionDays -7: must be between 1 and 3650`},
		{`{"retentionDays":3651}`, `vetview: settings "{\"retentionDays\":3651}": rejected by kind webhook-maintenance: retentionDays 3651: must be between 1 and 3650`},
	}
	for _, tt := range tests {
		t.Run(tt.settings, func(t *testing.T) {
			err := kinds.ValidateSettings(jobs.WebhookMaintenanceKindName, json.RawMessage(tt.settings))
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, tt.want)
		})
	}
	require.Equal(t, json.RawMessage(`{"retentionDays":30}`), kinds.Kinds()[0].Defaults)
}

// TestWebhookMaintenanceKind runs the kind on a real store: a subscription
// with a delivery 40 days old, one that disabled it 10 days ago and one
// that failed with it, before it was enabled again.
func TestWebhookMaintenanceKind(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 5, 1, 3, 30, 0, 0, time.UTC)
		clock := now.Add(-40 * 24 * time.Hour)
		st := db.Webhooks()
		svc := &webhook.Service{Store: st, Now: func() time.Time { return clock }}
		sub, err := svc.CreateSubscription(ctx, webhook.Subscription{URL: "https://lab.example/hook",
			Events: []webhook.EventType{"case.created"}, Active: true})
		require.NoError(t, err)
		attempt := func(lease string, st webhook.DeliveryState, disable string) webhook.Delivery {
			t.Helper()
			jobs, err := db.Webhooks().Claim(ctx, webhook.ClaimRequest{Owner: "test", Lease: lease, Now: clock, Until: clock.Add(time.Minute), Limit: 1})
			require.NoError(t, err)
			require.Len(t, jobs, 1)
			d := jobs[0].Delivery
			_, err = db.Webhooks().Complete(ctx, []webhook.Outcome{{DeliveryID: d.ID, SubscriptionID: sub.ID, Lease: lease,
				State: st, Disable: disable, SubscriptionFailing: st != webhook.StateSucceeded, At: clock.Add(time.Second),
				Attempt: &webhook.Attempt{DeliveryID: d.ID, Number: 1, StartedAt: clock, StatusCode: 204}}})
			require.NoError(t, err)
			return d
		}

		_, err = svc.Publish(ctx, webhook.Event{Type: "case.created", ResourceID: "1"})
		require.NoError(t, err)
		old := attempt("l1", webhook.StateSucceeded, "")

		clock = now.Add(-10 * 24 * time.Hour)
		_, err = svc.Publish(ctx, webhook.Event{Type: "case.created", ResourceID: "2"})
		require.NoError(t, err)
		clock = clock.Add(time.Minute)
		_, err = svc.Publish(ctx, webhook.Event{Type: "case.created", ResourceID: "3"})
		require.NoError(t, err)
		gone := attempt("l2", webhook.StateFailed, "status 410")

		clock = now.Add(-9 * 24 * time.Hour)
		sub, err = svc.Subscription(ctx, sub.ID)
		require.NoError(t, err)
		require.False(t, sub.Active)
		// Enabled again behind the Service's back (Service.UpdateSubscription
		// would recover at once): the waiting delivery is stranded until the
		// maintenance job runs.
		sub.Active, sub.DisabledAt, sub.DisabledReason, sub.FailingSince = true, time.Time{}, "", time.Time{}
		require.NoError(t, db.Webhooks().UpdateSubscription(ctx, sub))
		stranded, err := svc.Stranded(ctx, 0)
		require.NoError(t, err)
		require.Len(t, stranded, 1)

		var log bytes.Buffer
		kind := jobs.WebhookMaintenanceKind(svc, slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{
			ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
				if a.Key == slog.TimeKey {
					return slog.Attr{}
				}
				return a
			},
		})))
		run := func(at time.Time, days int) {
			t.Helper()
			clock = at
			require.NoError(t, kind.Run(ctx, vetview.RunInfo{Job: vetview.Job{Name: "webhooks"}, ScheduledAt: at},
				jobs.WebhookMaintenanceSettings{RetentionDays: days}))
		}
		run(now, 30)
		run(now, 30)
		run(now.Add(time.Hour), 1)
		require.Equal(t, ""+
			"level=INFO msg=\"webhook maintenance\" job=webhooks recovered=1 cutoff=2026-04-01T03:30:00.000Z attempts_pruned=1 deliveries_pruned=1 events_pruned=1\n"+
			"level=INFO msg=\"webhook maintenance\" job=webhooks recovered=0 cutoff=2026-04-01T03:30:00.000Z attempts_pruned=0 deliveries_pruned=0 events_pruned=0\n"+
			"level=INFO msg=\"webhook maintenance\" job=webhooks recovered=0 cutoff=2026-04-30T04:30:00.000Z attempts_pruned=1 deliveries_pruned=1 events_pruned=1\n",
			log.String())

		for _, id := range []webhook.Delivery{old, gone} {
			_, err := st.Delivery(ctx, id.ID)
			require.ErrorIs(t, err, webhook.ErrNotFound)
		}
		d, err := st.Delivery(ctx, stranded[0].ID)
		require.NoError(t, err)
		require.Equal(t, webhook.StatePending, d.State, "recovered, and kept while pending")
		require.Equal(t, now, d.NextAttemptAt)
	})
}

// A run that fails says so in its error and in an error entry of the log.
func TestWebhookMaintenanceKindError(t *testing.T) {
	db := storetest.SQLite(t)
	require.NoError(t, db.Close())
	var log bytes.Buffer
	kind := jobs.WebhookMaintenanceKind(&webhook.Service{Store: db.Webhooks()}, slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	})))
	err := kind.Run(context.Background(), vetview.RunInfo{Job: vetview.Job{Name: "webhooks"}, ScheduledAt: time.Date(2026, 5, 1, 3, 30, 0, 0, time.UTC)},
		jobs.WebhookMaintenanceSettings{RetentionDays: 30})
	require.EqualError(t, err, "jobs: webhook-maintenance: recover stranded deliveries: store: list webhook subscriptions with stranded deliveries: sql: database is closed")
	require.Equal(t, "level=ERROR msg=\"webhook maintenance\" job=webhooks recovered=0 cutoff=2026-04-01T03:30:00.000Z attempts_pruned=0 deliveries_pruned=0 events_pruned=0\n", log.String())
}
