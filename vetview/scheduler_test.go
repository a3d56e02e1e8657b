package vetview_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
	"github.com/vetlink/vetlink/vetview"
)

// The scheduler tests run in a testing/synctest bubble: time is virtual and
// jumps ahead whenever every goroutine waits, so minutes of schedule pass in
// milliseconds, and database calls (real SQLite) take no virtual time.

// workSettings are the settings of the test kind "work".
type workSettings struct {
	// Work is how long a run takes, in milliseconds; it ends early if its
	// context is cancelled.
	WorkMS int `json:"work_ms"`
}

// execution is one run of the kind "work", as the kind saw it.
type execution struct {
	job, server        string
	scheduled, started time.Time
	ended              time.Time
	cancelled          bool
}

// recorder registers the kind "work" and records its runs.
type recorder struct {
	mu   sync.Mutex
	runs []execution
}

func (r *recorder) kinds(t testing.TB) *vetview.Registry {
	var kinds vetview.Registry
	vetview.MustRegister(&kinds, vetview.Kind[workSettings]{
		Name: "work",
		Run: func(ctx context.Context, run vetview.RunInfo, s workSettings) error {
			e := execution{job: run.Job.Name, server: run.Server, scheduled: run.ScheduledAt, started: time.Now().UTC()}
			var err error
			select {
			case <-time.After(time.Duration(s.WorkMS) * time.Millisecond):
			case <-ctx.Done():
				e.cancelled, err = true, ctx.Err()
			}
			e.ended = time.Now().UTC()
			r.mu.Lock()
			r.runs = append(r.runs, e)
			r.mu.Unlock()
			return err
		},
	})
	return &kinds
}

func (r *recorder) snapshot() []execution {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]execution(nil), r.runs...)
}

// bundle is what a scheduler test works with.
type bundle struct {
	db    *store.DB
	store vetview.Store
	rec   *recorder
	kinds *vetview.Registry
	t0    time.Time // virtual start of the test
}

func setup(t *testing.T) *bundle {
	db := storetest.SQLite(t)
	rec := &recorder{}
	return &bundle{db: db, store: db.Vetview(), rec: rec, kinds: rec.kinds(t), t0: time.Now().UTC()}
}

func (b *bundle) service(t *testing.T, name string, st vetview.Store) *vetview.Service {
	t.Helper()
	if st == nil {
		st = b.store
	}
	svc, err := vetview.New(vetview.Config{
		Store: st, Kinds: b.kinds, ServerName: name, Version: "test",
		HeartbeatInterval: 10 * time.Second, PollInterval: time.Second,
		ShutdownTimeout: 30 * time.Second,
	})
	require.NoError(t, err)
	return svc
}

// start runs svc's scheduler until the returned stop is called; stop waits
// for Run to return.
func start(t *testing.T, svc *vetview.Service) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	synctest.Wait() // registered, first poll done
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			require.NoError(t, <-done)
		})
	}
	t.Cleanup(stop)
	return stop
}

func (b *bundle) job(t *testing.T, svc *vetview.Service, name string, every time.Duration, workMS int, servers ...string) vetview.Job {
	t.Helper()
	j, err := svc.CreateJob(context.Background(), vetview.JobSpec{
		Name: name, Kind: "work", Settings: []byte(`{"work_ms":` + itoa(workMS) + `}`),
		Schedule: vetview.Every(every), Servers: servers, Active: true,
	})
	require.NoError(t, err)
	return j
}

func itoa(n int) string {
	var b []byte
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
		if n == 0 {
			return string(b)
		}
	}
}

// offsets returns each time as its distance from t0.
func offsets(t0 time.Time, ts ...time.Time) []time.Duration {
	out := make([]time.Duration, len(ts))
	for i, ts := range ts {
		out[i] = ts.Sub(t0)
	}
	return out
}

func TestSchedulerRunsOnTheGrid(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := setup(t)
		svc := b.service(t, "interfaces-1", nil)
		b.job(t, svc, "poll", time.Minute, 2500, "interfaces-1")
		stop := start(t, svc)
		time.Sleep(5*time.Minute + 30*time.Second)
		stop()

		var scheduled, started []time.Time
		for _, e := range b.rec.snapshot() {
			scheduled, started = append(scheduled, e.scheduled), append(started, e.started)
		}
		want := []time.Duration{time.Minute, 2 * time.Minute, 3 * time.Minute, 4 * time.Minute, 5 * time.Minute}
		require.Equal(t, want, offsets(b.t0, scheduled...), "on the grid, whatever each run's duration")
		require.Equal(t, want, offsets(b.t0, started...), "a poll falls on each due time")
	})
}

