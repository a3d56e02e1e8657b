package vetview

import (
	"time"
)

// State is a job's state, derived when it is read; it is never stored.
type State string

// The states of a job.
const (
	// Running: a live server holds a lease on the job and is running it.
	Running State = "running"
	// Waiting: the job is active and at least one server it is assigned to
	// is alive; it runs at NextRunAt.
	Waiting State = "waiting for the next execution"
	// NotRunning: the job is inactive, assigned to no server, every
	// server it is assigned to is stale or not registered, or the server
	// holding its lease is stale or gone (its run is re-run once another
	// server claims the occurrence).
	NotRunning State = "not running"
)

// JobStatus is a job's live status, derived at read time from the job, the
// server registry and the run history.
type JobStatus struct {
	Job   Job
	State State
	// Server is the server running the job, or, when it is not running,
	// the server of its last run ("" if it never ran).
	Server string
	// NextRunAt is when the job runs next; zero when its State is
	// NotRunning or Running. It is never before the instant the status
	// was derived: a job whose stored next run has passed is due at once
	// and shows that instant.
	NextRunAt time.Time
	// LastStartedAt, LastFinishedAt and LastError describe the newest run
	// (LastFinishedAt is zero while it runs).
	LastStartedAt  time.Time
	LastFinishedAt time.Time
	LastError      string
	// History holds the newest runs, newest first.
	History []Run
}

// DeriveStatus computes a job's status at now from the job, the registered
// servers and the job's newest runs (newest first). A server is alive
// while it is not stale by staleMultiple of its heartbeat interval
// ([Server.Stale]). DeriveStatus is pure: it reads no clock and no store.
func DeriveStatus(j Job, servers []Server, runs []Run, now time.Time, staleMultiple int) JobStatus {
	st := JobStatus{Job: j, History: runs}
	if len(runs) > 0 {
		last := runs[0]
		st.Server = last.Server
		st.LastStartedAt, st.LastFinishedAt, st.LastError = last.StartedAt, last.FinishedAt, last.Error
	}
	switch {
	case j.Lease != nil && j.Lease.Until.After(now) && holderAlive(j.Lease, servers, now, staleMultiple):
		st.State = Running
		st.Server = j.Lease.Server
	case j.Lease != nil && j.Lease.Until.After(now):
		// The server that holds the lease stopped heartbeating: nothing
		// runs the job until another server takes the occurrence over.
		st.State = NotRunning
		st.Server = j.Lease.Server
	case !j.Active || !anyAlive(j.Servers, servers, now, staleMultiple):
		st.State = NotRunning
	default:
		st.State = Waiting
		st.NextRunAt = j.NextRunAt
		if st.NextRunAt.Before(now) {
			// Due already (waiting for a poll or a free slot): it runs as
			// soon as a server claims it, never in the past.
			st.NextRunAt = now
		}
	}
	return st
}

// holderAlive reports whether the server holding lease l is registered
// and not stale.
func holderAlive(l *Lease, servers []Server, now time.Time, staleMultiple int) bool {
	for _, s := range servers {
		if s.ID == l.ServerID {
			return !s.Stale(now, staleMultiple)
		}
	}
	return false
}

func anyAlive(names []string, servers []Server, now time.Time, staleMultiple int) bool {
	for _, s := range servers {
		if s.Stale(now, staleMultiple) {
			continue
		}
		for _, n := range names {
			if s.Name == n {
				return true
			}
		}
	}
	return false
}
