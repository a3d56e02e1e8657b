package vetview

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// storeTimeout bounds the store calls a stopping scheduler makes after its
// context is cancelled.
const storeTimeout = 10 * time.Second

// Run registers this process as a server, heartbeats, and runs the due
// jobs assigned to it by name until ctx is cancelled. It returns nil after
// a clean stop, or an error if the server could not register.
//
// Each due occurrence is claimed with a lease in the store, so of all the
// servers a job is assigned to, exactly one runs it; the lease is extended
// while the run goes on. If this process dies, another assigned server
// runs the occurrence again once its leases expired and it missed
// heartbeats for one and a half intervals (runs are at least once across
// crashes, exactly once otherwise; see the package doc). After
// a run, the job's next run is the next instant of its schedule after now:
// missed occurrences are skipped, never run in a burst.
//
// When ctx is cancelled, Run stops claiming, lets runs in progress finish
// for up to ShutdownTimeout, then cancels the rest and gives their
// occurrences back (due at once, for another server), and removes the
// server from the registry. No job is left Running by a clean stop.
func (s *Service) Run(ctx context.Context) error {
	if !s.running.CompareAndSwap(false, true) {
		return ErrAlreadyRunning
	}
	defer s.running.Store(false)

	now := time.Now().UTC()
	srv := Server{
		ID:                uuid.New(),
		Name:              s.cfg.ServerName,
		Host:              hostname(),
		PID:               os.Getpid(),
		Version:           s.cfg.Version,
		StartedAt:         now,
		HeartbeatAt:       now,
		HeartbeatInterval: s.cfg.HeartbeatInterval,
	}
	if err := s.store.RegisterServer(ctx, srv); err != nil {
		return fmt.Errorf("vetview: register server %s: %w", srv.Name, err)
	}
	log := s.log.With("server", srv.Name, "server_id", srv.ID)
	log.Info("vetview: server started", "heartbeat", s.cfg.HeartbeatInterval, "lease", s.cfg.LeaseDuration)

	// Runs get their own context: cancelling ctx stops claiming, not the
	// runs in progress, which get ShutdownTimeout to finish.
	runCtx, cancelRuns := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelRuns()
	sc := &scheduler{Service: s, srv: srv, log: log, runCtx: runCtx, stopping: ctx, freed: make(chan struct{}, 1)}
	// Heartbeats have their own goroutine, so that a slow claim never
	// delays them (a server that misses them has its runs taken over),
	// and go on until the runs in progress have ended or been given back.
	hbCtx, stopHeartbeats := context.WithCancel(context.WithoutCancel(ctx))
	hbDone := make(chan struct{})
	go func() { defer close(hbDone); sc.heartbeats(hbCtx) }()
	defer func() { stopHeartbeats(); <-hbDone }()
	sc.loop(ctx)

	log.Info("vetview: server stopping", "runs_in_progress", sc.inFlight.Load())
	done := make(chan struct{})
	go func() { sc.wg.Wait(); close(done) }()
	timer := time.NewTimer(s.cfg.ShutdownTimeout)
	select {
	case <-done:
		timer.Stop()
	case <-timer.C:
		log.Warn("vetview: shutdown timeout; cancelling runs in progress", "runs", sc.inFlight.Load())
		cancelRuns()
		<-done
	}
	stopHeartbeats()
	<-hbDone
	rmCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	if err := s.store.RemoveServer(rmCtx, srv.ID); err != nil {
		log.Error("vetview: remove server from registry", "err", err)
	}
	log.Info("vetview: server stopped")
	return nil
}

// scheduler is the state of one [Service.Run].
type scheduler struct {
	*Service
	srv      Server
	log      *slog.Logger
	runCtx   context.Context
	stopping context.Context // cancelled when the server is asked to stop
	wg       sync.WaitGroup
	inFlight atomic.Int64
	freed    chan struct{} // a run ended: a slot is free
	pastDue  bool          // the last look found a past due time and looked again at once
	claims   claimTimes    // how long recent claims took, for the adaptive ClaimAhead
}

// claimTimes remembers how long the latest claims took.
type claimTimes struct {
	mu   sync.Mutex
	took [16]time.Duration
	next int
}

func (c *claimTimes) add(d time.Duration) {
	c.mu.Lock()
	c.took[c.next%len(c.took)] = d
	c.next++
	c.mu.Unlock()
}

func (c *claimTimes) slowest() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Max(c.took[:])
}