func TestSchedulerSkipsOccurrencesMissedWhileDown(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := setup(t)
		svc := b.service(t, "interfaces-1", nil)
		b.job(t, svc, "poll", time.Minute, 0, "interfaces-1")
		stop := start(t, svc)
		time.Sleep(90 * time.Second) // runs at 1m
		stop()
		time.Sleep(10 * time.Minute) // down: nine occurrences pass
		stop = start(t, svc)         // at 11m30s
		time.Sleep(45 * time.Second)
		stop()

		var scheduled, started []time.Time
		for _, e := range b.rec.snapshot() {
			scheduled, started = append(scheduled, e.scheduled), append(started, e.started)
		}
		require.Equal(t, []time.Duration{time.Minute, 2 * time.Minute, 12 * time.Minute}, offsets(b.t0, scheduled...),
			"one late run for the missed occurrences, then back on the grid")
		require.Equal(t, []time.Duration{time.Minute, 11*time.Minute + 30*time.Second, 12 * time.Minute}, offsets(b.t0, started...))
	})
}

func TestSchedulerExtendsLeaseOfLongRuns(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := setup(t)
		a := b.service(t, "a", nil)
		j := b.job(t, a, "long report", time.Minute, 45_000, "a", "b") // 45 s runs, 10 s leases
		start(t, a)
		start(t, b.service(t, "b", nil))

		time.Sleep(time.Minute + 40*time.Second)
		st, err := a.Status(context.Background(), j.ID)
		require.NoError(t, err)
		require.Equal(t, vetview.Running, st.State, "lease still held 40 s into the run")
		require.True(t, st.NextRunAt.IsZero())
		require.Contains(t, []string{"a", "b"}, st.Server)

		time.Sleep(2*time.Minute + 10*time.Second) // to 3m50s
		runs := b.rec.snapshot()
		require.Len(t, runs, 3, "one run per occurrence: 1m, 2m, 3m")
		for i, e := range runs {
			require.Equal(t, time.Duration(i+1)*time.Minute, e.scheduled.Sub(b.t0))
			require.False(t, e.cancelled)
		}
		history, err := b.store.Runs(context.Background(), j.ID, 10)
		require.NoError(t, err)
		require.Len(t, history, 3)
		for _, r := range history {
			require.Empty(t, r.Error)
		}
	})
}

func TestSchedulerStopGivesBackUnfinishedRuns(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := setup(t)
		a := b.service(t, "a", nil)
		j := b.job(t, a, "stuck", time.Minute, 3_600_000, "a", "b") // an hour-long run
		stopA := start(t, a)
		time.Sleep(time.Minute + time.Second)

		stopped := time.Now()
		stopA()
		require.Equal(t, 30*time.Second, time.Since(stopped), "the run had ShutdownTimeout to finish")

		ctx := context.Background()
		st, err := a.Status(ctx, j.ID)
		require.NoError(t, err)
		require.Equal(t, vetview.NotRunning, st.State, "no server left")
		require.Equal(t, "given back unfinished, server stopping: context canceled", st.LastError)
		stored, err := b.store.Job(ctx, j.ID)
		require.NoError(t, err)
		require.Nil(t, stored.Lease, "lease released")
		require.Equal(t, time.Minute, stored.NextRunAt.Sub(b.t0), "the occurrence is due again")
		servers, err := a.Servers(ctx)
		require.NoError(t, err)
		require.Empty(t, servers, "a clean stop leaves the registry")

		start(t, b.service(t, "b", nil))
		runs := b.rec.snapshot()
		require.Len(t, runs, 1)
		st, err = a.Status(ctx, j.ID)
		require.NoError(t, err)
		require.Equal(t, vetview.Running, st.State)
		require.Equal(t, "b", st.Server, "the other server took the occurrence at once")
	})
}

