package vetview

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// Config configures a [Service]. Store and Kinds are required; every other
// field has a useful zero value.
type Config struct {
	// Store holds the registry, the jobs and the history. Servers that
	// share a Store share the jobs.
	Store Store
	// Kinds are the job kinds this program can run.
	Kinds *Registry
	// Logger receives the scheduler's log; nil discards it.
	Logger *slog.Logger

	// ServerName is this server's name in the registry, by which jobs are
	// assigned to it. Default: the host name.
	ServerName string
	// Version is reported in the registry, e.g. the build's version.
	Version string

	// HeartbeatInterval is how often the scheduler says it is alive.
	// Default 3s ([DefaultHeartbeatInterval]).
	//
	// It sets how soon a dead server is noticed: its runs in progress move
	// to another server after about one and a half intervals, and it is
	// shown stale after StaleMultiple intervals (9 s at the defaults). A
	// shorter interval notices sooner but costs a database write per
	// interval per server, and a live server whose heartbeat write is
	// delayed by more than one and a half intervals (a stalled database,
	// a starved machine) may see a run of its taken over and its outcome
	// refused. The bench/vetviewsoak program measured three servers with
	// 100 jobs a second on this 2-core machine under heavy load: at 10 s
	// jobs held by a killed server waited 10 s; at 3 s, 3 s; at 2 s,
	// under 1 s. None ran an occurrence twice while servers lived.
	HeartbeatInterval time.Duration
	// StaleMultiple is how many heartbeat intervals a server may miss
	// before it is stale. Default [DefaultStaleMultiple].
	StaleMultiple int
	// LeaseDuration is how long a claimed run is leased; the lease is
	// extended every third of it while the run goes on. A crashed server's
	// runs are picked up by another server once their lease expired and
	// the server missed heartbeats for one and a half intervals.
	// Default: HeartbeatInterval.
	LeaseDuration time.Duration
	// PollInterval bounds the time between two looks for due runs. The
	// scheduler also looks when a slot frees and at the next due time it
	// knows of, so this bounds only the lateness of jobs changed since its
	// last look (see the package doc). Default 1s.
	PollInterval time.Duration
	// ClaimAhead is how long before a run's due time the scheduler may
	// claim it. A claimed run waits on this server until its due time, so
	// the claim's round trip to the database is not added to its start.
	//
	// Zero (the default) adapts it: twice the slowest of the server's
	// recent claims, at least [MinClaimAhead] and at most a quarter of the
	// lease or half the poll interval, whichever is less. A quiet database
	// answers a claim in a millisecond or two, so runs are claimed 20 ms
	// ahead; a starved one (SQLite waiting for its writer, PostgreSQL on a
	// machine at full load) in tens or hundreds, and the scheduler claims
	// that much earlier. A negative value claims only what is already
	// due, as before this setting existed (start lateness then includes
	// the claim). A claimed run holds a slot while it waits, and its
	// server holds the occurrence: a run claimed ahead by a server that
	// then dies runs elsewhere after failover, like any other.
	ClaimAhead time.Duration
	// MaxConcurrent bounds the runs in progress on this server: runs
	// claimed and waiting for their due time, and runs whose kind function
	// is working. A run's slot is freed when its function returns; its
	// outcome is then written without holding one. Default 32
	// ([DefaultMaxConcurrent]).
	//
	// Interface jobs mostly wait on the network or the database, so a slot
	// costs a goroutine, not a core. Too few slots make runs that fall due
	// together queue for one, and each wave waits for the one before it
	// to end. bench/vetviewsoak (three servers, 100 jobs a second all due
	// on the same instant, 50 ms each, on 2 cores with a `go test ./...`
	// running alongside) measured a start lateness p99 of 238-266 ms with
	// 16 slots and 175-221 ms with 32 on PostgreSQL, 167 ms and 105 ms on
	// SQLite. Lower it for jobs that burn CPU.
	MaxConcurrent int
	// History is how many finished runs are kept per job. Default 20.
	History int
	// ShutdownTimeout is how long a stopping scheduler lets runs in
	// progress finish before it cancels them and gives them back.
	// Default 30s.
	ShutdownTimeout time.Duration
	// Observer is told of every run, for metrics; nil means none.
	Observer Observer
}

// DefaultHeartbeatInterval is the heartbeat interval of a Config that
// sets none; see Config.HeartbeatInterval for the trade-off.
const DefaultHeartbeatInterval = 3 * time.Second

// MinClaimAhead is the least time an adaptive [Config.ClaimAhead] claims
// a run before it is due.
const MinClaimAhead = 20 * time.Millisecond

// DefaultMaxConcurrent is the number of run slots of a Config that sets
// none; see Config.MaxConcurrent for the trade-off.
const DefaultMaxConcurrent = 32

