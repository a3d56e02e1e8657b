package vetview

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Job is a configured job: a kind with its settings, a schedule, the
// servers it may run on and an active flag, plus the scheduler's facts
// about it (next run, current lease) as the store last saw them.
type Job struct {
	ID uuid.UUID
	// Name is unique among jobs, e.g. "Reminders, clinic A".
	Name string
	// Kind names a registered [Kind].
	Kind string
	// Settings are the kind's settings as JSON. Empty means the kind's
	// defaults.
	Settings json.RawMessage
	Schedule Schedule
	// Servers are the names of the servers the job may run on. A job with
	// no server never runs.
	Servers []string
	// Active switches the job on. An inactive job never runs.
	Active    bool
	CreatedAt time.Time
	UpdatedAt time.Time

	// NextRunAt is when the job is due next. The scheduler maintains it.
	NextRunAt time.Time
	// Lease is the current run's lease, or nil when none was claimed. A
	// lease whose Until has passed belongs to a run whose server died.
	Lease *Lease
}

// JobSpec is what a user configures: everything of a [Job] but its
// identity and the scheduler's facts.
type JobSpec struct {
	Name     string
	Kind     string
	Settings json.RawMessage
	Schedule Schedule
	Servers  []string
	Active   bool
}

// MaxNameLen bounds job and server names.
const MaxNameLen = 200

func (s JobSpec) validate(kinds *Registry) error {
	if strings.TrimSpace(s.Name) == "" {
		return invalid("name", s.Name, "must not be empty")
	}
	if len(s.Name) > MaxNameLen {
		return invalid("name", s.Name, "must be at most 200 bytes")
	}
	if err := s.Schedule.Validate(); err != nil {
		return err
	}
	for _, srv := range s.Servers {
		if strings.TrimSpace(srv) == "" || len(srv) > MaxNameLen {
			return invalid("servers", srv, "a server name must be 1 to 200 bytes, not blank")
		}
	}
	return kinds.ValidateSettings(s.Kind, s.Settings)
}

// normalServers returns the server names sorted, without duplicates.
func normalServers(names []string) []string {
	out := slices.Clone(names)
	for i := range out {
		out[i] = strings.TrimSpace(out[i])
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Lease is a server's claim on one run of a job. Only the holder of the
// lease's Token may extend it or record the run's outcome.
type Lease struct {
	// Token identifies the run; it is the run's ID in the history.
	Token string
	JobID uuid.UUID
	// ServerID and Server identify the claimant.
	ServerID uuid.UUID
	Server   string
	// ScheduledAt is the occurrence the run is for.
	ScheduledAt time.Time
	// StartedAt is when the lease was claimed.
	StartedAt time.Time
	// Until is when the lease expires unless extended.
	Until time.Time
}

// Run is one run of a job in its history.
type Run struct {
	ID    string // the lease token
	JobID uuid.UUID
	// ServerID and Server identify the server that ran it.
	ServerID    uuid.UUID
	Server      string
	ScheduledAt time.Time
	StartedAt   time.Time
	// FinishedAt is zero while the run is in progress.
	FinishedAt time.Time
	// Error is the run's error, or "" when it succeeded (or is running).
	Error string
	// RerunOf is the ID of the run of the same occurrence this run
	// repeats, "" for an occurrence's first run; RerunReason says why it
	// was repeated (the earlier run's server was presumed dead, or gave
	// the occurrence back).
	RerunOf     string
	RerunReason string
}

// Finished reports whether the run has ended.
func (r Run) Finished() bool { return !r.FinishedAt.IsZero() }
