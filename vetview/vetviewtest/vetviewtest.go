// Package vetviewtest checks implementations of [vetview.Store].
//
// [TestStore] is a conformance suite, in the manner of testing/fstest: an
// implementation's tests call it with a function that returns a fresh,
// empty store, and it checks the registry, the job configuration, and the
// lease rules the scheduler relies on (a due run is claimed once, however
// many servers ask at once; an expired lease is claimed again; only the
// lease holder may extend it or finish the run).
//
//	func TestVetviewStore(t *testing.T) {
//		vetviewtest.TestStore(t, func(t *testing.T) vetview.Store {
//			return openEmptyStore(t)
//		})
//	}
package vetviewtest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"github.com/vetlink/vetlink/vetview"
)

// t0 is the suite's "now". Instants are whole microseconds, the precision
// stores keep.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// TestStore runs the conformance suite. newStore must return a store with
// no servers and no jobs; it is called once per subtest.
func TestStore(t *testing.T, newStore func(t *testing.T) vetview.Store) {
	t.Run("Servers", func(t *testing.T) { t.Parallel(); testServers(t, newStore(t)) })
	t.Run("DeleteStaleServer", func(t *testing.T) { t.Parallel(); testDeleteStaleServer(t, newStore(t)) })
	t.Run("Jobs", func(t *testing.T) { t.Parallel(); testJobs(t, newStore(t)) })
	t.Run("UpdateAndDeleteJob", func(t *testing.T) { t.Parallel(); testUpdateAndDeleteJob(t, newStore(t)) })
	t.Run("RunJobNow", func(t *testing.T) { t.Parallel(); testRunJobNow(t, newStore(t)) })
	t.Run("ClaimSelectsDueAssignedJobs", func(t *testing.T) { t.Parallel(); testClaimSelects(t, newStore(t)) })
	t.Run("ClaimHonoursLimitAndOrder", func(t *testing.T) { t.Parallel(); testClaimLimit(t, newStore(t)) })
	t.Run("NextDueIsTheEarliestClaimable", func(t *testing.T) { t.Parallel(); testNextDue(t, newStore(t)) })
	t.Run("ClaimAheadTakesRunsDueByDueBy", func(t *testing.T) { t.Parallel(); testClaimAhead(t, newStore(t)) })
	t.Run("LeaseLifecycle", func(t *testing.T) { t.Parallel(); testLeaseLifecycle(t, newStore(t)) })
	t.Run("ExpiredLeaseIsClaimedAgain", func(t *testing.T) { t.Parallel(); testExpiredLease(t, newStore(t)) })
	t.Run("LiveServersLeaseIsNeverTakenOver", func(t *testing.T) { t.Parallel(); testLiveLease(t, newStore(t)) })
	t.Run("HistoryIsBounded", func(t *testing.T) { t.Parallel(); testHistoryBounded(t, newStore(t)) })
	t.Run("ConcurrentClaimsTakeEachRunOnce", func(t *testing.T) { t.Parallel(); testConcurrentClaims(t, newStore(t)) })
}

// Server returns a registered-looking server named name, heartbeating
// every 10 s, last at hb.
func Server(name string, hb time.Time) vetview.Server {
	return vetview.Server{
		ID: uuid.New(), Name: name, Host: "host-" + name, PID: 4242, Version: "v1.2.3",
		StartedAt: hb.Add(-time.Hour), HeartbeatAt: hb, HeartbeatInterval: 10 * time.Second,
	}
}

// Job returns an active job of kind "test" running every minute on the
// given servers, due at next.
func Job(name string, next time.Time, servers ...string) vetview.Job {
	return vetview.Job{
		ID: uuid.New(), Name: name, Kind: "test", Settings: json.RawMessage(`{"n":1}`),
		Schedule: vetview.Every(time.Minute), Servers: servers, Active: true,
		CreatedAt: t0.Add(-time.Hour), UpdatedAt: t0.Add(-time.Hour), NextRunAt: next,
	}
}

func claim(t *testing.T, s vetview.Store, srv vetview.Server, now time.Time, limit int) []vetview.Job {
	t.Helper()
	jobs, err := s.Claim(context.Background(), vetview.ClaimRequest{
		ServerID: srv.ID, ServerName: srv.Name, Kinds: []string{"test"},
		Now: now, Until: now.Add(30 * time.Second), Limit: limit,
	})
	require.NoError(t, err)
	return jobs
}