func TestSchedulerTakesOverFromCrashedServer(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := setup(t)
		severA, severB := &severable{Store: b.store}, &severable{Store: b.store}
		a, bsvc := b.service(t, "a", severA), b.service(t, "b", severB)
		j := b.job(t, a, "poll", time.Minute, 20_000, "a", "b")
		start(t, a)
		start(t, bsvc)

		time.Sleep(time.Minute + 5*time.Second)
		ctx := context.Background()
		st, err := a.Status(ctx, j.ID)
		require.NoError(t, err)
		require.Equal(t, vetview.Running, st.State)
		crashed, survivor := severA, "b"
		if st.Server == "b" {
			crashed, survivor = severB, "a"
		}
		crashedAt := time.Now()
		crashed.cut.Store(true) // the process is gone, as far as the database can tell

		time.Sleep(30 * time.Second)
		history, err := b.store.Runs(ctx, j.ID, 10)
		require.NoError(t, err)
		require.Len(t, history, 2)
		takeover, abandoned := history[0], history[1]
		require.Equal(t, survivor, takeover.Server)
		require.Equal(t, b.t0.Add(time.Minute), takeover.ScheduledAt, "the crashed run's occurrence runs again")
		require.LessOrEqual(t, takeover.StartedAt.Sub(crashedAt), 20*time.Second, "within two heartbeat intervals")
		require.Contains(t, abandoned.Error, "abandoned: its lease expired")
		require.Equal(t, takeover.StartedAt, abandoned.FinishedAt)
	})
}

func TestServiceServersAndStaleness(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := setup(t)
		ctx := context.Background()
		svc := b.service(t, "interfaces-1", nil)
		ghost := vetview.Server{
			ID: uuid.New(), Name: "interfaces-2", Host: "gone", PID: 1, Version: "old",
			StartedAt: b.t0.Add(-time.Hour), HeartbeatAt: b.t0, HeartbeatInterval: 10 * time.Second,
		}
		require.NoError(t, b.store.RegisterServer(ctx, ghost))
		onLive := b.job(t, svc, "on live", time.Minute, 0, "interfaces-1")
		onGhost := b.job(t, svc, "on ghost", time.Minute, 0, "interfaces-2")
		start(t, svc)

		time.Sleep(25 * time.Second)
		servers, err := svc.Servers(ctx)
		require.NoError(t, err)
		require.Len(t, servers, 2)
		require.Equal(t, "interfaces-1", servers[0].Name)
		require.False(t, servers[0].Stale)
		require.Equal(t, 20*time.Second, servers[0].HeartbeatAt.Sub(b.t0), "heartbeats every 10 s")
		require.False(t, servers[1].Stale, "25 s after its heartbeat: not yet stale")

		st, err := svc.Status(ctx, onGhost.ID)
		require.NoError(t, err)
		require.Equal(t, vetview.Waiting, st.State)

		time.Sleep(6 * time.Second) // 31 s
		servers, err = svc.Servers(ctx)
		require.NoError(t, err)
		require.True(t, servers[1].Stale, "three heartbeat intervals missed")
		st, err = svc.Status(ctx, onGhost.ID)
		require.NoError(t, err)
		require.Equal(t, vetview.NotRunning, st.State)
		require.True(t, st.NextRunAt.IsZero())
		st, err = svc.Status(ctx, onLive.ID)
		require.NoError(t, err)
		require.Equal(t, vetview.Waiting, st.State)
		require.Equal(t, time.Minute, st.NextRunAt.Sub(b.t0))

		require.ErrorIs(t, svc.DeleteStaleServer(ctx, servers[0].ID), vetview.ErrServerLive)
		require.NoError(t, svc.DeleteStaleServer(ctx, ghost.ID))
		require.ErrorIs(t, svc.DeleteStaleServer(ctx, ghost.ID), vetview.ErrServerNotFound)
		servers, err = svc.Servers(ctx)
		require.NoError(t, err)
		require.Len(t, servers, 1)
	})
}

