package vetview

import (
	"time"
)

// Observer is told what the scheduler does, for metrics and traces. Set it
// in [Config.Observer]; nil observes nothing. vetview imports no telemetry
// library: a program adapts these calls to its own.
//
// The methods are called synchronously on the scheduler's goroutines, one
// run's calls in order (RunStarted, then RunFinished), different runs'
// concurrently: they must be safe for concurrent use and return quickly.
// A server's liveness is not pushed: poll [Service.Servers] (its Stale
// field) when a gauge is read.
type Observer interface {
	// RunStarted is called when a claimed run starts its kind's function.
	RunStarted(e RunEvent)
	// RunFinished is called when a run has ended and its outcome was
	// recorded (or could not be), with Duration and Outcome set. It is
	// also called for a claim that is not run ([OutcomeSkipped],
	// [OutcomeGivenBack] before start), without a RunStarted before it.
	RunFinished(e RunEvent)
	// OccurrencesMissed is called when a finished run's next run time
	// skips occurrences of the job's schedule that came due while it ran
	// or while no server ran the job (the scheduler never runs them in a
	// burst): n is how many were skipped.
	OccurrencesMissed(j Job, n int)
}

// Outcome is how a run ended.
type Outcome string

// The outcomes of a run.
const (
	// OutcomeOK: the kind's function returned nil.
	OutcomeOK Outcome = "ok"
	// OutcomeFailed: the kind's function returned an error (or panicked).
	OutcomeFailed Outcome = "failed"
	// OutcomeGivenBack: the run was cancelled by a shutdown or could not
	// start, and its occurrence was handed back, due at once.
	OutcomeGivenBack Outcome = "given_back"
	// OutcomeLeaseLost: another server took the occurrence over; this
	// run's outcome is not recorded.
	OutcomeLeaseLost Outcome = "lease_lost"
	// OutcomeSkipped: the claim came back after its lease had expired and
	// another server had claimed the run; nothing ran here.
	OutcomeSkipped Outcome = "skipped"
)

// RunEvent describes one run of a job for an [Observer].
type RunEvent struct {
	Job    Job    // the job as configured when the run was claimed
	RunID  string // the lease token
	Server string // this server's name
	// ScheduledAt is the occurrence the run is for; StartedAt when the run
	// started here.
	ScheduledAt time.Time
	StartedAt   time.Time
	// Lateness is how long after ScheduledAt the run started.
	Lateness time.Duration
	// Duration is how long the kind's function ran; zero in RunStarted.
	Duration time.Duration
	// Outcome is set in RunFinished.
	Outcome Outcome
	// Err is the run's error, if any, in RunFinished.
	Err error
}

// noObserver stands in for a nil Config.Observer.
type noObserver struct{}

func (noObserver) RunStarted(RunEvent)        {}
func (noObserver) RunFinished(RunEvent)       {}
func (noObserver) OccurrencesMissed(Job, int) {}

// maxMissedCount bounds the occurrences counted for one skip: a cron
// schedule is walked one occurrence at a time.
const maxMissedCount = 10000

// missedBetween counts the occurrences of s strictly between scheduled and
// next, the run time that follows it: the ones the scheduler skipped.
func missedBetween(s Schedule, scheduled, next time.Time) int {
	c, err := s.compile()
	if err != nil || next.IsZero() || !next.After(scheduled) {
		return 0
	}
	if c.every != 0 {
		n := int(next.Sub(scheduled)/c.every) - 1
		return min(max(n, 0), maxMissedCount)
	}
	n := 0
	for t := c.cron.Next(scheduled); !t.IsZero() && t.Before(next) && n < maxMissedCount; t = c.cron.Next(t) {
		n++
	}
	return n
}
