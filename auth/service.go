package auth

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/vetlink/vetlink/rx"
)

// The failed-login rule, per identifier. Consecutive failures up to
// ThrottleAfter cost nothing; each later failure makes the next attempt
// wait twice as long as the one before (1 s, 2 s, 4 s ... 64 s); from
// LockAfter failures on, the identifier is locked for LockFor after the
// latest failure. A successful login resets the count. The numbers follow
// NIST SP 800-63B §5.2.2 (at most 100 failures before a lock; throttle
// before that) with far tighter limits, as the OWASP Authentication Cheat
// Sheet suggests for a service with few users.
const (
	ThrottleAfter = 3
	LockAfter     = 10
	LockFor       = 15 * time.Minute
	// ForgetFailuresAfter is how long after an identifier's latest
	// failure its count is forgotten: a day without a failed login starts
	// it again from zero (until then, each failure after a lock lapses
	// locks it again at once).
	ForgetFailuresAfter = 24 * time.Hour
)

// DefaultTokenTTL is how long a token lives when [Service.TokenTTL] is zero.
const DefaultTokenTTL = 24 * time.Hour

// Service checks the reference server's credentials: passwords, API keys
// and session tokens. Its zero value is not usable: Store and Key are
// required; every other field has a useful zero value. A Service is safe
// for concurrent use and holds no state of its own, so several servers
// sharing one database may each run one with the same Key.
type Service struct {
	// Store keeps the password hashes, generations, failure counts and
	// API keys.
	Store Store
	// Key signs and verifies tokens (HMAC-SHA256). It must be at least
	// MinKeyLen bytes, random, and the same on every server that shares
	// the database; changing it revokes every token.
	Key []byte
	// TokenTTL is the lifetime of a token; zero means DefaultTokenTTL.
	TokenTTL time.Duration
	// Hashing sets the argon2id cost of new password hashes; the zero
	// value means DefaultPasswordParams.
	Hashing PasswordParams
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Session is a logged-in user's token.
type Session struct {
	// User is who logged in.
	User rx.UserID `json:"user"`
	// Token goes in the X-Auth-Token header of later requests.
	Token string `json:"token"`
	// Expires is when Token stops being accepted (give or take ClockSkew).
	Expires time.Time `json:"expires"`
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) ttl() time.Duration {
	if s.TokenTTL > 0 {
		return s.TokenTTL
	}
	return DefaultTokenTTL
}

func (s *Service) check() error {
	switch {
	case s.Store == nil:
		return fmt.Errorf("%w: Service.Store is nil", ErrBadConfig)
	case len(s.Key) < MinKeyLen:
		return fmt.Errorf("%w: Service.Key has %d bytes, want at least %d", ErrBadConfig, len(s.Key), MinKeyLen)
	}
	return nil
}

// SetPassword sets user's password, after checking it against the password
// rule ([ErrWeakPassword]). It advances the user's session generation, so
// every token issued before stops working: changing a password logs out
// every other device.
func (s *Service) SetPassword(ctx context.Context, user rx.UserID, password string) error {
	hash, err := HashPassword(password, s.Hashing)
	if err != nil {
		return err
	}
	if err := s.Store.SetPassword(ctx, user, hash); err != nil {
		return fmt.Errorf("auth: set password of user %d: %w", user, err)
	}
	return nil
}

// ChangePassword sets a new password for the user whose uname is
// identifier, who proves it is them with their current password. The
// current password is checked exactly as Login checks one, under the same
// failed-login rule and counted against the same identifier, so that a
// stolen session cannot be used to guess the password faster than a login
// could. On success it returns the user; the session generation advances
// (as SetPassword), so every token of the user stops working.
//
// Errors: [ErrWeakPassword] for a new password that breaks the rule,
// checked first and counted as no failure; a [*LockError] when the
// identifier failed too often; [ErrBadCredentials] for a wrong current
// password (or an identifier that names no user able to log in).
//
// Failures are recorded through the Store as they happen: the caller must
// not run ChangePassword in a transaction it rolls back on error, or the
// count would be lost.
func (s *Service) ChangePassword(ctx context.Context, identifier, current, password string) (rx.UserID, error) {
	if err := s.check(); err != nil {
		return 0, err
	}
	hash, err := HashPassword(password, s.Hashing)
	if err != nil {
		return 0, err
	}
	now := s.now()
	c, err := s.Store.Credentials(ctx, identifier)
	if err != nil {
		return 0, fmt.Errorf("auth: change password: %w", err)
	}
	if le := lockout(c.Failures, c.LastFailure, now); le != nil {
		return 0, le
	}
	ok, err := s.verifyPassword(c.PasswordHash, current)
	if err != nil {
		return 0, fmt.Errorf("auth: change password of user %d: %w", c.User, err)
	}
	if !ok || c.User == 0 || c.Removed {
		if _, err := s.Store.RecordFailure(ctx, identifier, now); err != nil {
			return 0, fmt.Errorf("auth: change password: record failure: %w", err)
		}
		return 0, ErrBadCredentials
	}
	if c.Failures > 0 {
		if err := s.Store.ResetFailures(ctx, identifier); err != nil {
			return 0, fmt.Errorf("auth: change password: reset failures: %w", err)
		}
	}
	if err := s.Store.SetPassword(ctx, c.User, hash); err != nil {
		return 0, fmt.Errorf("auth: set password of user %d: %w", c.User, err)
	}
	return c.User, nil
}

// Login checks apiKey, then identifier (a uname) and password, and returns
// a new session.
//
// Errors: [ErrBadAPIKey]; a [*LockError] (matching [ErrThrottled] or
// [ErrLocked]) when the identifier failed too often, answered without
// checking the password; [ErrBadCredentials] otherwise. An unknown
// identifier, a REMOVED user and a user without a password are answered
// exactly like a wrong password, after the same argon2id work, so that the
// answer and its timing do not reveal which names exist.
//
// Concurrent attempts that all start inside one free window are all
// checked: the throttle bounds the rate of sequential guessing, and the
// lock still comes after LockAfter failures in all.
func (s *Service) Login(ctx context.Context, apiKey, identifier, password string) (Session, error) {
	if err := s.check(); err != nil {
		return Session{}, err
	}
	if err := s.CheckAPIKey(ctx, apiKey); err != nil {
		return Session{}, err
	}
	now := s.now()
	c, err := s.Store.Credentials(ctx, identifier)
	if err != nil {
		return Session{}, fmt.Errorf("auth: login: %w", err)
	}
	if le := lockout(c.Failures, c.LastFailure, now); le != nil {
		return Session{}, le
	}
	ok, err := s.verifyPassword(c.PasswordHash, password)
	if err != nil {
		return Session{}, fmt.Errorf("auth: login of user %d: %w", c.User, err)
	}
	if !ok || c.User == 0 || c.Removed {
		if _, err := s.Store.RecordFailure(ctx, identifier, now); err != nil {
			return Session{}, fmt.Errorf("auth: login: record failure: %w", err)
		}
		return Session{}, ErrBadCredentials
	}
	if c.Failures > 0 {
		if err := s.Store.ResetFailures(ctx, identifier); err != nil {
			return Session{}, fmt.Errorf("auth: login: reset failures: %w", err)
		}
	}
	return s.issue(c.User, c.Generation, now), nil
}

// lockout applies the failed-login rule to an identifier with failures
// consecutive failures, the latest at last. It returns nil when an attempt
// may be checked now.
func lockout(failures int, last, now time.Time) *LockError {
	if now.Sub(last) >= ForgetFailuresAfter {
		return nil
	}
	var wait time.Duration
	switch {
	case failures >= LockAfter:
		wait = LockFor
	case failures >= ThrottleAfter:
		wait = time.Second << (failures - ThrottleAfter)
	default:
		return nil
	}
	if left := last.Add(wait).Sub(now); left > 0 {
		return &LockError{Locked: failures >= LockAfter, RetryAfter: left}
	}
	return nil
}

// dummyHashes holds, per parameter set, the hash of a random password that
// logins without a stored hash are checked against, to spend the same time
// as a real check.
var dummyHashes sync.Map // PasswordParams -> string

func (s *Service) verifyPassword(hash, password string) (bool, error) {
	if hash != "" {
		return VerifyPassword(hash, password)
	}
	p := s.Hashing
	if p == (PasswordParams{}) {
		p = DefaultPasswordParams
	}
	d, ok := dummyHashes.Load(p)
	if !ok {
		b := make([]byte, 16)
		rand.Read(b)
		d, _ = dummyHashes.LoadOrStore(p, hashPassword(hex.EncodeToString(b), p))
	}
	VerifyPassword(d.(string), password)
	return false, nil
}

func (s *Service) issue(user rx.UserID, gen int64, now time.Time) Session {
	c := newClaims(user, gen, now, s.ttl())
	return Session{User: user, Token: signToken(s.Key, c), Expires: time.Unix(c.Exp, 0).UTC()}
}

// Authenticate checks apiKey and token (the X-APIKEY and X-Auth-Token
// headers) and returns the token's user. Errors: [ErrBadAPIKey],
// [ErrTokenExpired], and [ErrBadToken] for a token that is malformed,
// badly signed, revoked, or whose user is gone or REMOVED.
func (s *Service) Authenticate(ctx context.Context, apiKey, token string) (rx.UserID, error) {
	if err := s.check(); err != nil {
		return 0, err
	}
	if err := s.CheckAPIKey(ctx, apiKey); err != nil {
		return 0, err
	}
	_, user, err := s.verifyToken(ctx, token)
	return user, err
}

// Renew returns a new session for the user of token, which must still be
// valid (as for Authenticate); the new token carries the same session
// generation, so RevokeSessions revokes it too.
func (s *Service) Renew(ctx context.Context, token string) (Session, error) {
	if err := s.check(); err != nil {
		return Session{}, err
	}
	c, user, err := s.verifyToken(ctx, token)
	if err != nil {
		return Session{}, err
	}
	return s.issue(user, c.Gen, s.now()), nil
}

// RevokeSessions revokes every token of user by advancing the user's
// session generation.
func (s *Service) RevokeSessions(ctx context.Context, user rx.UserID) error {
	if err := s.Store.RevokeSessions(ctx, user); err != nil {
		return fmt.Errorf("auth: revoke sessions of user %d: %w", user, err)
	}
	return nil
}

func (s *Service) verifyToken(ctx context.Context, token string) (claims, rx.UserID, error) {
	c, user, err := parseToken(s.Key, token, s.now())
	if err != nil {
		return c, 0, err
	}
	gen, removed, err := s.Store.Generation(ctx, user)
	switch {
	case errors.Is(err, ErrNotFound):
		return c, 0, fmt.Errorf("%w: user %d is gone", ErrBadToken, user)
	case err != nil:
		return c, 0, fmt.Errorf("auth: check token of user %d: %w", user, err)
	case removed:
		return c, 0, fmt.Errorf("%w: user %d is REMOVED", ErrBadToken, user)
	case gen != c.Gen:
		return c, 0, fmt.Errorf("%w: sessions of user %d were revoked", ErrBadToken, user)
	}
	return c, user, nil
}
