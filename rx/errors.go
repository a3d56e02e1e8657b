package rx

import (
	"errors"
	"strings"
)

// Sentinel errors classify every failure of this package. Test them with
// errors.Is; the error returned is an [*Error] naming the operation and the
// input at fault, and a wrapped *protocol.FieldError when the protocol
// rejected the case.
var (
	// ErrInvalid reports malformed input: a missing animal ID, case data
	// the protocol cannot use, an unknown user type.
	ErrInvalid = errors.New("rx: invalid input")
	// ErrNotFound reports an unknown user, prescription, case or task.
	ErrNotFound = errors.New("rx: not found")
	// ErrForbidden reports an actor the VCPR does not allow to do this.
	ErrForbidden = errors.New("rx: forbidden")
	// ErrConflict reports a write that lost to another: a task already
	// executed, a transition from the wrong status, a duplicate name.
	ErrConflict = errors.New("rx: conflict")
	// ErrExpired reports a prescription past its expiration.
	ErrExpired = errors.New("rx: prescription expired")
	// ErrUsedUp reports a prescription whose fills (first fill plus
	// refills) are all used.
	ErrUsedUp = errors.New("rx: prescription used up")
	// ErrRecalled reports a prescription the veterinarian recalled.
	ErrRecalled = errors.New("rx: prescription recalled")
	// ErrDeclined reports a prescription the client declined.
	ErrDeclined = errors.New("rx: prescription declined")
	// ErrNotActive reports a prescription that is not yet usable: a
	// renewal still REQUESTED and not approved by the veterinarian.
	ErrNotActive = errors.New("rx: prescription not active")
	// ErrProhibited reports a drug use that federal law forbids in food
	// animals (21 CFR 530.41, 530.11): a prohibited drug used extra-label,
	// or a conditional prohibition that applies to this animal. The rule
	// names the drug, the reason and the citation.
	ErrProhibited = errors.New("rx: prohibited use in food animals")
	// ErrUnidentified reports a treatment whose product the drug
	// dictionary cannot identify, prescribed or enrolled for a food animal
	// without the veterinarian's confirmation of its active ingredient
	// (PrescriptionRequest.Confirmations). It comes with ErrInvalid: the
	// request lacks an input, and errors.Is finds both.
	ErrUnidentified = errors.New("rx: active ingredient not identified")
)

// Error is the error every Service method returns: the operation, the input
// at fault (a prescription ID, "case 12", "animalId"), the rule broken in
// words, and the sentinel (or a protocol error) it wraps.
//
// Error() reads "rx: enroll: prescription Vi1y9kbpEj7Upqy7: expired on
// 2026-01-01T00:00:00Z".
type Error struct {
	Op    string // "enroll", "execute", "recall" …
	Input string // what was wrong: "prescription Vi1y9kbpEj7Upqy7", "animalId"
	Rule  string // the rule, in words
	Err   error  // a sentinel of this package, or a protocol error
}

// Error returns "rx: op: input: rule".
func (e *Error) Error() string {
	parts := make([]string, 0, 3)
	for _, p := range []string{e.Op, e.Input, e.Rule} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if e.Rule == "" && e.Err != nil {
		parts = append(parts, strings.TrimPrefix(e.Err.Error(), "rx: "))
	}
	return "rx: " + strings.Join(parts, ": ")
}

// Unwrap returns the sentinel or protocol error.
func (e *Error) Unwrap() error { return e.Err }

// fail builds an *Error.
func fail(op, input, rule string, err error) error {
	return &Error{Op: op, Input: input, Rule: rule, Err: err}
}

// withOp fills in the operation of an *Error returned by a rule function
// (which does not know the operation) and wraps any other error.
func withOp(op string, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) && e.Op == "" {
		c := *e
		c.Op = op
		return &c
	}
	if errors.As(err, &e) {
		return err
	}
	return &Error{Op: op, Err: err}
}
