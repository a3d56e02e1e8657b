package rx

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/vetlink/vetlink/protocol"
)

// Service carries out the VCPR's operations over a Store. The zero value
// of every field but Store is useful.
//
// Every method takes the acting user (an Actor, from Service.Actor) and
// checks the matching May… rule before it reads or writes. Every write is
// one transaction: on any error nothing stored has changed.
//
// To announce a change atomically with it (a webhook outbox row, say), the
// caller runs the Service method inside the store's transaction:
//
//	err := db.InTx(ctx, func(ctx context.Context) error {
//		hx, err := svc.Enroll(ctx, actor, req)
//		if err != nil {
//			return err
//		}
//		return outbox.Publish(ctx, caseCreated(hx))
//	})
//
// The Service's own transaction then nests inside the caller's, and both
// commit or roll back together. rx itself knows nothing of webhooks.
type Service struct {
	Store Store
	// Clock returns the current time; nil means time.Now.
	Clock func() time.Time
	// Logger receives one line per change; nil discards.
	Logger *slog.Logger
	// Grace is how long after doAt a task stays DUE before it is OVERDUE;
	// zero means DefaultGrace.
	Grace time.Duration
	// Location is the farm's time zone, for "today"; nil means UTC.
	Location *time.Location
	// Withholds are the farm's rules for release times (milkings, local
	// calendar days); the zero value counts elapsed hours, as VCPR does.
	WithholdOptions protocol.WithholdOptions
	// Labels are the approved label claims protocols are classified
	// against for the AMDUCA rules (protocol.Classify) when LabelStore is
	// nil, for users of the package without a library store. A treatment
	// whose claim is not among them counts as extra-label, so the
	// prohibitions of 21 CFR 530.41 are checked for it by drug name; with
	// Labels nil every treatment is checked that way, which errs on the
	// side of refusing.
	Labels []protocol.LabelClaim
	// LabelStore, when set, is where the label claims are read from
	// instead of Labels: the protocol library's claims (store.DB.Library,
	// which Library.Seed fills with the shipped claims of protocol/labels).
	// They are read by each operation that classifies, inside its
	// transaction, so a claim created or edited through the Library is
	// used by the next prescription or enrollment. When LabelStore is also
	// a LabelStamper, the decoded claims are kept and decoded again only
	// when the stamp has changed.
	LabelStore LabelSource

	labelCache atomic.Pointer[stampedLabels]
}

// LabelSource gives the current label claims; a LibraryStore is one.
type LabelSource interface {
	// LabelClaims lists every claim.
	LabelClaims(ctx context.Context) ([]protocol.LabelClaim, error)
}

// LabelStamper is a LabelSource that can tell, more cheaply than reading
// the claims, whether they changed: LabelClaimsStamp returns a value that
// differs whenever any claim was created, changed or deleted (a digest of
// the stored claims, say). store.LibraryStore is one.
type LabelStamper interface {
	LabelSource
	LabelClaimsStamp(ctx context.Context) (string, error)
}

// stampedLabels are the claims LabelClaims read with their stamp.
type stampedLabels struct {
	stamp  string
	claims []protocol.LabelClaim
}

// LabelClaims returns the label claims the Service classifies against now:
// those of LabelStore when it is set, else Labels (which may be nil). The
// claims are shared with the Service's own classifications: read them, do
// not change them.
func (s *Service) LabelClaims(ctx context.Context) ([]protocol.LabelClaim, error) {
	if s.LabelStore == nil {
		return s.Labels, nil
	}
	st, ok := s.LabelStore.(LabelStamper)
	if !ok {
		cs, err := s.LabelStore.LabelClaims(ctx)
		return cs, storeErr("label claims", "", err)
	}
	stamp, err := st.LabelClaimsStamp(ctx)
	if err != nil {
		return nil, storeErr("label claims", "", err)
	}
	if c := s.labelCache.Load(); c != nil && c.stamp == stamp {
		return c.claims, nil
	}
	cs, err := st.LabelClaims(ctx)
	if err != nil {
		return nil, storeErr("label claims", "", err)
	}
	// The claims may have changed between the two reads: then the stamp
	// is older than the claims, and the next call reads them again, which
	// errs on the side of reading too often.
	s.labelCache.Store(&stampedLabels{stamp: stamp, claims: cs})
	return cs, nil
}

func (s *Service) now() time.Time {
	if s.Clock != nil {
		return s.Clock().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) grace() time.Duration {
	if s.Grace > 0 {
		return s.Grace
	}
	return DefaultGrace
}

func (s *Service) loc() *time.Location {
	if s.Location != nil {
		return s.Location
	}
	return time.UTC
}

func (s *Service) log() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// Actor loads the acting user and their relationships. ErrNotFound when
// the user does not exist; a REMOVED or pending user is returned (the May…
// rules refuse them).
func (s *Service) Actor(ctx context.Context, id UserID) (Actor, error) {
	u, err := s.Store.User(ctx, id)
	if err != nil {
		return Actor{}, storeErr("actor", userInput(id), err)
	}
	rels, err := s.Store.Relations(ctx, id)
	if err != nil {
		return Actor{}, storeErr("actor", userInput(id), err)
	}
	return Actor{User: u, Relations: rels}, nil
}

// storeErr wraps a store error with the operation and input; ErrNotFound
// and ErrConflict keep their class.
func storeErr(op, input string, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return withOp(op, err)
	}
	switch {
	case errors.Is(err, ErrNotFound):
		return fail(op, input, "not found", ErrNotFound)
	case errors.Is(err, ErrConflict):
		return fail(op, input, "changed by another request; retry", ErrConflict)
	}
	return &Error{Op: op, Input: input, Rule: err.Error(), Err: err}
}

// invalid wraps a protocol error so that errors.Is finds both ErrInvalid
// and the protocol's class (protocol.ErrNotEligible…).
func invalid(op, input string, err error) error {
	return &Error{Op: op, Input: input, Rule: err.Error(), Err: errors.Join(ErrInvalid, err)}
}