func TestServiceRunNow(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := setup(t)
		ctx := context.Background()
		svc := b.service(t, "a", nil)
		j := b.job(t, svc, "hourly", time.Hour, 0, "a")
		start(t, svc)
		time.Sleep(10 * time.Minute)
		require.NoError(t, svc.RunNow(ctx, j.ID))
		time.Sleep(2 * time.Second)

		runs := b.rec.snapshot()
		require.Len(t, runs, 1)
		require.Equal(t, 10*time.Minute, runs[0].scheduled.Sub(b.t0))
		stored, err := svc.Job(ctx, j.ID)
		require.NoError(t, err)
		require.Equal(t, 70*time.Minute, stored.NextRunAt.Sub(b.t0), "the grid restarts at the manual run")

		off, err := svc.UpdateJob(ctx, j.ID, vetview.JobSpec{Name: j.Name, Kind: j.Kind, Settings: j.Settings, Schedule: j.Schedule, Servers: j.Servers})
		require.NoError(t, err)
		require.ErrorIs(t, svc.RunNow(ctx, off.ID), vetview.ErrJobInactive)
		require.ErrorIs(t, svc.RunNow(ctx, uuid.New()), vetview.ErrJobNotFound)
	})
}

func TestRunTwiceFails(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := setup(t)
		svc := b.service(t, "a", nil)
		start(t, svc)
		require.ErrorIs(t, svc.Run(context.Background()), vetview.ErrAlreadyRunning)
	})
}

// severable cuts a server off from the database: once cut, every call
// fails, as it would for a process that died or lost its network.
type severable struct {
	vetview.Store
	cut atomic.Bool

	mu      sync.Mutex
	refused map[string]bool // tokens of runs whose outcome the cut lost
	lost    map[string]bool // tokens of runs that finished after losing their lease
}

func (s *severable) refusedFinishes() map[string]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.refused)
}

var errSevered = errors.New("test: connection to the database lost")

func (s *severable) check() error {
	if s.cut.Load() {
		return errSevered
	}
	return nil
}

func (s *severable) Heartbeat(ctx context.Context, id uuid.UUID, at time.Time) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.Store.Heartbeat(ctx, id, at)
}

func (s *severable) RemoveServer(ctx context.Context, id uuid.UUID) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.Store.RemoveServer(ctx, id)
}

func (s *severable) Claim(ctx context.Context, c vetview.ClaimRequest) ([]vetview.Job, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	return s.Store.Claim(ctx, c)
}

func (s *severable) ExtendLease(ctx context.Context, l vetview.Lease, until time.Time) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.Store.ExtendLease(ctx, l, until)
}

func (s *severable) FinishRun(ctx context.Context, l vetview.Lease, f vetview.Finish) error {
	if err := s.check(); err != nil {
		s.mu.Lock()
		if s.refused == nil {
			s.refused = map[string]bool{}
		}
		s.refused[l.Token] = true
		s.mu.Unlock()
		return err
	}
	err := s.Store.FinishRun(ctx, l, f)
	if errors.Is(err, vetview.ErrLeaseLost) {
		s.mu.Lock()
		if s.lost == nil {
			s.lost = map[string]bool{}
		}
		s.lost[l.Token] = true
		s.mu.Unlock()
	}
	return err
}

func (s *severable) lostFinishes() map[string]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.lost)
}

// TestSchedulerStartsRunsWithoutWaitingForAPoll holds the lateness bound
// of the package doc: with a poll interval of an hour, runs start at their
// due time when a slot is free, and the moment a slot frees otherwise.
func TestSchedulerStartsRunsWithoutWaitingForAPoll(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := setup(t)
		svc, err := vetview.New(vetview.Config{
			Store: b.store, Kinds: b.kinds, ServerName: "interfaces-1",
			HeartbeatInterval: 10 * time.Second, PollInterval: time.Hour, MaxConcurrent: 2,
		})
		require.NoError(t, err)
		for _, name := range []string{"a", "b", "c", "d"} {
			b.job(t, svc, name, 10*time.Second, 4000, "interfaces-1") // due at 10s, 20s, 30s
		}
		stop := start(t, svc)
		time.Sleep(36 * time.Second)
		stop()

		var started []time.Duration
		for _, e := range b.rec.snapshot() {
			started = append(started, e.started.Sub(b.t0))
		}
		slices.Sort(started)
		s := time.Second
		require.Equal(t, []time.Duration{
			10 * s, 10 * s, 14 * s, 14 * s, // two slots: two at the due time, two as the first two end
			20 * s, 20 * s, 24 * s, 24 * s,
			30 * s, 30 * s, 34 * s, 34 * s,
		}, started)
	})
}

