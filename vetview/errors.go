package vetview

import (
	"errors"
	"fmt"
)

// Sentinel errors. Store implementations return them (wrapped or not) so
// that callers can test with errors.Is whatever the engine behind the Store.
var (
	// ErrInvalid reports a job, schedule or setting that breaks a rule.
	// The error is an [*InvalidError] naming the input and the rule.
	ErrInvalid = errors.New("vetview: invalid")
	// ErrJobNotFound reports a job ID the store does not hold.
	ErrJobNotFound = errors.New("vetview: job not found")
	// ErrJobExists reports a job name that another job already has.
	ErrJobExists = errors.New("vetview: a job with this name exists")
	// ErrJobInactive reports a "run now" of a job that is switched off.
	ErrJobInactive = errors.New("vetview: job is not active")
	// ErrServerNotFound reports a server ID the registry does not hold.
	ErrServerNotFound = errors.New("vetview: server not found")
	// ErrServerLive reports an attempt to delete a server that still
	// heartbeats: only stale servers may be deleted.
	ErrServerLive = errors.New("vetview: server is live")
	// ErrLeaseLost reports that a run's lease is no longer held by its
	// claimant: it expired and another server claimed the job, or the job
	// was deleted. The run's outcome is not recorded.
	ErrLeaseLost = errors.New("vetview: lease lost")
	// ErrUnknownKind reports a job kind that no code registered.
	ErrUnknownKind = errors.New("vetview: unknown job kind")
	// ErrKindRegistered reports a second registration of one kind name.
	ErrKindRegistered = errors.New("vetview: job kind already registered")
	// ErrAlreadyRunning reports a second concurrent call of [Service.Run].
	ErrAlreadyRunning = errors.New("vetview: scheduler already running")
)

// InvalidError reports input that breaks a rule: which input, its value
// and the rule. It matches [ErrInvalid] with errors.Is, and unwraps to the
// cause when a kind's own settings validation failed.
type InvalidError struct {
	Field string // the input, e.g. "schedule.every", "name", "settings"
	Value string // the offending value as the caller gave it
	Rule  string // what the value must satisfy
	Err   error  // the cause, if any (e.g. a settings decoder error)
}

// Error names the field, the value and the rule it breaks.
func (e *InvalidError) Error() string {
	msg := fmt.Sprintf("vetview: %s %q: %s", e.Field, e.Value, e.Rule)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Is makes every InvalidError match [ErrInvalid].
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

// Unwrap returns the cause.
func (e *InvalidError) Unwrap() error { return e.Err }

func invalid(field, value, rule string) error {
	return &InvalidError{Field: field, Value: value, Rule: rule}
}
