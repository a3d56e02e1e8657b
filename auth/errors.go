package auth

import (
	"errors"
	"fmt"
	"time"
)

// Errors returned by [Service]. They are wrapped with detail that never
// includes a password, a hash, a key or a token; test them with errors.Is.
var (
	// ErrBadCredentials reports a login whose identifier or password is
	// wrong, or whose user is REMOVED or has no password. The three cases
	// are deliberately indistinguishable to the caller.
	ErrBadCredentials = errors.New("auth: bad credentials")
	// ErrBadAPIKey reports an API key that is unknown, revoked or malformed.
	ErrBadAPIKey = errors.New("auth: bad API key")
	// ErrBadToken reports a token that is malformed, not signed by the
	// service's key, not HS256, or revoked (its user's session generation
	// moved on, or its user is gone or REMOVED).
	ErrBadToken = errors.New("auth: bad token")
	// ErrTokenExpired reports a well-signed token past its expiry.
	ErrTokenExpired = errors.New("auth: token expired")
	// ErrThrottled reports a login refused without checking the password
	// because the identifier failed too often just now; see [LockError].
	ErrThrottled = errors.New("auth: too many failed logins, retry later")
	// ErrLocked reports a login refused because the identifier failed
	// [LockAfter] times in a row; see [LockError].
	ErrLocked = errors.New("auth: locked after too many failed logins")
	// ErrWeakPassword reports a password that breaks the password rule
	// (at least [MinPasswordLen] characters).
	ErrWeakPassword = errors.New("auth: weak password")
	// ErrBadConfig reports a [Service] that cannot work as configured,
	// such as a signing key shorter than [MinKeyLen] bytes.
	ErrBadConfig = errors.New("auth: bad configuration")

	// ErrNotFound is what a [Store] returns for an unknown user or API key.
	ErrNotFound = errors.New("auth: not found")
	// ErrConflict is what a [Store] returns for an API key whose hash is
	// already stored.
	ErrConflict = errors.New("auth: conflict")
)

// LockError is the error of a login refused by the failed-login rule. It
// matches [ErrLocked] when Locked is set and [ErrThrottled] otherwise, so
//
//	var le *auth.LockError
//	if errors.As(err, &le) { w.Header().Set("Retry-After", ...le.RetryAfter...) }
//
// gives the HTTP layer its Retry-After.
type LockError struct {
	// Locked is true for the long lock after LockAfter failures, false for
	// the short, growing delay before it.
	Locked bool
	// RetryAfter is how long the caller must wait before the next attempt
	// will be considered. It is always positive.
	RetryAfter time.Duration
}

func (e *LockError) Error() string {
	// Round up, so that a client waiting the advertised time is admitted.
	secs := (e.RetryAfter + time.Second - 1) / time.Second
	if e.Locked {
		return fmt.Sprintf("%v: retry after %ds", ErrLocked, secs)
	}
	return fmt.Sprintf("%v: retry after %ds", ErrThrottled, secs)
}

// Is makes errors.Is(err, ErrLocked) or errors.Is(err, ErrThrottled) true.
func (e *LockError) Is(target error) bool {
	if e.Locked {
		return target == ErrLocked
	}
	return target == ErrThrottled
}
