// Package vetview runs interface jobs on assigned servers that share one
// database, keeps a registry of those servers, and reports a live status
// of every job.
//
// A hospital information system talks to outside programs through
// interfaces (email, lab instruments, imaging, drug cabinets, NAHLN) and
// runs jobs on a timer (send reminders, poll for uploads). Several servers
// share one database; each job is assigned to one or more of them, so that
// interface work stays off the servers that answer users.
//
// # The pieces
//
//   - [Kind] and [Registry]: a job kind is a Go function with typed
//     settings, registered in code with [Register]. Settings are stored as
//     JSON and validated when a job is configured and before every run.
//   - [Job] and [JobSpec]: a configured job names a kind, carries its
//     settings, a [Schedule] (every N, or a five-field [Cron] expression in
//     UTC or, with a CRON_TZ= prefix, in a time zone), the names of the servers it may run on, and an active flag.
//   - [Server]: every process that calls [Service.Run] registers itself
//     and heartbeats. A server whose heartbeat is older than StaleMultiple
//     (default 3) of its heartbeat intervals is stale.
//   - [Service]: the calls an API makes (list kinds, servers, jobs and
//     statuses; configure, delete and run jobs now; delete stale servers),
//     and [Service.Run], the scheduler.
//   - [Store]: the durable state. Package store implements it on SQLite
//     and PostgreSQL; package vetviewtest holds its conformance suite.
//
// # Guarantees
//
// A due occurrence (a job and its scheduled time) is claimed with a lease
// in the database, by an atomic conditional update, and the claim writes
// the occurrence's run under a unique key (job, scheduled time, the run it
// repeats), so the database itself refuses a second claim of the same
// occurrence. The lease is extended while the run goes on, but a lease
// that expires is taken over only once its server is presumed dead: not
// registered, or silent for one and a half heartbeat intervals. A slow
// database therefore never makes a live server's occurrence run twice;
// heartbeats have their own goroutine and do not wait for claims. The
// outcome is recorded only with the claim's token: a server whose run was
// taken over has its outcome refused ([ErrLeaseLost]) and learns that it
// lost the run. Runs are exactly once while servers live, at least once
// across a crash: a dead server's occurrence runs again, within about two
// heartbeat intervals, and the new run names the run it repeats and why
// ([Run.RerunOf], [Run.RerunReason]). Kind functions that must not repeat
// work should make it idempotent.
//
// After a run, the next run is the next instant of the schedule after now
// ([Schedule.Next]): after downtime a job runs once, not once per missed
// occurrence.
//
// Lateness: the scheduler looks for due runs when it starts, whenever a
// run's work ends (a slot is free), shortly before the earliest due time
// the store reports for its jobs ([Store.NextDue]), and at the latest
// PollInterval after its previous look. It claims runs a little ahead of
// their due time ([Config.ClaimAhead]: by default twice the slowest recent
// claim) and a claimed run waits on its server until it is due. So a run
// whose due time was in the store at the previous look starts at its due
// time, late only by the wake-up of its goroutine, if a slot is free when
// it is claimed; otherwise the moment a slot frees and a claim takes it. A
// run that fell due while a claim was under way is asked for as soon as
// that claim answers. A job created, re-scheduled or made due (RunNow) by
// another process since starts at most PollInterval late. TestMultiServer
// holds runs claimed ahead to a p99 start lateness of 250 ms; measured,
// it is 15 to 20 ms on this project's 2-core machine.
//
// The status of a job ([JobStatus]) is derived when it is read, never
// stored: [Running] while a server holds a live lease on it, [Waiting]
// while it is active and one of its servers is alive, [NotRunning]
// otherwise. Each job keeps a bounded history of its runs.
//
// A clean stop (cancelling the context of [Service.Run]) lets runs in
// progress finish, gives back those still running after ShutdownTimeout,
// and removes the server from the registry, so no job is left Running.
//
// # Clocks
//
// Leases and heartbeats are compared with the clocks of the servers, so
// the servers' clocks must agree (NTP) to well within a lease duration.
// The scheduler reads time only through package time, so tests run it on
// the virtual clock of testing/synctest.
package vetview
