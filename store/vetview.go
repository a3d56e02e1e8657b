package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/vetlink/vetlink/vetview"
)

// VetviewStore implements [vetview.Store]: the server registry, the jobs
// with their leases, and the run history, in the vetview_* tables.
type VetviewStore struct{ db *DB }

var _ vetview.Store = (*VetviewStore)(nil)

// Vetview returns the store of package vetview on db.
func (db *DB) Vetview() *VetviewStore { return &VetviewStore{db: db} }

// RegisterServer implements [vetview.Store]. Registering an ID again
// replaces the row (a server that was deleted as stale comes back).
func (s *VetviewStore) RegisterServer(ctx context.Context, srv vetview.Server) error {
	_, err := s.db.q(ctx).ExecContext(ctx, `
		INSERT INTO vetview_servers (id, name, host, pid, version, started_at, heartbeat_at, heartbeat_every_us)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at`,
		srv.ID.String(), srv.Name, srv.Host, srv.PID, srv.Version,
		micros(srv.StartedAt), micros(srv.HeartbeatAt), srv.HeartbeatInterval.Microseconds())
	if err != nil {
		return fmt.Errorf("store: vetview: register server %s: %w", srv.Name, err)
	}
	return nil
}

// Heartbeat implements [vetview.Store].
func (s *VetviewStore) Heartbeat(ctx context.Context, id uuid.UUID, at time.Time) error {
	defer s.sqliteWriter(ctx)()
	res, err := s.db.q(ctx).ExecContext(ctx,
		`UPDATE vetview_servers SET heartbeat_at = $2 WHERE id = $1`, id.String(), micros(at))
	if err != nil {
		return fmt.Errorf("store: vetview: heartbeat of server %s: %w", id, err)
	}
	return vetviewExpectOne(res, fmt.Errorf("%w: %s", vetview.ErrServerNotFound, id))
}

// RemoveServer implements [vetview.Store].
func (s *VetviewStore) RemoveServer(ctx context.Context, id uuid.UUID) error {
	if _, err := s.db.q(ctx).ExecContext(ctx, `DELETE FROM vetview_servers WHERE id = $1`, id.String()); err != nil {
		return fmt.Errorf("store: vetview: remove server %s: %w", id, err)
	}
	return nil
}

// DeleteStaleServer implements [vetview.Store]: the heartbeat condition
// is part of the DELETE, so a heartbeat that lands first always wins.
func (s *VetviewStore) DeleteStaleServer(ctx context.Context, id uuid.UUID, heartbeatBefore time.Time) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		res, err := s.db.q(ctx).ExecContext(ctx,
			`DELETE FROM vetview_servers WHERE id = $1 AND heartbeat_at < $2`, id.String(), micros(heartbeatBefore))
		if err != nil {
			return fmt.Errorf("store: vetview: delete server %s: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		var hb int64
		err = s.db.q(ctx).QueryRowContext(ctx, `SELECT heartbeat_at FROM vetview_servers WHERE id = $1`, id.String()).Scan(&hb)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: %s", vetview.ErrServerNotFound, id)
		}
		if err != nil {
			return fmt.Errorf("store: vetview: delete server %s: %w", id, err)
		}
		return fmt.Errorf("%w: %s heartbeat at %s", vetview.ErrServerLive, id, fromMicros(hb).Format(time.RFC3339Nano))
	})
}

// Servers implements [vetview.Store].
func (s *VetviewStore) Servers(ctx context.Context) ([]vetview.Server, error) {
	rows, err := s.db.q(ctx).QueryContext(ctx, `
		SELECT id, name, host, pid, version, started_at, heartbeat_at, heartbeat_every_us
		FROM vetview_servers ORDER BY name, started_at, id`)
	if err != nil {
		return nil, fmt.Errorf("store: vetview: list servers: %w", err)
	}
	defer rows.Close()
	var out []vetview.Server
	for rows.Next() {
		var (
			srv                vetview.Server
			id                 string
			started, hb, every int64
		)
		if err := rows.Scan(&id, &srv.Name, &srv.Host, &srv.PID, &srv.Version, &started, &hb, &every); err != nil {
			return nil, fmt.Errorf("store: vetview: list servers: %w", err)
		}
		if srv.ID, err = uuid.Parse(id); err != nil {
			return nil, fmt.Errorf("store: vetview: server id %q: %w", id, err)
		}
		srv.StartedAt, srv.HeartbeatAt = fromMicros(started), fromMicros(hb)
		srv.HeartbeatInterval = time.Duration(every) * time.Microsecond
		out = append(out, srv)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: vetview: list servers: %w", err)
	}
	return out, nil
}

