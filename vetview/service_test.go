package vetview_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/vetlink/vetlink/store/storetest"
	"github.com/vetlink/vetlink/vetview"
)

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	st := storetest.SQLite(t).Vetview()
	var kinds vetview.Registry
	tests := []struct {
		name string
		cfg  vetview.Config
		want string
	}{
		{"no store", vetview.Config{Kinds: &kinds}, `vetview: config.store "nil": must be set`},
		{"no kinds", vetview.Config{Store: st}, `vetview: config.kinds "nil": must be set`},
		{"negative heartbeat", vetview.Config{Store: st, Kinds: &kinds, HeartbeatInterval: -time.Second}, `vetview: config.heartbeat_interval "-1s": must not be negative`},
		{"negative poll", vetview.Config{Store: st, Kinds: &kinds, PollInterval: -time.Second}, `vetview: config.poll_interval "-1s": must not be negative`},
		{"claim ahead past a quarter lease", vetview.Config{Store: st, Kinds: &kinds, ClaimAhead: time.Second},
			`vetview: config.claim_ahead "1s": must be at most a quarter of the lease duration (750ms)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := vetview.New(tt.cfg)
			require.ErrorIs(t, err, vetview.ErrInvalid)
			require.EqualError(t, err, tt.want)
		})
	}
}

func TestServiceConfiguresJobs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var kinds vetview.Registry
	vetview.MustRegister(&kinds, pollKind())
	vetview.MustRegister(&kinds, vetview.Kind[struct{}]{Name: "prune", Run: func(context.Context, vetview.RunInfo, struct{}) error { return nil }})
	svc, err := vetview.New(vetview.Config{Store: storetest.SQLite(t).Vetview(), Kinds: &kinds})
	require.NoError(t, err)

	spec := vetview.JobSpec{
		Name: "Lab", Kind: "lab-poll", Schedule: vetview.Every(time.Minute),
		Servers: []string{"b", " a", "b"}, Active: true,
	}
	before := time.Now()
	j, err := svc.CreateJob(ctx, spec)
	require.NoError(t, err)
	require.Equal(t, []string{"a", "b"}, j.Servers, "trimmed, sorted, deduplicated")
	require.JSONEq(t, `{"url":"https://lab.example/results","limit":50}`, string(j.Settings), "empty settings take the defaults")
	require.WithinRange(t, j.NextRunAt, before.Add(time.Minute), time.Now().Add(time.Minute))

	_, err = svc.CreateJob(ctx, spec)
	require.ErrorIs(t, err, vetview.ErrJobExists)
	for _, bad := range []vetview.JobSpec{
		{Name: " ", Kind: "lab-poll", Schedule: vetview.Every(time.Minute)},
		{Name: "x", Kind: "lab-poll", Schedule: vetview.Every(time.Minute), Settings: json.RawMessage(`{"limit":0}`)},
		{Name: "x", Kind: "lab-poll", Schedule: vetview.CronSchedule("* * *")},
		{Name: "x", Kind: "lab-poll", Schedule: vetview.Every(time.Minute), Servers: []string{""}},
	} {
		_, err := svc.CreateJob(ctx, bad)
		require.ErrorIs(t, err, vetview.ErrInvalid, "%+v", bad)
	}
	_, err = svc.CreateJob(ctx, vetview.JobSpec{Name: "x", Kind: "hl7", Schedule: vetview.Every(time.Minute)})
	require.ErrorIs(t, err, vetview.ErrUnknownKind)

	left, err := svc.UnconfiguredKinds(ctx)
	require.NoError(t, err)
	require.Len(t, left, 1)
	require.Equal(t, "prune", left[0].Name)

	// Same schedule, still active: the next run stays where it was.
	spec.Settings = json.RawMessage(`{"url":"https://lab.example/v2","limit":5}`)
	updated, err := svc.UpdateJob(ctx, j.ID, spec)
	require.NoError(t, err)
	require.Equal(t, j.NextRunAt, updated.NextRunAt)
	// A new schedule starts afresh.
	spec.Schedule = vetview.CronSchedule("0 3 * * *")
	updated, err = svc.UpdateJob(ctx, j.ID, spec)
	require.NoError(t, err)
	require.Equal(t, vetview.MustParseCron("0 3 * * *").Next(updated.UpdatedAt), updated.NextRunAt)

	stored, err := svc.Job(ctx, j.ID)
	require.NoError(t, err)
	require.Equal(t, "cron 0 3 * * *", stored.Schedule.String())
	require.JSONEq(t, `{"url":"https://lab.example/v2","limit":5}`, string(stored.Settings))

	statuses, err := svc.Statuses(ctx)
	require.NoError(t, err)
	require.Len(t, statuses, 1)
	require.Equal(t, vetview.NotRunning, statuses[0].State, "no server a or b is registered")

	require.NoError(t, svc.DeleteJob(ctx, j.ID))
	require.ErrorIs(t, svc.DeleteJob(ctx, j.ID), vetview.ErrJobNotFound)
	_, err = svc.Status(ctx, j.ID)
	require.ErrorIs(t, err, vetview.ErrJobNotFound)
}
