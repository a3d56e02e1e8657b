package site

import (
	"errors"
	"strings"

	"github.com/vetlink/vetlink/rx"
)

// ErrExpired reports a token used after its expiry. It is site's own
// sentinel: rx has no expired token, only an expired prescription.
var ErrExpired = errors.New("site: token expired")

// Error is the error every Service method and May… function returns: the
// operation, the input at fault ("zip", "user 7", "token"), the rule in
// words, and the sentinel it wraps — rx.ErrInvalid, rx.ErrNotFound,
// rx.ErrForbidden, rx.ErrConflict, or ErrExpired.
//
// Error() reads "site: update address: zip: longer than 200 bytes".
type Error struct {
	Op    string // "update address", "send message" …
	Input string // what was wrong: "address1", "user 7", "token"
	Rule  string // the rule, in words
	Err   error  // a sentinel
}

// Error returns "site: op: input: rule".
func (e *Error) Error() string {
	parts := make([]string, 0, 3)
	for _, p := range []string{e.Op, e.Input, e.Rule} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if e.Rule == "" && e.Err != nil {
		parts = append(parts, strings.TrimPrefix(strings.TrimPrefix(e.Err.Error(), "rx: "), "site: "))
	}
	return "site: " + strings.Join(parts, ": ")
}

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Err }

func fail(op, input, rule string, err error) error {
	return &Error{Op: op, Input: input, Rule: rule, Err: err}
}

func invalid(input, rule string) error { return fail("", input, rule, rx.ErrInvalid) }

// withOp fills in the operation of an *Error from a rule or validation
// function, and wraps any other error (a store's) with it.
func withOp(op string, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		if e.Op == "" {
			c := *e
			c.Op = op
			return &c
		}
		return err
	}
	return &Error{Op: op, Err: err}
}