// vetviewJobColumns are the columns scanVetviewJob reads, in order.
const vetviewJobColumns = `id, name, kind, settings, every_us, cron, active, created_at, updated_at, next_run_at,
	lease_token, lease_server_id, lease_server, lease_scheduled_at, lease_started_at, lease_until`

type vetviewRowScanner interface{ Scan(dest ...any) error }

func scanVetviewJob(r vetviewRowScanner) (vetview.Job, error) {
	var (
		j                           vetview.Job
		id                          string
		settings                    []byte
		every                       sql.NullInt64
		cron                        sql.NullString
		created, updated, next      int64
		token, leaseSrvID, leaseSrv sql.NullString
		scheduled, started, until   sql.NullInt64
	)
	err := r.Scan(&id, &j.Name, &j.Kind, &settings, &every, &cron, &j.Active, &created, &updated, &next,
		&token, &leaseSrvID, &leaseSrv, &scheduled, &started, &until)
	if err != nil {
		return j, err
	}
	if j.ID, err = uuid.Parse(id); err != nil {
		return j, fmt.Errorf("job id %q: %w", id, err)
	}
	j.Settings = json.RawMessage(settings)
	j.Schedule = vetview.Schedule{Every: time.Duration(every.Int64) * time.Microsecond, Cron: cron.String}
	j.CreatedAt, j.UpdatedAt, j.NextRunAt = fromMicros(created), fromMicros(updated), fromMicros(next)
	if token.Valid {
		srvID, err := uuid.Parse(leaseSrvID.String)
		if err != nil {
			return j, fmt.Errorf("lease server id %q: %w", leaseSrvID.String, err)
		}
		j.Lease = &vetview.Lease{
			Token: token.String, JobID: j.ID, ServerID: srvID, Server: leaseSrv.String,
			ScheduledAt: fromNullMicros(scheduled), StartedAt: fromNullMicros(started), Until: fromNullMicros(until),
		}
	}
	return j, nil
}

func vetviewScheduleColumns(sc vetview.Schedule) (every sql.NullInt64, cron sql.NullString) {
	if sc.Cron != "" {
		return every, sql.NullString{String: sc.Cron, Valid: true}
	}
	return sql.NullInt64{Int64: sc.Every.Microseconds(), Valid: true}, cron
}