// ahead is how long before a due time the scheduler claims (see
// Config.ClaimAhead).
func (sc *scheduler) ahead() time.Duration {
	switch a := sc.cfg.ClaimAhead; {
	case a < 0:
		return 0
	case a > 0:
		return a
	}
	return min(max(2*sc.claims.slowest(), MinClaimAhead), sc.cfg.LeaseDuration/4, sc.cfg.PollInterval/2)
}

// loop claims whenever a slot may have work: at start, when a run ends
// (a slot is free), at the earliest due time the store knows of, and at
// the latest PollInterval after the previous look (for jobs created,
// re-scheduled or made due by other processes since).
func (sc *scheduler) loop(ctx context.Context) {
	wake := time.NewTimer(0)
	defer wake.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-sc.freed:
		case <-wake.C:
		}
		looked := time.Now()
		// A full batch suggests more are due: look again at once.
		for sc.claim(ctx) {
		}
		wake.Reset(sc.untilNextLook(ctx, looked))
	}
}

// untilNextLook is how long the loop sleeps after a look at looked: until
// the earliest due run this server could take, at most PollInterval after
// the look. With every slot taken, a run's end wakes the loop instead.
func (sc *scheduler) untilNextLook(ctx context.Context, looked time.Time) time.Duration {
	wait := time.Until(looked.Add(sc.cfg.PollInterval))
	if ctx.Err() != nil || int(sc.inFlight.Load()) >= sc.cfg.MaxConcurrent {
		return max(wait, 0)
	}
	callCtx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	next, err := sc.store.NextDue(callCtx, sc.srv.Name, sc.kinds.names())
	if err != nil {
		if ctx.Err() == nil {
			sc.log.Error("vetview: read the next due run", "err", err)
		}
		return max(wait, 0)
	}
	// Wake early enough to claim the run before it is due.
	d := time.Until(next) - sc.ahead()
	switch {
	case next.IsZero():
	case d <= 0:
		// A due time already passed, of a run nobody holds: it fell due
		// while the claim was under way (the claim decides at the instant
		// it was asked). Look again at once, but once only: a run the
		// claim still cannot take is left to the poll, not spun on.
		if !sc.pastDue {
			sc.pastDue = true
			return 0
		}
	case d < wait:
		wait = d
	}
	if next.IsZero() || d > 0 {
		sc.pastDue = false
	}
	return max(wait, 0)
}

func (sc *scheduler) heartbeats(ctx context.Context) {
	tick := time.NewTicker(sc.cfg.HeartbeatInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			sc.heartbeat(ctx)
		}
	}
}

func (sc *scheduler) heartbeat(ctx context.Context) {
	err := sc.store.Heartbeat(ctx, sc.srv.ID, time.Now().UTC())
	if errors.Is(err, ErrServerNotFound) {
		// Deleted as stale while this process was hung or cut off: come
		// back under the same ID.
		sc.log.Warn("vetview: server was deleted from the registry; registering again")
		srv := sc.srv
		srv.HeartbeatAt = time.Now().UTC()
		err = sc.store.RegisterServer(ctx, srv)
	}
	if err != nil && ctx.Err() == nil {
		sc.log.Error("vetview: heartbeat", "err", err)
	}
}

// claim claims as many due runs as there are free slots and starts them.
// It reports whether it filled every slot it asked for.
func (sc *scheduler) claim(ctx context.Context) bool {
	free := sc.cfg.MaxConcurrent - int(sc.inFlight.Load())
	if free <= 0 || ctx.Err() != nil {
		return false
	}
	// A claim is not cut short by a shutdown: a claim cancelled after its
	// commit would leave leases that nobody runs until they expire.
	callCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	now := time.Now().UTC()
	jobs, err := sc.store.Claim(callCtx, ClaimRequest{
		ServerID:   sc.srv.ID,
		ServerName: sc.srv.Name,
		Kinds:      sc.kinds.names(),
		Now:        now,
		DueBy:      now.Add(sc.ahead()),
		Until:      now.Add(sc.cfg.LeaseDuration),
		Limit:      free,
		// A heartbeat missed by half an interval: the server is presumed
		// dead, and its expired leases are taken over.
		HolderSilence: holderSilence(sc.cfg.HeartbeatInterval),
	})
	if len(jobs) > 0 {
		// Only claims that took something: a look that finds nothing due
		// is a read, and says little of how long a claim's write takes.
		sc.claims.add(time.Since(now))
	}
	if err != nil {
		sc.log.Error("vetview: claim due runs", "err", err)
		return false
	}
	for _, j := range jobs {
		sc.inFlight.Add(1)
		sc.wg.Add(1)
		go sc.run(j)
	}
	return len(jobs) == free
}