func names(jobs []vetview.Job) []string {
	out := []string{}
	for _, j := range jobs {
		out = append(out, j.Name)
	}
	return out
}

func testServers(t *testing.T, s vetview.Store) {
	ctx := context.Background()
	a, b := Server("b-interfaces", t0), Server("a-api", t0.Add(-time.Minute))
	require.NoError(t, s.RegisterServer(ctx, a))
	require.NoError(t, s.RegisterServer(ctx, b))

	got, err := s.Servers(ctx)
	require.NoError(t, err)
	require.Equal(t, []vetview.Server{b, a}, got, "ordered by name")

	require.NoError(t, s.Heartbeat(ctx, a.ID, t0.Add(7*time.Second)))
	got, err = s.Servers(ctx)
	require.NoError(t, err)
	require.Equal(t, t0.Add(7*time.Second), got[1].HeartbeatAt)

	require.ErrorIs(t, s.Heartbeat(ctx, uuid.New(), t0), vetview.ErrServerNotFound)

	require.NoError(t, s.RemoveServer(ctx, a.ID))
	require.NoError(t, s.RemoveServer(ctx, a.ID), "removing twice is harmless")
	got, err = s.Servers(ctx)
	require.NoError(t, err)
	require.Equal(t, []vetview.Server{b}, got)
	require.ErrorIs(t, s.Heartbeat(ctx, a.ID, t0), vetview.ErrServerNotFound)
}

func testDeleteStaleServer(t *testing.T, s vetview.Store) {
	ctx := context.Background()
	live := Server("live", t0)
	stale := Server("stale", t0.Add(-time.Minute))
	require.NoError(t, s.RegisterServer(ctx, live))
	require.NoError(t, s.RegisterServer(ctx, stale))

	cutoff := t0.Add(-30 * time.Second)
	require.ErrorIs(t, s.DeleteStaleServer(ctx, live.ID, cutoff), vetview.ErrServerLive)
	require.ErrorIs(t, s.DeleteStaleServer(ctx, live.ID, t0), vetview.ErrServerLive, "a heartbeat exactly at the cutoff is live")
	require.NoError(t, s.DeleteStaleServer(ctx, stale.ID, cutoff))
	require.ErrorIs(t, s.DeleteStaleServer(ctx, stale.ID, cutoff), vetview.ErrServerNotFound)

	got, err := s.Servers(ctx)
	require.NoError(t, err)
	require.Equal(t, []vetview.Server{live}, got)
}

func testJobs(t *testing.T, s vetview.Store) {
	ctx := context.Background()
	every := Job("Reminders", t0, "b", "a")
	every.Servers = []string{"a", "b"}
	cron := Job("Lab poll", t0.Add(time.Hour))
	cron.Schedule = vetview.CronSchedule("*/15 6-18 * * 1-5")
	cron.Active = false
	cron.Servers = nil
	require.NoError(t, s.CreateJob(ctx, every))
	require.NoError(t, s.CreateJob(ctx, cron))

	dup := Job("Reminders", t0)
	require.ErrorIs(t, s.CreateJob(ctx, dup), vetview.ErrJobExists)

	got, err := s.Job(ctx, every.ID)
	require.NoError(t, err)
	requireJob(t, every, got)

	all, err := s.Jobs(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"Lab poll", "Reminders"}, names(all))
	requireJob(t, cron, all[0])
	requireJob(t, every, all[1])

	_, err = s.Job(ctx, uuid.New())
	require.ErrorIs(t, err, vetview.ErrJobNotFound)
}

// requireJob compares jobs, settings as JSON (PostgreSQL's JSONB does not
// keep the text).
func requireJob(t *testing.T, want, got vetview.Job) {
	t.Helper()
	require.JSONEq(t, string(want.Settings), string(got.Settings))
	want.Settings, got.Settings = nil, nil
	if len(want.Servers) == 0 {
		want.Servers = nil
	}
	require.Equal(t, want, got)
}