// CreateJob implements [vetview.Store].
func (s *VetviewStore) CreateJob(ctx context.Context, j vetview.Job) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		every, cron := vetviewScheduleColumns(j.Schedule)
		_, err := s.db.q(ctx).ExecContext(ctx, `
			INSERT INTO vetview_jobs (id, name, kind, settings, every_us, cron, active, created_at, updated_at, next_run_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			j.ID.String(), j.Name, j.Kind, string(j.Settings), every, cron, j.Active,
			micros(j.CreatedAt), micros(j.UpdatedAt), micros(j.NextRunAt))
		if isUniqueViolation(err) {
			return fmt.Errorf("%w: %q", vetview.ErrJobExists, j.Name)
		}
		if err != nil {
			return fmt.Errorf("store: vetview: create job %q: %w", j.Name, err)
		}
		return s.setJobServers(ctx, j.ID, j.Servers)
	})
}

func (s *VetviewStore) setJobServers(ctx context.Context, id uuid.UUID, names []string) error {
	q := s.db.q(ctx)
	if _, err := q.ExecContext(ctx, `DELETE FROM vetview_job_servers WHERE job_id = $1`, id.String()); err != nil {
		return fmt.Errorf("store: vetview: assign servers to job %s: %w", id, err)
	}
	if len(names) == 0 {
		return nil
	}
	var b strings.Builder
	args := make([]any, 0, 2*len(names))
	for i, n := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "($%d, $%d)", 2*i+1, 2*i+2)
		args = append(args, id.String(), n)
	}
	_, err := q.ExecContext(ctx, `INSERT INTO vetview_job_servers (job_id, server_name) VALUES `+b.String(), args...)
	if err != nil {
		return fmt.Errorf("store: vetview: assign servers to job %s: %w", id, err)
	}
	return nil
}

// UpdateJob implements [vetview.Store].
func (s *VetviewStore) UpdateJob(ctx context.Context, j vetview.Job) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		every, cron := vetviewScheduleColumns(j.Schedule)
		res, err := s.db.q(ctx).ExecContext(ctx, `
			UPDATE vetview_jobs SET name = $2, kind = $3, settings = $4, every_us = $5, cron = $6,
				active = $7, updated_at = $8, next_run_at = $9
			WHERE id = $1`,
			j.ID.String(), j.Name, j.Kind, string(j.Settings), every, cron, j.Active,
			micros(j.UpdatedAt), micros(j.NextRunAt))
		if isUniqueViolation(err) {
			return fmt.Errorf("%w: %q", vetview.ErrJobExists, j.Name)
		}
		if err != nil {
			return fmt.Errorf("store: vetview: update job %q: %w", j.Name, err)
		}
		if err := vetviewExpectOne(res, fmt.Errorf("%w: %s", vetview.ErrJobNotFound, j.ID)); err != nil {
			return err
		}
		return s.setJobServers(ctx, j.ID, j.Servers)
	})
}

// DeleteJob implements [vetview.Store].
func (s *VetviewStore) DeleteJob(ctx context.Context, id uuid.UUID) error {
	res, err := s.db.q(ctx).ExecContext(ctx, `DELETE FROM vetview_jobs WHERE id = $1`, id.String())
	if err != nil {
		return fmt.Errorf("store: vetview: delete job %s: %w", id, err)
	}
	return vetviewExpectOne(res, fmt.Errorf("%w: %s", vetview.ErrJobNotFound, id))
}

// Job implements [vetview.Store].
func (s *VetviewStore) Job(ctx context.Context, id uuid.UUID) (vetview.Job, error) {
	jobs, err := s.jobs(ctx, `WHERE id = $1`, id.String())
	if err != nil {
		return vetview.Job{}, err
	}
	if len(jobs) == 0 {
		return vetview.Job{}, fmt.Errorf("%w: %s", vetview.ErrJobNotFound, id)
	}
	return jobs[0], nil
}

// Jobs implements [vetview.Store].
func (s *VetviewStore) Jobs(ctx context.Context) ([]vetview.Job, error) {
	return s.jobs(ctx, `ORDER BY name`)
}

func (s *VetviewStore) jobs(ctx context.Context, where string, args ...any) ([]vetview.Job, error) {
	rows, err := s.db.q(ctx).QueryContext(ctx, `SELECT `+vetviewJobColumns+` FROM vetview_jobs `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("store: vetview: read jobs: %w", err)
	}
	var jobs []vetview.Job
	for rows.Next() {
		j, err := scanVetviewJob(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: vetview: read jobs: %w", err)
		}
		jobs = append(jobs, j)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: vetview: read jobs: %w", err)
	}
	if err := s.loadServers(ctx, jobs); err != nil {
		return nil, err
	}
	return jobs, nil
}

// loadServers fills in the assigned server names of jobs.
func (s *VetviewStore) loadServers(ctx context.Context, jobs []vetview.Job) error {
	if len(jobs) == 0 {
		return nil
	}
	index := make(map[string]*vetview.Job, len(jobs))
	for i := range jobs {
		index[jobs[i].ID.String()] = &jobs[i]
	}
	args := make([]any, len(jobs))
	for i, j := range jobs {
		args[i] = j.ID.String()
	}
	rows, err := s.db.q(ctx).QueryContext(ctx, `SELECT job_id, server_name FROM vetview_job_servers
		WHERE job_id IN (`+placeholders(1, len(jobs))+`) ORDER BY job_id, server_name`, args...)
	if err != nil {
		return fmt.Errorf("store: vetview: read job servers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return fmt.Errorf("store: vetview: read job servers: %w", err)
		}
		if j, ok := index[id]; ok {
			j.Servers = append(j.Servers, name)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: vetview: read job servers: %w", err)
	}
	return nil
}

// RunJobNow implements [vetview.Store].
func (s *VetviewStore) RunJobNow(ctx context.Context, id uuid.UUID, at time.Time) error {
	res, err := s.db.q(ctx).ExecContext(ctx, `
		UPDATE vetview_jobs SET next_run_at = CASE WHEN next_run_at < $2 THEN next_run_at ELSE $2 END
		WHERE id = $1`, id.String(), micros(at))
	if err != nil {
		return fmt.Errorf("store: vetview: run job %s now: %w", id, err)
	}
	return vetviewExpectOne(res, fmt.Errorf("%w: %s", vetview.ErrJobNotFound, id))
}

// Claim implements [vetview.Store] with one conditional UPDATE … RETURNING
// per call. The inner SELECT walks the due index in due order and stops
// at the limit (the assignment is an EXISTS probe, so that the planner
// never sorts every job of a server); the outer WHERE repeats the
// condition, so a row another server claimed meanwhile is never taken
// twice. On PostgreSQL the inner SELECT
// locks its rows with FOR UPDATE SKIP LOCKED, so concurrent claimers skip
// each other's rows instead of waiting; on SQLite the write lock taken at
// BEGIN makes the whole claim one serial step.
func (s *VetviewStore) Claim(ctx context.Context, c vetview.ClaimRequest) ([]vetview.Job, error) {
	if c.Limit <= 0 || len(c.Kinds) == 0 {
		return nil, nil
	}
	token := `lower(hex(randomblob(16)))`
	lock := ``
	if s.db.engine == PostgreSQL {
		token = `gen_random_uuid()::text`
		lock = `FOR UPDATE OF j SKIP LOCKED`
	}
	now := micros(c.Now)
	dueBy := now
	if c.DueBy.After(c.Now) {
		dueBy = micros(c.DueBy)
	}
	silentSince := micros(c.Now.Add(-c.HolderSilence))
	args := []any{c.ServerID.String(), c.ServerName, micros(c.Until), now, c.Limit, silentSince, dueBy}
	for _, k := range c.Kinds {
		args = append(args, k)
	}
	kinds := placeholders(8, len(c.Kinds))
	query := `
		UPDATE vetview_jobs SET
			lease_token = ` + token + `, lease_server_id = $1, lease_server = $2,
			lease_scheduled_at = next_run_at, lease_started_at = $4, lease_until = $3
		WHERE id IN (
			SELECT j.id FROM vetview_jobs j ` + dueJobsWhere("$2", "$4", "$7", "$6", kinds) + `
			ORDER BY j.next_run_at
			LIMIT $5
			` + lock + `
		)
		AND active AND next_run_at <= $7 AND (lease_until IS NULL OR (lease_until < $4
			AND NOT EXISTS (SELECT 1 FROM vetview_servers s WHERE s.id = vetview_jobs.lease_server_id AND s.heartbeat_at >= $6)))
		RETURNING ` + vetviewJobColumns
	// Most polls find nothing due. A read (which never waits for SQLite's
	// write lock, nor takes PostgreSQL row locks) answers them without a
	// write transaction.
	var due bool
	probe := `SELECT EXISTS (SELECT 1 FROM vetview_jobs j ` + dueJobsWhere("$1", "$2", "$4", "$3", placeholders(5, len(c.Kinds))) + `)`
	probeArgs := append([]any{c.ServerName, now, silentSince, dueBy}, args[7:]...)
	if err := s.db.q(ctx).QueryRowContext(ctx, probe, probeArgs...).Scan(&due); err != nil {
		return nil, fmt.Errorf("store: vetview: claim: %w", err)
	}
	if !due {
		return nil, nil
	}
	var jobs []vetview.Job
	done := s.sqliteWriter(ctx)
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		jobs = jobs[:0]
		rows, err := s.db.q(ctx).QueryContext(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("store: vetview: claim: %w", err)
		}
		for rows.Next() {
			j, err := scanVetviewJob(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("store: vetview: claim: %w", err)
			}
			jobs = append(jobs, j)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: vetview: claim: %w", err)
		}
		if len(jobs) == 0 {
			return nil
		}
		if err := s.startRuns(ctx, jobs, c); err != nil {
			return err
		}
		return s.loadServers(ctx, jobs)
	})
	done()
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(jobs, func(a, b vetview.Job) int { return a.NextRunAt.Compare(b.NextRunAt) })
	return jobs, nil
}

// NextDue implements [vetview.Store] with one read over the due index.
func (s *VetviewStore) NextDue(ctx context.Context, server string, kinds []string) (time.Time, error) {
	if len(kinds) == 0 {
		return time.Time{}, nil
	}
	args := []any{server}
	for _, k := range kinds {
		args = append(args, k)
	}
	var next sql.NullInt64
	err := s.db.q(ctx).QueryRowContext(ctx, `
		SELECT MIN(j.next_run_at) FROM vetview_jobs j
		WHERE j.active AND j.lease_token IS NULL AND j.kind IN (`+placeholders(2, len(kinds))+`)
		AND EXISTS (SELECT 1 FROM vetview_job_servers a WHERE a.job_id = j.id AND a.server_name = $1)`,
		args...).Scan(&next)
	if err != nil {
		return time.Time{}, fmt.Errorf("store: vetview: next due run: %w", err)
	}
	return fromNullMicros(next), nil
}

// dueJobsWhere selects the jobs a claim may take: active, due by the
// instant of parameter dueBy, unleased or with a lease expired at the
// instant of parameter now whose server is not registered or has not
// heartbeat since parameter silentSince, of one of the kinds, assigned to
// the server named by parameter server.
func dueJobsWhere(server, now, dueBy, silentSince, kinds string) string {
	return `WHERE j.active AND j.next_run_at <= ` + dueBy + ` AND (j.lease_until IS NULL OR (j.lease_until < ` + now + `
			AND NOT EXISTS (SELECT 1 FROM vetview_servers s WHERE s.id = j.lease_server_id AND s.heartbeat_at >= ` + silentSince + `)))
		AND j.kind IN (` + kinds + `)
		AND EXISTS (SELECT 1 FROM vetview_job_servers a WHERE a.job_id = j.id AND a.server_name = ` + server + `)`
}

// startRuns closes the runs that expired leases left unfinished and adds
// the new runs of the claimed jobs to their history.
func (s *VetviewStore) startRuns(ctx context.Context, jobs []vetview.Job, c vetview.ClaimRequest) error {
	q := s.db.q(ctx)
	ids := make([]any, 0, len(jobs)+2)
	ids = append(ids, micros(c.Now), "abandoned: its lease expired and its server stopped heartbeating (dead, hung or cut off from the database)")
	for _, j := range jobs {
		ids = append(ids, j.ID.String())
	}
	_, err := q.ExecContext(ctx, `
		UPDATE vetview_runs SET finished_at = $1, error = $2
		WHERE finished_at IS NULL AND job_id IN (`+placeholders(3, len(jobs))+`)`, ids...)
	if err != nil {
		return fmt.Errorf("store: vetview: close abandoned runs: %w", err)
	}
	prevs, err := s.previousRuns(ctx, jobs)
	if err != nil {
		return err
	}
	var b strings.Builder
	args := make([]any, 0, 8*len(jobs))
	for i, j := range jobs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(" + placeholders(8*i+1, 8) + ")")
		l := j.Lease
		var prev sql.NullString
		reason := ""
		if p, ok := prevs[j.ID.String()]; ok {
			prev = sql.NullString{String: p.id, Valid: true}
			reason = fmt.Sprintf("run %s on %s: %s", p.id, p.server, p.err)
		}
		args = append(args, l.Token, j.ID.String(), l.ServerID.String(), l.Server, micros(l.ScheduledAt), micros(l.StartedAt), prev, reason)
	}
	_, err = q.ExecContext(ctx, `
		INSERT INTO vetview_runs (id, job_id, server_id, server, scheduled_at, started_at, rerun_of, rerun_reason)
		VALUES `+b.String(), args...)
	if isUniqueViolation(err) {
		return fmt.Errorf("store: vetview: an occurrence was claimed twice, refused: %w", err)
	}
	if err != nil {
		return fmt.Errorf("store: vetview: record started runs: %w", err)
	}
	return nil
}

// previousRun is the newest run of an occurrence a claim repeats.
type previousRun struct{ id, server, err string }

// previousRuns finds, by job ID, the newest earlier run of the occurrence
// each claimed job's lease is for: the run its new run repeats. It is one
// query for the whole claim (a claim of 16 runs used to make 16 round
// trips inside its transaction). Most claims find none: an occurrence
// runs again only after its server died or gave it back.
func (s *VetviewStore) previousRuns(ctx context.Context, jobs []vetview.Job) (map[string]previousRun, error) {
	want := make(map[string]int64, len(jobs))
	args := make([]any, 0, 2*len(jobs))
	for _, j := range jobs {
		want[j.ID.String()] = micros(j.Lease.ScheduledAt)
		args = append(args, j.ID.String())
	}
	for _, j := range jobs {
		args = append(args, micros(j.Lease.ScheduledAt))
	}
	rows, err := s.db.q(ctx).QueryContext(ctx, `
		SELECT job_id, scheduled_at, id, server, COALESCE(error, '') FROM vetview_runs
		WHERE job_id IN (`+placeholders(1, len(jobs))+`) AND scheduled_at IN (`+placeholders(len(jobs)+1, len(jobs))+`)
		ORDER BY started_at DESC, id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: vetview: find the runs a claim repeats: %w", err)
	}
	defer rows.Close()
	out := map[string]previousRun{}
	for rows.Next() {
		var job string
		var at int64
		var p previousRun
		if err := rows.Scan(&job, &at, &p.id, &p.server, &p.err); err != nil {
			return nil, fmt.Errorf("store: vetview: find the runs a claim repeats: %w", err)
		}
		if _, seen := out[job]; !seen && want[job] == at {
			out[job] = p // the first row is the newest
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: vetview: find the runs a claim repeats: %w", err)
	}
	return out, nil
}

