package vetview

import (
	"time"

	"github.com/google/uuid"
)

// DefaultStaleMultiple is how many heartbeat intervals a server may miss
// before it counts as stale.
const DefaultStaleMultiple = 3

// Server is one process that runs vetview, as the registry knows it. Every
// start of a process registers a new Server with a new ID; servers are
// assigned jobs by Name, which stays the same across restarts.
type Server struct {
	ID      uuid.UUID
	Name    string // configured name, e.g. "interfaces-1"; jobs are assigned by name
	Host    string // host name of the machine
	PID     int    // process ID on Host
	Version string // version of the program, as it reports it
	// StartedAt is when the process registered.
	StartedAt time.Time
	// HeartbeatAt is the last time the process said it was alive.
	HeartbeatAt time.Time
	// HeartbeatInterval is how often the process heartbeats. Staleness is
	// judged against each server's own interval.
	HeartbeatInterval time.Duration
}

// StaleAfter returns the instant after which s counts as stale if it does
// not heartbeat again: multiple heartbeat intervals after its last one.
// multiple <= 0 means [DefaultStaleMultiple].
func (s Server) StaleAfter(multiple int) time.Time {
	if multiple <= 0 {
		multiple = DefaultStaleMultiple
	}
	return s.HeartbeatAt.Add(time.Duration(multiple) * s.HeartbeatInterval)
}

// Stale reports whether s has missed its heartbeats at now.
func (s Server) Stale(now time.Time, multiple int) bool {
	return now.After(s.StaleAfter(multiple))
}

// ServerStatus is a server with its liveness at the time of reading.
type ServerStatus struct {
	Server
	// Stale is true when the server missed its heartbeats: it is dead, hung
	// or cut off from the database. Stale servers may be deleted.
	Stale bool
	// Running names the jobs that hold a lease on this server.
	Running []string
}