func testUpdateAndDeleteJob(t *testing.T, s vetview.Store) {
	ctx := context.Background()
	j := Job("Reminders", t0, "a")
	other := Job("Prune", t0, "a")
	require.NoError(t, s.CreateJob(ctx, j))
	require.NoError(t, s.CreateJob(ctx, other))

	j.Name = "Reminders, clinic A"
	j.Settings = json.RawMessage(`{"n": 2, "to": ["x@example.org"]}`)
	j.Schedule = vetview.CronSchedule("0 7 * * *")
	j.Servers = []string{"b", "c"}
	j.Active = false
	j.UpdatedAt = t0
	j.NextRunAt = t0.Add(22 * time.Hour)
	require.NoError(t, s.UpdateJob(ctx, j))
	got, err := s.Job(ctx, j.ID)
	require.NoError(t, err)
	requireJob(t, j, got)

	clash := j
	clash.Name = "Prune"
	require.ErrorIs(t, s.UpdateJob(ctx, clash), vetview.ErrJobExists)
	require.ErrorIs(t, s.UpdateJob(ctx, Job("ghost", t0)), vetview.ErrJobNotFound)

	require.NoError(t, s.DeleteJob(ctx, j.ID))
	require.ErrorIs(t, s.DeleteJob(ctx, j.ID), vetview.ErrJobNotFound)
	all, err := s.Jobs(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"Prune"}, names(all))
}

func testRunJobNow(t *testing.T, s vetview.Store) {
	ctx := context.Background()
	later := Job("later", t0.Add(time.Hour), "a")
	earlier := Job("earlier", t0.Add(-time.Minute), "a")
	require.NoError(t, s.CreateJob(ctx, later))
	require.NoError(t, s.CreateJob(ctx, earlier))

	require.NoError(t, s.RunJobNow(ctx, later.ID, t0))
	require.NoError(t, s.RunJobNow(ctx, earlier.ID, t0))
	got, err := s.Job(ctx, later.ID)
	require.NoError(t, err)
	require.Equal(t, t0, got.NextRunAt, "made due now")
	got, err = s.Job(ctx, earlier.ID)
	require.NoError(t, err)
	require.Equal(t, t0.Add(-time.Minute), got.NextRunAt, "already due earlier: unchanged")
	require.ErrorIs(t, s.RunJobNow(ctx, uuid.New(), t0), vetview.ErrJobNotFound)
}

func testClaimSelects(t *testing.T, s vetview.Store) {
	ctx := context.Background()
	srv := Server("interfaces-1", t0)
	require.NoError(t, s.RegisterServer(ctx, srv))

	due := Job("due", t0, "interfaces-1", "interfaces-2")
	dueEarlier := Job("due earlier", t0.Add(-time.Hour), "interfaces-1")
	notDue := Job("not due", t0.Add(time.Microsecond), "interfaces-1")
	inactive := Job("inactive", t0, "interfaces-1")
	inactive.Active = false
	elsewhere := Job("elsewhere", t0, "interfaces-2")
	unassigned := Job("unassigned", t0)
	otherKind := Job("other kind", t0, "interfaces-1")
	otherKind.Kind = "hl7-poll"
	for _, j := range []vetview.Job{due, dueEarlier, notDue, inactive, elsewhere, unassigned, otherKind} {
		require.NoError(t, s.CreateJob(ctx, j))
	}

	got := claim(t, s, srv, t0, 10)
	require.Equal(t, []string{"due earlier", "due"}, names(got), "due first")
	l := got[1].Lease
	require.NotNil(t, l)
	require.NotEmpty(t, l.Token)
	require.Equal(t, vetview.Lease{
		Token: l.Token, JobID: due.ID, ServerID: srv.ID, Server: "interfaces-1",
		ScheduledAt: t0, StartedAt: t0, Until: t0.Add(30 * time.Second),
	}, *l)
	require.Equal(t, []string{"interfaces-1", "interfaces-2"}, got[1].Servers)
	require.NotEqual(t, got[0].Lease.Token, got[1].Lease.Token, "each run has its own token")

	require.Empty(t, claim(t, s, srv, t0, 10), "leased jobs are not claimed again")

	runs, err := s.Runs(ctx, due.ID, 10)
	require.NoError(t, err)
	require.Equal(t, []vetview.Run{{
		ID: l.Token, JobID: due.ID, ServerID: srv.ID, Server: "interfaces-1",
		ScheduledAt: t0, StartedAt: t0,
	}}, runs, "the claim starts a run in the history")
}