// sqliteWriter makes the scheduler's writes in this process (claims,
// outcomes, lease extensions, heartbeats) take turns before they ask
// SQLite for its write lock, and returns the function that ends the turn.
//
// SQLite has no queue for its lock: a writer that finds it taken sleeps
// 1, 2, 5 ... 100 ms before it looks again. When jobs fall due together,
// 32 runs end together and their outcomes, and the claims of the next
// runs, spent their time asleep polling each other (a start lateness p99
// of over 500 ms in bench/vetviewsoak); a mutex hands over at once. Other
// processes' writers still poll, one per process instead of one per run.
//
// Inside a caller's transaction, which may hold the lock already, it does
// nothing (waiting there could deadlock); on PostgreSQL it does nothing.
func (s *VetviewStore) sqliteWriter(ctx context.Context) (done func()) {
	if s.db.engine != SQLite || s.db.InTransaction(ctx) {
		return func() {}
	}
	s.db.vetviewTurn.Lock()
	return s.db.vetviewTurn.Unlock
}

// ExtendLease implements [vetview.Store].
func (s *VetviewStore) ExtendLease(ctx context.Context, l vetview.Lease, until time.Time) error {
	defer s.sqliteWriter(ctx)()
	res, err := s.db.q(ctx).ExecContext(ctx,
		`UPDATE vetview_jobs SET lease_until = $3 WHERE id = $1 AND lease_token = $2`,
		l.JobID.String(), l.Token, micros(until))
	if err != nil {
		return fmt.Errorf("store: vetview: extend lease of job %s: %w", l.JobID, err)
	}
	return vetviewExpectOne(res, fmt.Errorf("%w: job %s, run %s", vetview.ErrLeaseLost, l.JobID, l.Token))
}