// TestSchedulerWakesAtTheNextDueTime: a job created before the scheduler
// starts, and every run after, starts on its grid although the poll
// interval is longer than the schedule.
func TestSchedulerWakesAtTheNextDueTime(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := setup(t)
		svc, err := vetview.New(vetview.Config{
			Store: b.store, Kinds: b.kinds, ServerName: "interfaces-1",
			HeartbeatInterval: 10 * time.Second, PollInterval: time.Hour,
		})
		require.NoError(t, err)
		b.job(t, svc, "lab poll", 7*time.Second, 50, "interfaces-1")
		stop := start(t, svc)
		time.Sleep(30 * time.Second)
		stop()

		var scheduled, started []time.Duration
		for _, e := range b.rec.snapshot() {
			scheduled, started = append(scheduled, e.scheduled.Sub(b.t0)), append(started, e.started.Sub(b.t0))
		}
		s := time.Second
		require.Equal(t, []time.Duration{7 * s, 14 * s, 21 * s, 28 * s}, scheduled)
		require.Equal(t, scheduled, started, "no lateness on the virtual clock")
	})
}

// slowLeases is a database that takes 25 s (two and a half leases) to
// write anything about a lease, while heartbeats stay quick: issue 12's
// overloaded database. It answers late even if the caller gave up.
type slowLeases struct{ vetview.Store }

func (s slowLeases) ExtendLease(ctx context.Context, l vetview.Lease, until time.Time) error {
	time.Sleep(25 * time.Second)
	return s.Store.ExtendLease(context.WithoutCancel(ctx), l, until)
}

func (s slowLeases) FinishRun(ctx context.Context, l vetview.Lease, f vetview.Finish) error {
	time.Sleep(25 * time.Second)
	return s.Store.FinishRun(context.WithoutCancel(ctx), l, f)
}

// TestSchedulerNeverRerunsALiveServersOccurrence: a lease that expires
// because the database is slow is not taken over while its server
// heartbeats; each occurrence runs once and its outcome is recorded.
func TestSchedulerNeverRerunsALiveServersOccurrence(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := setup(t)
		a := b.service(t, "a", slowLeases{b.store})
		j := b.job(t, a, "reminders", time.Minute, 1000, "a", "b")
		start(t, a)
		start(t, b.service(t, "b", slowLeases{b.store}))
		time.Sleep(3*time.Minute + 50*time.Second)

		var scheduled []time.Duration
		for _, e := range b.rec.snapshot() {
			scheduled = append(scheduled, e.scheduled.Sub(b.t0))
		}
		require.Equal(t, []time.Duration{time.Minute, 2 * time.Minute, 3 * time.Minute}, scheduled, "each occurrence once")
		history, err := b.store.Runs(context.Background(), j.ID, 10)
		require.NoError(t, err)
		require.Len(t, history, 3)
		for _, r := range history {
			require.Empty(t, r.Error, "every outcome recorded")
			require.Empty(t, r.RerunOf)
		}
	})
}

// slowClaims is a database that takes 5 s to answer a claim, deciding
// what is due at the instant the claim was asked (as a real database
// would from the request's Now).
type slowClaims struct{ vetview.Store }

func (s slowClaims) Claim(ctx context.Context, r vetview.ClaimRequest) ([]vetview.Job, error) {
	time.Sleep(5 * time.Second)
	return s.Store.Claim(ctx, r)
}

// TestSchedulerClaimsWhatFellDueDuringAClaim: a run that falls due while
// a claim is under way (job b, due at 12 s, while the claim asked at 10 s
// answers at 15 s) is claimed at once, not at the next poll an hour later.
func TestSchedulerClaimsWhatFellDueDuringAClaim(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := setup(t)
		svc, err := vetview.New(vetview.Config{
			Store: slowClaims{b.store}, Kinds: b.kinds, ServerName: "interfaces-1",
			HeartbeatInterval: 10 * time.Second, PollInterval: time.Hour,
		})
		require.NoError(t, err)
		// a works long enough that no run's end wakes the scheduler.
		b.job(t, svc, "a", 10*time.Second, 30000, "interfaces-1")
		b.job(t, svc, "b", 12*time.Second, 50, "interfaces-1")
		stop := start(t, svc)
		time.Sleep(21 * time.Second)
		stop()

		started := map[string]time.Duration{}
		for _, e := range b.rec.snapshot() {
			if _, ok := started[e.job]; !ok {
				started[e.job] = e.started.Sub(b.t0)
			}
		}
		s, ahead := time.Second, vetview.MinClaimAhead
		require.Equal(t, map[string]time.Duration{
			"a": 15*s - ahead, // asked MinClaimAhead before 10 s (no claim timed yet), answered 5 s later
			"b": 20*s - ahead, // due at 12 s, seen past due when that claim answered, asked again at once
		}, started)
	})
}