func testNextDue(t *testing.T, s vetview.Store) {
	ctx := context.Background()
	next, err := s.NextDue(ctx, "interfaces-1", []string{"test"})
	require.NoError(t, err)
	require.True(t, next.IsZero(), "no job: zero time")

	inactive := Job("inactive", t0.Add(time.Second), "interfaces-1")
	inactive.Active = false
	otherKind := Job("other kind", t0.Add(2*time.Second), "interfaces-1")
	otherKind.Kind = "hl7-poll"
	leased := Job("leased", t0.Add(3*time.Second), "interfaces-1")
	for _, j := range []vetview.Job{
		inactive, otherKind, leased,
		Job("elsewhere", t0.Add(4*time.Second), "interfaces-2"),
		Job("later", t0.Add(6*time.Second), "interfaces-1"),
		Job("earliest claimable", t0.Add(5*time.Second), "interfaces-1", "interfaces-2"),
	} {
		require.NoError(t, s.CreateJob(ctx, j))
	}
	require.Len(t, claim(t, s, Server("interfaces-1", t0), t0.Add(3*time.Second), 1), 1, "leases the job due at 3 s")

	next, err = s.NextDue(ctx, "interfaces-1", []string{"test"})
	require.NoError(t, err)
	require.Equal(t, t0.Add(5*time.Second), next)
	next, err = s.NextDue(ctx, "interfaces-1", []string{"test", "hl7-poll"})
	require.NoError(t, err)
	require.Equal(t, t0.Add(2*time.Second), next)
	next, err = s.NextDue(ctx, "interfaces-1", nil)
	require.NoError(t, err)
	require.True(t, next.IsZero(), "no kinds: zero time")
}

func testClaimLimit(t *testing.T, s vetview.Store) {
	ctx := context.Background()
	srv := Server("a", t0)
	for i := range 5 {
		require.NoError(t, s.CreateJob(ctx, Job(fmt.Sprintf("job %d", i), t0.Add(-time.Duration(i)*time.Second), "a")))
	}
	require.Equal(t, []string{"job 4", "job 3"}, names(claim(t, s, srv, t0, 2)))
	require.Equal(t, []string{"job 2", "job 1"}, names(claim(t, s, srv, t0, 2)))
	require.Equal(t, []string{"job 0"}, names(claim(t, s, srv, t0, 2)))
	require.Empty(t, claim(t, s, srv, t0, 2))
}

func testLeaseLifecycle(t *testing.T, s vetview.Store) {
	ctx := context.Background()
	srv := Server("a", t0)
	j := Job("job", t0, "a")
	require.NoError(t, s.CreateJob(ctx, j))
	got := claim(t, s, srv, t0, 1)
	require.Len(t, got, 1)
	l := *got[0].Lease

	forged := l
	forged.Token = "not-the-token"
	require.ErrorIs(t, s.ExtendLease(ctx, forged, t0.Add(time.Minute)), vetview.ErrLeaseLost)
	require.NoError(t, s.ExtendLease(ctx, l, t0.Add(time.Minute)))
	require.Empty(t, claim(t, s, srv, t0.Add(45*time.Second), 1), "extended lease still held at 45 s")

	require.ErrorIs(t, s.FinishRun(ctx, forged, vetview.Finish{At: t0, NextRunAt: t0}), vetview.ErrLeaseLost)
	fin := vetview.Finish{At: t0.Add(50 * time.Second), Error: "lab system answered 503", NextRunAt: t0.Add(time.Minute), KeepRuns: 5}
	require.NoError(t, s.FinishRun(ctx, l, fin))
	require.ErrorIs(t, s.FinishRun(ctx, l, fin), vetview.ErrLeaseLost, "a run finishes once")
	require.ErrorIs(t, s.ExtendLease(ctx, l, t0.Add(2*time.Minute)), vetview.ErrLeaseLost)

	stored, err := s.Job(ctx, j.ID)
	require.NoError(t, err)
	require.Nil(t, stored.Lease)
	require.Equal(t, t0.Add(time.Minute), stored.NextRunAt)

	runs, err := s.Runs(ctx, j.ID, 10)
	require.NoError(t, err)
	require.Equal(t, []vetview.Run{{
		ID: l.Token, JobID: j.ID, ServerID: srv.ID, Server: "a", ScheduledAt: t0, StartedAt: t0,
		FinishedAt: t0.Add(50 * time.Second), Error: "lab system answered 503",
	}}, runs)

	require.Empty(t, claim(t, s, srv, t0.Add(59*time.Second), 1), "not due before NextRunAt")
	require.Len(t, claim(t, s, srv, t0.Add(time.Minute), 1), 1, "due at NextRunAt")
}

