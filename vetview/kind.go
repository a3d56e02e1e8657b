package vetview

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Kind is a job kind: a Go function and the typed settings it takes. A
// program registers its kinds in a [Registry] at start-up; jobs name a kind
// and carry its settings as JSON, decoded into S for every run.
//
// If S (or *S) has a method Validate() error, it is called whenever
// settings are decoded: when a job is configured and before every run.
type Kind[S any] struct {
	// Name identifies the kind in jobs and in the API, e.g. "reminders".
	Name string
	// Title is a short human-readable name, e.g. "Send task reminders".
	Title string
	// Description says what a job of this kind does.
	Description string
	// Defaults are the settings a new job of this kind starts from.
	Defaults S
	// Run does one run of a job. ctx is cancelled when the run's lease is
	// lost or the server stops and the shutdown timeout passed (at once,
	// for a kind that sets StopWithServer); Run should return promptly
	// then. Its error is recorded as the run's last error.
	Run func(ctx context.Context, run RunInfo, settings S) error
	// StopWithServer marks a kind whose runs go on until told to stop,
	// such as a listener: when its server stops, a run's ctx is cancelled
	// at once instead of after the shutdown timeout, and its occurrence is
	// given back, due at once, so that another server takes it over
	// without waiting for the schedule.
	StopWithServer bool
}

// RunInfo describes the run a [Kind]'s Run function is doing.
type RunInfo struct {
	// RunID identifies this run (it is the lease token). A run is repeated
	// after a crash under a new RunID but the same Job and ScheduledAt:
	// (Job.ID, ScheduledAt) makes an idempotency key for the occurrence.
	RunID       string
	Job         Job       // the job as configured when the run was claimed
	Server      string    // the name of the server running it
	ScheduledAt time.Time // the occurrence this run is for
	StartedAt   time.Time // when the run was claimed
}

// KindInfo describes a registered kind for listings.
type KindInfo struct {
	Name        string
	Title       string
	Description string
	// Defaults are the kind's default settings, as JSON.
	Defaults json.RawMessage
}

// kind is a registered Kind with its settings type erased.
type kind struct {
	info           KindInfo
	decode         func(json.RawMessage) (any, error)
	run            func(ctx context.Context, run RunInfo, settings any) error
	stopWithServer bool
}

// Registry holds the job kinds a program knows. Its zero value is empty and
// ready to use; it is safe for concurrent use.
type Registry struct {
	mu    sync.RWMutex
	kinds map[string]*kind
}

// Register adds a kind to r. It fails with [ErrKindRegistered] if r already
// has a kind of that name, and with [ErrInvalid] if the kind has no name or
// no Run function, or if its Defaults do not validate.
func Register[S any](r *Registry, k Kind[S]) error {
	if k.Name == "" {
		return invalid("kind.name", "", "must not be empty")
	}
	if k.Run == nil {
		return invalid("kind.run", k.Name, "must not be nil")
	}
	defaults, err := json.Marshal(k.Defaults)
	if err != nil {
		return &InvalidError{Field: "kind.defaults", Value: k.Name, Rule: "must encode as JSON", Err: err}
	}
	decode := func(raw json.RawMessage) (any, error) {
		var s S
		if len(bytes.TrimSpace(raw)) == 0 {
			raw = defaults
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&s); err != nil {
			return nil, &InvalidError{Field: "settings", Value: string(raw), Rule: "must be the JSON settings of kind " + k.Name, Err: err}
		}
		if dec.More() {
			return nil, invalid("settings", string(raw), "must be one JSON object")
		}
		if err := validateSettings(&s); err != nil {
			return nil, &InvalidError{Field: "settings", Value: string(raw), Rule: "rejected by kind " + k.Name, Err: err}
		}
		return s, nil
	}
	if _, err := decode(defaults); err != nil {
		return fmt.Errorf("vetview: kind %s: defaults: %w", k.Name, err)
	}
	run := k.Run
	entry := &kind{
		info:           KindInfo{Name: k.Name, Title: k.Title, Description: k.Description, Defaults: defaults},
		decode:         decode,
		stopWithServer: k.StopWithServer,
		run: func(ctx context.Context, info RunInfo, settings any) error {
			return run(ctx, info, settings.(S))
		},
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.kinds[k.Name]; ok {
		return fmt.Errorf("%w: %s", ErrKindRegistered, k.Name)
	}
	if r.kinds == nil {
		r.kinds = make(map[string]*kind)
	}
	r.kinds[k.Name] = entry
	return nil
}

// MustRegister is [Register] for program start-up: it panics on an error.
func MustRegister[S any](r *Registry, k Kind[S]) {
	if err := Register(r, k); err != nil {
		panic(err)
	}
}

func validateSettings(p any) error {
	if v, ok := p.(interface{ Validate() error }); ok {
		return v.Validate()
	}
	return nil
}

// Kinds lists the registered kinds, sorted by name.
func (r *Registry) Kinds() []KindInfo {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]KindInfo, 0, len(r.kinds))
	for _, k := range r.kinds {
		out = append(out, k.info)
	}
	slices.SortFunc(out, func(a, b KindInfo) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// names lists the registered kind names, sorted.
func (r *Registry) names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.kinds))
	for n := range r.kinds {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

func (r *Registry) lookup(name string) (*kind, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	k, ok := r.kinds[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownKind, name)
	}
	return k, nil
}

// ValidateSettings decodes settings for the named kind and validates them
// as configuring a job would. Empty settings mean the kind's defaults.
func (r *Registry) ValidateSettings(kindName string, settings json.RawMessage) error {
	k, err := r.lookup(kindName)
	if err != nil {
		return err
	}
	_, err = k.decode(settings)
	return err
}