// delayedClaims is a store whose claims take d (virtual time).
type delayedClaims struct {
	vetview.Store
	d time.Duration
}

func (s delayedClaims) Claim(ctx context.Context, r vetview.ClaimRequest) ([]vetview.Job, error) {
	time.Sleep(s.d)
	return s.Store.Claim(ctx, r)
}

// TestSchedulerClaimsAheadOfTheDueTime: with claims that take 200 ms,
// the adaptive ClaimAhead learns it from the first claim and claims the
// later occurrences early enough that they start on time; with ClaimAhead
// off, every run starts the claim's 200 ms late.
func TestSchedulerClaimsAheadOfTheDueTime(t *testing.T) {
	t.Parallel()
	const claim = 200 * time.Millisecond
	tests := []struct {
		name       string
		claimAhead time.Duration
		// first is the first run's lateness, later every later run's.
		first, later time.Duration
	}{
		// The first claim is asked MinClaimAhead before the due time and
		// answers 200 ms later; from then on claims are asked 400 ms ahead.
		{"adaptive", 0, claim - vetview.MinClaimAhead, 0},
		{"fixed 300 ms", 300 * time.Millisecond, 0, 0},
		{"off", -1, claim, claim},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				b := setup(t)
				svc, err := vetview.New(vetview.Config{
					Store: delayedClaims{b.store, claim}, Kinds: b.kinds, ServerName: "interfaces-1",
					HeartbeatInterval: 10 * time.Second, PollInterval: time.Second, ClaimAhead: tt.claimAhead,
				})
				require.NoError(t, err)
				b.job(t, svc, "a", 5*time.Second, 50, "interfaces-1")
				start(t, svc)
				time.Sleep(31 * time.Second)

				runs := b.rec.snapshot()
				require.GreaterOrEqual(t, len(runs), 5)
				for i, e := range runs {
					want := tt.later
					if i == 0 {
						want = tt.first
					}
					require.Equal(t, want, e.started.Sub(e.scheduled), "run %d, due at %s", i, e.scheduled.Sub(b.t0))
				}
			})
		})
	}
}

// TestSchedulerStopsAListenerWithTheServer: a kind that runs until told
// to stop (StopWithServer) is cancelled as soon as its server stops, not
// after ShutdownTimeout, and its occurrence is given back for another
// server to take over at once.
func TestSchedulerStopsAListenerWithTheServer(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := setup(t)
		var listened atomic.Int32
		kinds := b.kinds
		vetview.MustRegister(kinds, vetview.Kind[struct{}]{
			Name: "listen", StopWithServer: true,
			Run: func(ctx context.Context, _ vetview.RunInfo, _ struct{}) error {
				listened.Add(1)
				<-ctx.Done() // listens until stopped
				return nil
			},
		})
		a := b.service(t, "a", nil)
		ctx := context.Background()
		j, err := a.CreateJob(ctx, vetview.JobSpec{Name: "lab-listener", Kind: "listen", Schedule: vetview.Every(10 * time.Minute),
			Servers: []string{"a", "b"}, Active: true})
		require.NoError(t, err)
		stopA := start(t, a)
		time.Sleep(10*time.Minute + time.Second)
		require.EqualValues(t, 1, listened.Load())

		stopped := time.Now()
		stopA()
		require.Less(t, time.Since(stopped), time.Second, "stopped with the server, not after ShutdownTimeout")

		st, err := a.Status(ctx, j.ID)
		require.NoError(t, err)
		require.Equal(t, "given back, stopped with its server", st.LastError)
		stored, err := b.store.Job(ctx, j.ID)
		require.NoError(t, err)
		require.Equal(t, 10*time.Minute, stored.NextRunAt.Sub(b.t0), "the occurrence is due again")

		start(t, b.service(t, "b", nil))
		require.EqualValues(t, 2, listened.Load(), "the other server listens at once")
		st, err = a.Status(ctx, j.ID)
		require.NoError(t, err)
		require.Equal(t, "b", st.Server)
	})
}