// FinishRun implements [vetview.Store].
func (s *VetviewStore) FinishRun(ctx context.Context, l vetview.Lease, f vetview.Finish) error {
	if s.db.engine == PostgreSQL {
		return s.finishRunPostgres(ctx, l, f)
	}
	defer s.sqliteWriter(ctx)()
	return s.db.InTx(ctx, func(ctx context.Context) error {
		q := s.db.q(ctx)
		res, err := q.ExecContext(ctx, `
			UPDATE vetview_jobs SET next_run_at = $3,
				lease_token = NULL, lease_server_id = NULL, lease_server = NULL,
				lease_scheduled_at = NULL, lease_started_at = NULL, lease_until = NULL
			WHERE id = $1 AND lease_token = $2`,
			l.JobID.String(), l.Token, micros(f.NextRunAt))
		if err != nil {
			return fmt.Errorf("store: vetview: finish run of job %s: %w", l.JobID, err)
		}
		if err := vetviewExpectOne(res, fmt.Errorf("%w: job %s, run %s", vetview.ErrLeaseLost, l.JobID, l.Token)); err != nil {
			return err
		}
		if _, err := q.ExecContext(ctx, `UPDATE vetview_runs SET finished_at = $2, error = $3 WHERE id = $1`,
			l.Token, micros(f.At), f.Error); err != nil {
			return fmt.Errorf("store: vetview: record run of job %s: %w", l.JobID, err)
		}
		keep := max(f.KeepRuns, 1)
		if _, err := q.ExecContext(ctx, `
			DELETE FROM vetview_runs WHERE job_id = $1 AND finished_at IS NOT NULL AND id NOT IN (
				SELECT id FROM vetview_runs WHERE job_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2)`,
			l.JobID.String(), keep); err != nil {
			return fmt.Errorf("store: vetview: prune history of job %s: %w", l.JobID, err)
		}
		return nil
	})
}