// run does one claimed run: it extends the lease while the kind's function
// works, then records the outcome and the next run time.
func (sc *scheduler) run(j Job) {
	defer sc.wg.Done()
	// The slot is freed as soon as the kind's function returns: writing
	// the outcome is a database call, not work, and the next run due
	// should not wait for it. Every end frees it (the defer covers the
	// runs that never start) and wakes the loop, whatever the count was
	// (a slot freed while the loop was claiming must not wait for the
	// next poll).
	freed := false
	free := func() {
		if freed {
			return
		}
		freed = true
		sc.inFlight.Add(-1)
		select {
		case sc.freed <- struct{}{}:
		default:
		}
	}
	defer free()
	lease := *j.Lease
	log := sc.log.With("job", j.Name, "job_id", j.ID, "run", lease.Token)
	jobCtx, cancel := context.WithCancel(sc.runCtx)
	defer cancel()
	// A kind that runs until told to stop (a listener) is stopped with the
	// server, not after the shutdown timeout.
	var stoppedWithServer atomic.Bool
	if k, err := sc.kinds.lookup(j.Kind); err == nil && k.stopWithServer {
		unregister := context.AfterFunc(sc.stopping, func() { stoppedWithServer.Store(true); cancel() })
		defer unregister()
	}

	ev := RunEvent{Job: j, RunID: lease.Token, Server: sc.srv.Name, ScheduledAt: lease.ScheduledAt}
	// A run claimed ahead waits for its due time. The wait is shorter than
	// a quarter of the lease, which confirmLease then renews if need be.
	if wait := time.Until(lease.ScheduledAt); wait > 0 {
		timer := time.NewTimer(wait)
		select {
		case <-timer.C:
		case <-sc.runCtx.Done():
			timer.Stop()
		}
	}
	if err := sc.confirmLease(&lease); err != nil {
		ev.StartedAt = time.Now()
		ev.Lateness, ev.Err = ev.StartedAt.Sub(lease.ScheduledAt), err
		if errors.Is(err, ErrLeaseLost) {
			log.Warn("vetview: claim came back after its lease expired and another server took the run; skipped")
			ev.Outcome = OutcomeSkipped
			sc.cfg.Observer.RunFinished(ev)
			return
		}
		log.Error("vetview: could not confirm the lease; giving the run back", "err", err)
		sc.finish(log, lease, Finish{At: time.Now().UTC(), Error: "given back unstarted: " + err.Error(), NextRunAt: lease.ScheduledAt, KeepRuns: sc.cfg.History})
		ev.Outcome = OutcomeGivenBack
		sc.cfg.Observer.RunFinished(ev)
		return
	}
	stopExtending := make(chan struct{})
	extended := make(chan struct{})
	go func() {
		defer close(extended)
		tick := time.NewTicker(sc.cfg.LeaseDuration / 3)
		defer tick.Stop()
		for {
			select {
			case <-stopExtending:
				return
			case <-tick.C:
				ctx, cancelCall := context.WithTimeout(context.Background(), sc.cfg.LeaseDuration)
				err := sc.store.ExtendLease(ctx, lease, time.Now().UTC().Add(sc.cfg.LeaseDuration))
				cancelCall()
				if errors.Is(err, ErrLeaseLost) {
					// Another server runs the occurrence: stop this run.
					cancel()
					return
				}
				if err != nil {
					log.Warn("vetview: extend lease", "err", err)
				}
			}
		}
	}()

	log.Debug("vetview: run started", "scheduled_at", lease.ScheduledAt)
	ev.StartedAt = time.Now()
	ev.Lateness = ev.StartedAt.Sub(lease.ScheduledAt)
	sc.cfg.Observer.RunStarted(ev)
	runErr := sc.execute(jobCtx, j, lease)
	free()

	now := time.Now().UTC()
	ev.Duration, ev.Err, ev.Outcome = time.Since(ev.StartedAt), runErr, OutcomeOK
	f := Finish{At: now, KeepRuns: sc.cfg.History, NextRunAt: j.Schedule.Next(lease.ScheduledAt, now)}
	if runErr != nil {
		f.Error = runErr.Error()
		ev.Outcome = OutcomeFailed
		if sc.runCtx.Err() != nil {
			// Cancelled by a shutdown: give the occurrence back, due now.
			f.Error = "given back unfinished, server stopping: " + f.Error
			f.NextRunAt = lease.ScheduledAt
			ev.Outcome = OutcomeGivenBack
		}
		log.Warn("vetview: run failed", "err", runErr)
	} else {
		log.Debug("vetview: run finished", "next_run_at", f.NextRunAt)
	}
	if stoppedWithServer.Load() && ev.Outcome != OutcomeGivenBack {
		// Stopped with its server: give the occurrence back, due now, for
		// another server to take over at once.
		f.Error = "given back, stopped with its server"
		if runErr != nil {
			f.Error += ": " + runErr.Error()
		}
		f.NextRunAt = lease.ScheduledAt
		ev.Outcome = OutcomeGivenBack
	}
	// The lease is extended until the outcome is written: a slow write
	// must not let the lease lapse and another server run the occurrence
	// again.
	err := sc.finish(log, lease, f)
	// A live server's lease is never taken over, so an outcome that could
	// not be written must be written later: until then the job waits.
	// After a shutdown's timeout the run gives up; once this server has
	// left the registry another server takes the occurrence over.
	for wait := time.Second; err != nil && !errors.Is(err, ErrLeaseLost) && sc.runCtx.Err() == nil; wait = min(2*wait, sc.cfg.HeartbeatInterval) {
		select {
		case <-time.After(wait):
		case <-sc.runCtx.Done():
		}
		err = sc.finish(log, lease, f)
	}
	close(stopExtending)
	<-extended
	if errors.Is(err, ErrLeaseLost) {
		log.Error("vetview: run lost its lease; its outcome is not recorded", "run_err", runErr)
		ev.Outcome = OutcomeLeaseLost
	}
	sc.cfg.Observer.RunFinished(ev)
	if ev.Outcome == OutcomeOK || ev.Outcome == OutcomeFailed {
		if n := missedBetween(j.Schedule, lease.ScheduledAt, f.NextRunAt); n > 0 {
			sc.cfg.Observer.OccurrencesMissed(j, n)
		}
	}
}