func (c Config) withDefaults() (Config, error) {
	if c.Store == nil {
		return c, invalid("config.store", "nil", "must be set")
	}
	if c.Kinds == nil {
		return c, invalid("config.kinds", "nil", "must be set")
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Observer == nil {
		c.Observer = noObserver{}
	}
	if c.ServerName == "" {
		c.ServerName = hostname()
	}
	if len(c.ServerName) > MaxNameLen {
		return c, invalid("config.server_name", c.ServerName, "must be at most 200 bytes")
	}
	for name, d := range map[string]time.Duration{
		"config.heartbeat_interval": c.HeartbeatInterval,
		"config.lease_duration":     c.LeaseDuration,
		"config.poll_interval":      c.PollInterval,
		"config.shutdown_timeout":   c.ShutdownTimeout,
	} {
		if d < 0 {
			return c, invalid(name, d.String(), "must not be negative")
		}
	}
	if c.HeartbeatInterval == 0 {
		c.HeartbeatInterval = DefaultHeartbeatInterval
	}
	if c.LeaseDuration == 0 {
		c.LeaseDuration = c.HeartbeatInterval
	}
	if c.PollInterval == 0 {
		c.PollInterval = time.Second
	}
	if c.ShutdownTimeout == 0 {
		c.ShutdownTimeout = 30 * time.Second
	}
	if c.StaleMultiple <= 0 {
		c.StaleMultiple = DefaultStaleMultiple
	}
	if c.MaxConcurrent <= 0 {
		c.MaxConcurrent = DefaultMaxConcurrent
	}
	if c.History <= 0 {
		c.History = 20
	}
	if c.ClaimAhead > c.LeaseDuration/4 {
		return c, invalid("config.claim_ahead", c.ClaimAhead.String(), "must be at most a quarter of the lease duration ("+(c.LeaseDuration/4).String()+")")
	}
	return c, nil
}

// Service is vetview for one process: the calls an API makes to list
// servers, configure jobs, read their status and run them now, and, in
// processes that run jobs, the scheduler ([Service.Run]).
type Service struct {
	cfg     Config
	store   Store
	kinds   *Registry
	log     *slog.Logger
	running atomic.Bool
}

// New returns a Service. It fails with [ErrInvalid] if cfg lacks its Store
// or Kinds or has a negative duration.
func New(cfg Config) (*Service, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Service{cfg: cfg, store: cfg.Store, kinds: cfg.Kinds, log: cfg.Logger}, nil
}

// Kinds lists the job kinds this program can run.
func (s *Service) Kinds() []KindInfo { return s.kinds.Kinds() }

// UnconfiguredKinds lists the kinds that no job uses yet: what an "Add
// interface or job" dialog offers.
func (s *Service) UnconfiguredKinds(ctx context.Context) ([]KindInfo, error) {
	jobs, err := s.store.Jobs(ctx)
	if err != nil {
		return nil, err
	}
	used := make(map[string]bool, len(jobs))
	for _, j := range jobs {
		used[j.Kind] = true
	}
	var out []KindInfo
	for _, k := range s.kinds.Kinds() {
		if !used[k.Name] {
			out = append(out, k)
		}
	}
	return out, nil
}

// CreateJob configures a new job. The settings are validated by the kind;
// the job first runs at spec.Schedule.First(now). It fails with
// [ErrInvalid], [ErrUnknownKind] or [ErrJobExists].
func (s *Service) CreateJob(ctx context.Context, spec JobSpec) (Job, error) {
	if err := spec.validate(s.kinds); err != nil {
		return Job{}, err
	}
	now := storeNow()
	j := Job{
		ID:        uuid.New(),
		Name:      spec.Name,
		Kind:      spec.Kind,
		Settings:  spec.Settings,
		Schedule:  spec.Schedule,
		Servers:   normalServers(spec.Servers),
		Active:    spec.Active,
		CreatedAt: now,
		UpdatedAt: now,
		NextRunAt: spec.Schedule.First(now),
	}
	if len(j.Settings) == 0 {
		k, _ := s.kinds.lookup(j.Kind)
		j.Settings = k.info.Defaults
	}
	if err := s.store.CreateJob(ctx, j); err != nil {
		return Job{}, err
	}
	return j, nil
}

// UpdateJob replaces a job's configuration. A changed schedule, or a job
// switched on, starts afresh from now: it runs at Schedule.First(now), so
// re-activating a job never runs the occurrences it missed. A run in
// progress finishes under its old settings.
func (s *Service) UpdateJob(ctx context.Context, id uuid.UUID, spec JobSpec) (Job, error) {
	if err := spec.validate(s.kinds); err != nil {
		return Job{}, err
	}
	j, err := s.store.Job(ctx, id)
	if err != nil {
		return Job{}, err
	}
	now := storeNow()
	if spec.Schedule != j.Schedule || (spec.Active && !j.Active) {
		j.NextRunAt = spec.Schedule.First(now)
	}
	j.Name, j.Kind, j.Settings, j.Schedule = spec.Name, spec.Kind, spec.Settings, spec.Schedule
	j.Servers, j.Active, j.UpdatedAt = normalServers(spec.Servers), spec.Active, now
	if len(j.Settings) == 0 {
		k, _ := s.kinds.lookup(j.Kind)
		j.Settings = k.info.Defaults
	}
	if err := s.store.UpdateJob(ctx, j); err != nil {
		return Job{}, err
	}
	return j, nil
}

// DeleteJob deletes a job and its history. A run in progress finishes, but
// its outcome is not recorded.
func (s *Service) DeleteJob(ctx context.Context, id uuid.UUID) error {
	return s.store.DeleteJob(ctx, id)
}

// Job returns one job's configuration.
func (s *Service) Job(ctx context.Context, id uuid.UUID) (Job, error) {
	return s.store.Job(ctx, id)
}

// Jobs lists every job, ordered by name.
func (s *Service) Jobs(ctx context.Context) ([]Job, error) { return s.store.Jobs(ctx) }

// RunNow makes a job due at once: a server it is assigned to runs it
// within its poll interval. For an interval schedule the grid moves: the
// following run is one interval after this one. A job never runs twice at
// once: for a job that is running, the run in progress answers the
// request. It fails with [ErrJobInactive] for an inactive job.
func (s *Service) RunNow(ctx context.Context, id uuid.UUID) error {
	j, err := s.store.Job(ctx, id)
	if err != nil {
		return err
	}
	if !j.Active {
		return fmt.Errorf("%w: %s", ErrJobInactive, j.Name)
	}
	return s.store.RunJobNow(ctx, id, time.Now().UTC())
}

// Status returns one job's live status.
func (s *Service) Status(ctx context.Context, id uuid.UUID) (JobStatus, error) {
	j, err := s.store.Job(ctx, id)
	if err != nil {
		return JobStatus{}, err
	}
	servers, err := s.store.Servers(ctx)
	if err != nil {
		return JobStatus{}, err
	}
	runs, err := s.store.Runs(ctx, id, s.cfg.History)
	if err != nil {
		return JobStatus{}, err
	}
	return DeriveStatus(j, servers, runs, time.Now().UTC(), s.cfg.StaleMultiple), nil
}

// Statuses returns every job's live status, ordered by job name, with
// each job's newest run only (use [Service.Status] for the history).
func (s *Service) Statuses(ctx context.Context) ([]JobStatus, error) {
	jobs, err := s.store.Jobs(ctx)
	if err != nil {
		return nil, err
	}
	servers, err := s.store.Servers(ctx)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	out := make([]JobStatus, 0, len(jobs))
	for _, j := range jobs {
		runs, err := s.store.Runs(ctx, j.ID, 1)
		if err != nil {
			return nil, err
		}
		out = append(out, DeriveStatus(j, servers, runs, now, s.cfg.StaleMultiple))
	}
	return out, nil
}

// Servers lists the registered servers with their liveness and the jobs
// each is running.
func (s *Service) Servers(ctx context.Context) ([]ServerStatus, error) {
	servers, err := s.store.Servers(ctx)
	if err != nil {
		return nil, err
	}
	jobs, err := s.store.Jobs(ctx)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	out := make([]ServerStatus, len(servers))
	for i, srv := range servers {
		out[i] = ServerStatus{Server: srv, Stale: srv.Stale(now, s.cfg.StaleMultiple)}
		for _, j := range jobs {
			if j.Lease != nil && j.Lease.ServerID == srv.ID && j.Lease.Until.After(now) {
				out[i].Running = append(out[i].Running, j.Name)
			}
		}
	}
	return out, nil
}

// DeleteStaleServer deletes a server that missed its heartbeats. It fails
// with [ErrServerLive], deleting nothing, if the server is alive (judged
// atomically in the store, so a server that heartbeats at that moment is
// never deleted), and with [ErrServerNotFound].
func (s *Service) DeleteStaleServer(ctx context.Context, id uuid.UUID) error {
	servers, err := s.store.Servers(ctx)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(servers, func(srv Server) bool { return srv.ID == id })
	if i < 0 {
		return fmt.Errorf("%w: %s", ErrServerNotFound, id)
	}
	srv := servers[i]
	multiple := time.Duration(s.cfg.StaleMultiple)
	before := time.Now().UTC().Add(-multiple * srv.HeartbeatInterval)
	if err := s.store.DeleteStaleServer(ctx, id, before); err != nil {
		if errors.Is(err, ErrServerLive) {
			return fmt.Errorf("%w: %s (%s) heartbeat at %s", ErrServerLive, srv.Name, id, srv.HeartbeatAt.Format(time.RFC3339))
		}
		return err
	}
	return nil
}

// storeNow is the current time at the precision stores keep
// (microseconds), so that a job returned by CreateJob equals the stored one.
func storeNow() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