// finishRunPostgres is FinishRun in one statement, one round trip instead
// of five: every run ends with it, and when many end together (jobs due on
// the same instant) their writes queue ahead of the claims that would start
// the next runs. The run and history changes happen only if the job still
// holds the lease. The prune cannot delete the run being finished: it is
// the job's newest and so among the runs kept.
func (s *VetviewStore) finishRunPostgres(ctx context.Context, l vetview.Lease, f vetview.Finish) error {
	var n int
	err := s.db.q(ctx).QueryRowContext(ctx, `
		WITH j AS (
			UPDATE vetview_jobs SET next_run_at = $3,
				lease_token = NULL, lease_server_id = NULL, lease_server = NULL,
				lease_scheduled_at = NULL, lease_started_at = NULL, lease_until = NULL
			WHERE id = $1 AND lease_token = $2
			RETURNING id
		), r AS (
			UPDATE vetview_runs SET finished_at = $4, error = $5
			WHERE id = $2 AND EXISTS (SELECT 1 FROM j)
		), d AS (
			DELETE FROM vetview_runs WHERE job_id = $1 AND finished_at IS NOT NULL AND EXISTS (SELECT 1 FROM j) AND id NOT IN (
				SELECT id FROM vetview_runs WHERE job_id = $1 ORDER BY started_at DESC, id DESC LIMIT $6)
		)
		SELECT COUNT(*) FROM j`,
		l.JobID.String(), l.Token, micros(f.NextRunAt), micros(f.At), f.Error, max(f.KeepRuns, 1)).Scan(&n)
	if err != nil {
		return fmt.Errorf("store: vetview: finish run of job %s: %w", l.JobID, err)
	}
	if n != 1 {
		return fmt.Errorf("%w: job %s, run %s", vetview.ErrLeaseLost, l.JobID, l.Token)
	}
	return nil
}