func (sc *scheduler) finish(log *slog.Logger, lease Lease, f Finish) error {
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	err := sc.store.FinishRun(ctx, lease, f)
	if err != nil && !errors.Is(err, ErrLeaseLost) {
		log.Error("vetview: record run outcome", "err", err)
	}
	return err
}

// confirmLease makes sure the run starts with at least half a lease
// duration ahead of it. A claim computes its lease's expiry before it is
// sent; if the database made it wait (SQLite's single writer under load),
// the lease may come back nearly or already expired, and another server
// may be claiming the same run. Extending the lease settles it: the
// extension is conditional on this claim's token, so it succeeds only if
// no other server has claimed the run since, and then no other server can.
func (sc *scheduler) confirmLease(l *Lease) error {
	for range 3 {
		if time.Until(l.Until) > sc.cfg.LeaseDuration/2 {
			return nil
		}
		until := time.Now().UTC().Add(sc.cfg.LeaseDuration)
		ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
		err := sc.store.ExtendLease(ctx, *l, until)
		cancel()
		if err != nil {
			return err
		}
		l.Until = until
	}
	if time.Until(l.Until) > 0 {
		return nil
	}
	return fmt.Errorf("vetview: the database answers slower than the lease duration %s", sc.cfg.LeaseDuration)
}

// execute runs the job's kind, turning a panic into an error.
func (sc *scheduler) execute(ctx context.Context, j Job, lease Lease) (err error) {
	k, err := sc.kinds.lookup(j.Kind)
	if err != nil {
		return err
	}
	settings, err := k.decode(j.Settings)
	if err != nil {
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("vetview: job kind %s panicked: %v", j.Kind, p)
		}
	}()
	return k.run(ctx, RunInfo{RunID: lease.Token, Job: j, Server: sc.srv.Name, ScheduledAt: lease.ScheduledAt, StartedAt: lease.StartedAt}, settings)
}

// holderSilence is how long a server must have missed heartbeats before
// another server takes over its expired leases: one and a half heartbeat
// intervals, so a dead server's runs move within two intervals (plus a
// poll), and a live one is passed over only if a heartbeat is half an
// interval late.
func holderSilence(heartbeat time.Duration) time.Duration { return heartbeat * 3 / 2 }

func hostname() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "localhost"
	}
	return h
}
