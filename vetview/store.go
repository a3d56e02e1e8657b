package vetview

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// Store is the durable state vetview needs: the server registry, the jobs
// with their leases, and the run history. Package store implements it on
// SQLite and PostgreSQL; vetviewtest.TestStore checks an implementation.
//
// Several servers share one Store. Every method that changes a lease is
// atomic: of any number of servers calling Claim at once, exactly one gets
// each due run. Instants are compared as the callers pass them, so the
// servers' clocks must agree (NTP) to well within a lease duration.
type Store interface {
	// RegisterServer adds a server to the registry.
	RegisterServer(ctx context.Context, s Server) error
	// Heartbeat records that server id is alive at at. It fails with
	// [ErrServerNotFound] if the server was deleted meanwhile.
	Heartbeat(ctx context.Context, id uuid.UUID, at time.Time) error
	// RemoveServer deletes a server that stops cleanly. Removing a server
	// that is not registered is not an error.
	RemoveServer(ctx context.Context, id uuid.UUID) error
	// DeleteStaleServer deletes server id only if its last heartbeat is
	// before heartbeatBefore, in one atomic step. It fails with
	// [ErrServerLive] if the server heartbeat since, and with
	// [ErrServerNotFound] if there is no such server.
	DeleteStaleServer(ctx context.Context, id uuid.UUID, heartbeatBefore time.Time) error
	// Servers lists the registered servers, ordered by name then start.
	Servers(ctx context.Context) ([]Server, error)

	// CreateJob stores a new job, with its NextRunAt. It fails with
	// [ErrJobExists] if another job has its name.
	CreateJob(ctx context.Context, j Job) error
	// UpdateJob replaces the configuration of job j.ID (name, kind,
	// settings, schedule, servers, active, updated-at) and its NextRunAt.
	// A lease held on the job is kept. It fails with [ErrJobNotFound] or
	// [ErrJobExists].
	UpdateJob(ctx context.Context, j Job) error
	// DeleteJob deletes a job and its history. It fails with
	// [ErrJobNotFound].
	DeleteJob(ctx context.Context, id uuid.UUID) error
	// Job returns one job. It fails with [ErrJobNotFound].
	Job(ctx context.Context, id uuid.UUID) (Job, error)
	// Jobs lists every job, ordered by name.
	Jobs(ctx context.Context) ([]Job, error)
	// RunJobNow makes job id due at at, unless it is due earlier already.
	// It fails with [ErrJobNotFound].
	RunJobNow(ctx context.Context, id uuid.UUID, at time.Time) error

	// Claim leases up to c.Limit due runs for server c.ServerName, in one
	// atomic step: active jobs of one of c.Kinds, assigned to that server,
	// whose NextRunAt is at or before c.Now and that hold no lease, or one
	// that expired before c.Now and whose server is presumed dead (not
	// registered, or silent since before c.Now-c.HolderSilence). A live
	// server's lease is never taken over, however slow the database.
	// Each claimed job gets a new Lease (with a new token, ScheduledAt =
	// its NextRunAt, Until = c.Until) and a new, unfinished Run in its
	// history; a run left unfinished by a dead server is closed with an
	// error saying so. A run that repeats an occurrence already in the
	// history names the run it repeats and why (Run.RerunOf,
	// Run.RerunReason); the store refuses, by a unique key, a second claim
	// of an occurrence from the same predecessor. Claim returns the claimed
	// jobs with their Lease set, due first.
	Claim(ctx context.Context, c ClaimRequest) ([]Job, error)
	// NextDue returns the earliest NextRunAt of the active, unleased jobs
	// of one of kinds assigned to server, or the zero time if there is
	// none. The scheduler sleeps until then (or its poll interval).
	NextDue(ctx context.Context, server string, kinds []string) (time.Time, error)
	// ExtendLease moves the expiry of lease l to until. It fails with
	// [ErrLeaseLost] if l is no longer the job's lease.
	ExtendLease(ctx context.Context, l Lease, until time.Time) error
	// FinishRun ends the run of lease l: it records its outcome in the
	// history, releases the lease, sets the job's NextRunAt, and keeps at
	// most f.KeepRuns finished runs of the job. It fails with
	// [ErrLeaseLost], changing nothing, if l is no longer the job's lease.
	FinishRun(ctx context.Context, l Lease, f Finish) error
	// Runs returns the newest limit runs of a job, newest first.
	Runs(ctx context.Context, jobID uuid.UUID, limit int) ([]Run, error)
}

// ClaimRequest asks [Store.Claim] for due runs.
type ClaimRequest struct {
	ServerID   uuid.UUID
	ServerName string
	// Kinds are the kinds the server can run; jobs of other kinds are left
	// for servers that know them.
	Kinds []string
	// Now is the instant of the claim: leases expired before it may be
	// taken over, and it is the new leases' StartedAt.
	Now time.Time
	// DueBy, when after Now, also claims runs due by then, not yet due at
	// Now: the scheduler claims a little ahead of a due time so that the
	// claim's round trip is not added to the run's start (see
	// Config.ClaimAhead). The zero time means Now.
	DueBy time.Time
	// Until is the expiry of the new leases.
	Until time.Time
	// Limit is the most runs to claim; it must be positive.
	Limit int
	// HolderSilence is how long the server holding an expired lease must
	// have missed heartbeats before its lease is taken over.
	HolderSilence time.Duration
}

// Finish is the outcome of a run, for [Store.FinishRun].
type Finish struct {
	At    time.Time // when the run ended
	Error string    // "" for success
	// NextRunAt is the job's next due time. A run given back unfinished
	// (at shutdown) sets it to the run's ScheduledAt, so that another
	// server runs the occurrence at once.
	NextRunAt time.Time
	// KeepRuns bounds the job's history of finished runs.
	KeepRuns int
}