// Runs implements [vetview.Store].
func (s *VetviewStore) Runs(ctx context.Context, jobID uuid.UUID, limit int) ([]vetview.Run, error) {
	rows, err := s.db.q(ctx).QueryContext(ctx, `
		SELECT id, server_id, server, scheduled_at, started_at, finished_at, error, rerun_of, rerun_reason
		FROM vetview_runs WHERE job_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2`,
		jobID.String(), max(limit, 0))
	if err != nil {
		return nil, fmt.Errorf("store: vetview: read runs of job %s: %w", jobID, err)
	}
	defer rows.Close()
	var out []vetview.Run
	for rows.Next() {
		var (
			r                  vetview.Run
			srvID              string
			scheduled, started int64
			finished           sql.NullInt64
			rerunOf            sql.NullString
		)
		if err := rows.Scan(&r.ID, &srvID, &r.Server, &scheduled, &started, &finished, &r.Error, &rerunOf, &r.RerunReason); err != nil {
			return nil, fmt.Errorf("store: vetview: read runs of job %s: %w", jobID, err)
		}
		r.JobID, r.RerunOf = jobID, rerunOf.String
		if r.ServerID, err = uuid.Parse(srvID); err != nil {
			return nil, fmt.Errorf("store: vetview: run server id %q: %w", srvID, err)
		}
		r.ScheduledAt, r.StartedAt, r.FinishedAt = fromMicros(scheduled), fromMicros(started), fromNullMicros(finished)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: vetview: read runs of job %s: %w", jobID, err)
	}
	return out, nil
}

// vetviewExpectOne returns notFound unless res changed exactly one row.
func vetviewExpectOne(res sql.Result, notFound error) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: rows affected: %w", err)
	}
	if n != 1 {
		return notFound
	}
	return nil
}