func testExpiredLease(t *testing.T, s vetview.Store) {
	ctx := context.Background()
	dead, alive := Server("a", t0), Server("b", t0)
	j := Job("job", t0, "a", "b")
	require.NoError(t, s.CreateJob(ctx, j))
	first := claim(t, s, dead, t0, 1)
	require.Len(t, first, 1)

	require.Empty(t, claim(t, s, alive, t0.Add(30*time.Second), 1), "a lease is held up to its Until")
	again := claim(t, s, alive, t0.Add(30*time.Second+time.Microsecond), 1)
	require.Len(t, again, 1, "an expired lease is claimed again")
	l := *again[0].Lease
	require.Equal(t, t0, l.ScheduledAt, "the same occurrence")
	require.Equal(t, alive.ID, l.ServerID)
	require.NotEqual(t, first[0].Lease.Token, l.Token)

	require.ErrorIs(t, s.FinishRun(ctx, *first[0].Lease, vetview.Finish{At: t0, NextRunAt: t0}), vetview.ErrLeaseLost,
		"the dead server's late outcome is refused")

	runs, err := s.Runs(ctx, j.ID, 10)
	require.NoError(t, err)
	require.Len(t, runs, 2)
	require.Equal(t, l.Token, runs[0].ID)
	require.False(t, runs[0].Finished())
	require.Equal(t, first[0].Lease.Token, runs[1].ID)
	require.Equal(t, t0.Add(30*time.Second+time.Microsecond), runs[1].FinishedAt, "closed by the claim that took over")
	require.Contains(t, runs[1].Error, "abandoned")
}

func testLiveLease(t *testing.T, s vetview.Store) {
	ctx := context.Background()
	slow, other := Server("a", t0), Server("b", t0)
	require.NoError(t, s.RegisterServer(ctx, slow))
	require.NoError(t, s.RegisterServer(ctx, other))
	j := Job("job", t0, "a", "b")
	require.NoError(t, s.CreateJob(ctx, j))
	claimAt := func(srv vetview.Server, now time.Time) []vetview.Job {
		t.Helper()
		jobs, err := s.Claim(ctx, vetview.ClaimRequest{
			ServerID: srv.ID, ServerName: srv.Name, Kinds: []string{"test"},
			Now: now, Until: now.Add(30 * time.Second), Limit: 1, HolderSilence: 15 * time.Second,
		})
		require.NoError(t, err)
		return jobs
	}
	first := claimAt(slow, t0)
	require.Len(t, first, 1)

	// The lease expires at 30 s, but its server still heartbeats: the
	// database was slow to extend it, the server is not dead.
	require.NoError(t, s.Heartbeat(ctx, slow.ID, t0.Add(40*time.Second)))
	require.Empty(t, claimAt(other, t0.Add(55*time.Second)), "expired lease of a server heartbeating 15 s ago")
	again := claimAt(other, t0.Add(55*time.Second+time.Microsecond))
	require.Len(t, again, 1, "taken over once its server is silent for HolderSilence")
	require.Equal(t, t0, again[0].Lease.ScheduledAt, "the same occurrence")
	require.ErrorIs(t, s.FinishRun(ctx, *first[0].Lease, vetview.Finish{At: t0, NextRunAt: t0}), vetview.ErrLeaseLost,
		"the presumed-dead server learns it lost the run before it records anything")

	runs, err := s.Runs(ctx, j.ID, 10)
	require.NoError(t, err)
	require.Len(t, runs, 2)
	require.Equal(t, first[0].Lease.Token, runs[0].RerunOf, "the re-run names the run it repeats")
	require.Equal(t, "run "+first[0].Lease.Token+" on a: "+runs[1].Error, runs[0].RerunReason)
	require.Contains(t, runs[1].Error, "abandoned: its lease expired and its server stopped heartbeating")
	require.Empty(t, runs[1].RerunOf, "the occurrence's first run")
}

func testHistoryBounded(t *testing.T, s vetview.Store) {
	ctx := context.Background()
	srv := Server("a", t0)
	j := Job("job", t0, "a")
	require.NoError(t, s.CreateJob(ctx, j))
	var tokens []string
	for i := range 5 {
		at := t0.Add(time.Duration(i) * time.Minute)
		got := claim(t, s, srv, at, 1)
		require.Len(t, got, 1, "run %d", i)
		tokens = append(tokens, got[0].Lease.Token)
		require.NoError(t, s.FinishRun(ctx, *got[0].Lease, vetview.Finish{
			At: at.Add(time.Second), NextRunAt: at.Add(time.Minute), KeepRuns: 3,
		}))
	}
	runs, err := s.Runs(ctx, j.ID, 10)
	require.NoError(t, err)
	require.Len(t, runs, 3)
	require.Equal(t, []string{tokens[4], tokens[3], tokens[2]}, []string{runs[0].ID, runs[1].ID, runs[2].ID})
	runs, err = s.Runs(ctx, j.ID, 1)
	require.NoError(t, err)
	require.Len(t, runs, 1)
	require.Equal(t, tokens[4], runs[0].ID)
}

func testConcurrentClaims(t *testing.T, s vetview.Store) {
	ctx := context.Background()
	const jobs, servers = 40, 4
	var srvs []vetview.Server
	var names []string
	for i := range servers {
		srv := Server(fmt.Sprintf("s%d", i), t0)
		srvs = append(srvs, srv)
		names = append(names, srv.Name)
	}
	for i := range jobs {
		require.NoError(t, s.CreateJob(ctx, Job(fmt.Sprintf("job %02d", i), t0, names...)))
	}
	var (
		mu     sync.Mutex
		counts = map[uuid.UUID]int{}
		wg     sync.WaitGroup
	)
	for _, srv := range srvs {
		wg.Go(func() {
			for range 20 {
				got, err := s.Claim(ctx, vetview.ClaimRequest{
					ServerID: srv.ID, ServerName: srv.Name, Kinds: []string{"test"},
					Now: t0, Until: t0.Add(time.Minute), Limit: 3,
				})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				for _, j := range got {
					counts[j.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	require.Len(t, counts, jobs, "every due job claimed")
	for id, n := range counts {
		require.Equal(t, 1, n, "job %s claimed %d times", id, n)
	}
}

// testClaimAhead: DueBy widens which runs are due, not which leases have
// expired: expiry is still judged at Now.
func testClaimAhead(t *testing.T, s vetview.Store) {
	ctx := context.Background()
	dead, srv := Server("a", t0.Add(-time.Hour)), Server("b", t0)
	require.NoError(t, s.RegisterServer(ctx, srv))
	for _, j := range []vetview.Job{
		Job("due-now", t0, "b"),
		Job("due-in-100ms", t0.Add(100*time.Millisecond), "b"),
		Job("due-in-300ms", t0.Add(300*time.Millisecond), "b"),
		Job("leased", t0.Add(-time.Minute), "a", "b"),
	} {
		require.NoError(t, s.CreateJob(ctx, j))
	}
	// The dead server's lease on "leased" expires 100 ms after t0.
	taken, err := s.Claim(ctx, vetview.ClaimRequest{ServerID: dead.ID, ServerName: "a", Kinds: []string{"test"},
		Now: t0.Add(-time.Minute), Until: t0.Add(100 * time.Millisecond), Limit: 1})
	require.NoError(t, err)
	require.Equal(t, []string{"leased"}, names(taken))

	ahead := func(now time.Time, dueBy time.Duration) []string {
		t.Helper()
		jobs, err := s.Claim(ctx, vetview.ClaimRequest{
			ServerID: srv.ID, ServerName: srv.Name, Kinds: []string{"test"},
			Now: now, DueBy: now.Add(dueBy), Until: now.Add(30 * time.Second), Limit: 10, HolderSilence: time.Second,
		})
		require.NoError(t, err)
		return names(jobs)
	}
	// At t0, 200 ms ahead: the run due now and the one due in 100 ms; not
	// the one due in 300 ms, nor the lease that expires in 100 ms.
	require.Equal(t, []string{"due-now", "due-in-100ms"}, ahead(t0, 200*time.Millisecond))
	jobs, err := s.Jobs(ctx)
	require.NoError(t, err)
	for _, j := range jobs {
		if j.Name == "due-in-100ms" {
			require.NotNil(t, j.Lease)
			require.Equal(t, t0.Add(100*time.Millisecond), j.Lease.ScheduledAt, "the occurrence claimed ahead")
			require.Equal(t, t0, j.Lease.StartedAt, "claimed at Now")
		}
	}
	// A DueBy before Now counts as Now.
	require.Empty(t, ahead(t0.Add(50*time.Millisecond), -time.Second))
	// Once the dead server's lease expired, it is taken over.
	require.Equal(t, []string{"leased", "due-in-300ms"}, ahead(t0.Add(200*time.Millisecond), 200*time.Millisecond))
}
