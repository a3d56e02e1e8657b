package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/vetlink/vetlink/auth"
	"github.com/vetlink/vetlink/rx"
)

// AuthStore keeps auth's password hashes, session generations, failed-login
// counts and API keys, beside rx's users (deleting a user deletes its
// credentials). It implements [auth.Store].
type AuthStore struct{ db *DB }

var _ auth.Store = (*AuthStore)(nil)

// Auth returns the auth store of db.
func (db *DB) Auth() *AuthStore { return &AuthStore{db: db} }

// InTx runs fn in a transaction of the store's database, as [DB.InTx] does.
func (s *AuthStore) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.InTx(ctx, fn)
}

func authNotFound(what string, key any) error {
	return fmt.Errorf("store: %s %v: %w", what, key, auth.ErrNotFound)
}

// Credentials implements [auth.Store].
func (s *AuthStore) Credentials(ctx context.Context, identifier string) (auth.Credentials, error) {
	var (
		c       auth.Credentials
		typ     string
		last    sql.NullInt64
		failing sql.NullInt64
	)
	err := s.db.q(ctx).QueryRowContext(ctx, `SELECT u.id, u.user_type, COALESCE(c.password_hash, ''), COALESCE(c.generation, 0)
		FROM rx_users u LEFT JOIN auth_credentials c ON c.user_id = u.id WHERE u.uname = $1`, identifier).
		Scan(&c.User, &typ, &c.PasswordHash, &c.Generation)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return auth.Credentials{}, err
	}
	c.Removed = rx.UserType(typ) == rx.Removed
	err = s.db.q(ctx).QueryRowContext(ctx, `SELECT failures, last_failure FROM auth_login_failures WHERE identifier = $1`,
		identifier).Scan(&failing, &last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return auth.Credentials{}, err
	}
	c.Failures, c.LastFailure = int(failing.Int64), fromNullMicros(last)
	return c, nil
}

// SetPassword implements [auth.Store].
func (s *AuthStore) SetPassword(ctx context.Context, user rx.UserID, hash string) error {
	_, err := s.db.q(ctx).ExecContext(ctx, `INSERT INTO auth_credentials (user_id, password_hash, generation, updated_at)
		VALUES ($1, $2, 1, $3)
		ON CONFLICT (user_id) DO UPDATE SET password_hash = excluded.password_hash,
			generation = auth_credentials.generation + 1, updated_at = excluded.updated_at`,
		int64(user), hash, micros(time.Now()))
	if isForeignKeyViolation(err) {
		return authNotFound("user", user)
	}
	return err
}

// Generation implements [auth.Store].
func (s *AuthStore) Generation(ctx context.Context, user rx.UserID) (int64, bool, error) {
	var (
		gen int64
		typ string
	)
	err := s.db.q(ctx).QueryRowContext(ctx, `SELECT u.user_type, COALESCE(c.generation, 0)
		FROM rx_users u LEFT JOIN auth_credentials c ON c.user_id = u.id WHERE u.id = $1`, int64(user)).Scan(&typ, &gen)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, authNotFound("user", user)
	}
	return gen, rx.UserType(typ) == rx.Removed, err
}

// RevokeSessions implements [auth.Store].
func (s *AuthStore) RevokeSessions(ctx context.Context, user rx.UserID) error {
	_, err := s.db.q(ctx).ExecContext(ctx, `INSERT INTO auth_credentials (user_id, password_hash, generation, updated_at)
		VALUES ($1, '', 1, $2)
		ON CONFLICT (user_id) DO UPDATE SET generation = auth_credentials.generation + 1, updated_at = excluded.updated_at`,
		int64(user), micros(time.Now()))
	if isForeignKeyViolation(err) {
		return authNotFound("user", user)
	}
	return err
}

// RecordFailure implements [auth.Store].
// Counts a day old are deleted on the way (migration 0051 indexes
// last_failure for it), so that identifiers tried once and never again do
// not pile up.
func (s *AuthStore) RecordFailure(ctx context.Context, identifier string, at time.Time) (int, error) {
	stale := micros(at.Add(-auth.ForgetFailuresAfter))
	if _, err := s.db.q(ctx).ExecContext(ctx, `DELETE FROM auth_login_failures WHERE last_failure <= $1`, stale); err != nil {
		return 0, fmt.Errorf("store: auth: forget old failed logins: %w", err)
	}
	var n int
	err := s.db.q(ctx).QueryRowContext(ctx, `INSERT INTO auth_login_failures (identifier, failures, last_failure)
		VALUES ($1, 1, $2)
		ON CONFLICT (identifier) DO UPDATE SET failures = CASE WHEN auth_login_failures.last_failure <= $3 THEN 1
			ELSE auth_login_failures.failures + 1 END,
			last_failure = excluded.last_failure
		RETURNING failures`, identifier, micros(at), stale).Scan(&n)
	return n, err
}

// ResetFailures implements [auth.Store].
func (s *AuthStore) ResetFailures(ctx context.Context, identifier string) error {
	_, err := s.db.q(ctx).ExecContext(ctx, `DELETE FROM auth_login_failures WHERE identifier = $1`, identifier)
	return err
}

const authAPIKeyColumns = `id, name, key_hash, created_at, revoked_at`

func scanAPIKey(scan func(...any) error) (auth.APIKey, error) {
	var (
		k       auth.APIKey
		created int64
		revoked sql.NullInt64
	)
	err := scan(&k.ID, &k.Name, &k.Hash, &created, &revoked)
	k.Created, k.Revoked = fromMicros(created), fromNullMicros(revoked)
	return k, err
}

// CreateAPIKey implements [auth.Store].
func (s *AuthStore) CreateAPIKey(ctx context.Context, k *auth.APIKey) error {
	if k.Created.IsZero() {
		k.Created = time.Now().UTC()
	}
	err := s.db.q(ctx).QueryRowContext(ctx, `INSERT INTO auth_api_keys (name, key_hash, created_at)
		VALUES ($1, $2, $3) RETURNING id`, k.Name, k.Hash, micros(k.Created)).Scan(&k.ID)
	if isUniqueViolation(err) {
		// The hash is not named: it identifies a live key.
		return fmt.Errorf("store: API key %q: hash exists: %w", k.Name, auth.ErrConflict)
	}
	return err
}

// APIKeyByHash implements [auth.Store].
func (s *AuthStore) APIKeyByHash(ctx context.Context, hash string) (auth.APIKey, error) {
	k, err := scanAPIKey(s.db.q(ctx).QueryRowContext(ctx,
		`SELECT `+authAPIKeyColumns+` FROM auth_api_keys WHERE key_hash = $1`, hash).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.APIKey{}, fmt.Errorf("store: API key: %w", auth.ErrNotFound)
	}
	return k, err
}

// RevokeAPIKey implements [auth.Store].
func (s *AuthStore) RevokeAPIKey(ctx context.Context, id int64, at time.Time) error {
	res, err := s.db.q(ctx).ExecContext(ctx, `UPDATE auth_api_keys SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1`,
		id, micros(at))
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err != nil {
			return err
		}
		return authNotFound("API key", id)
	}
	return nil
}

// APIKeys implements [auth.Store].
func (s *AuthStore) APIKeys(ctx context.Context) ([]auth.APIKey, error) {
	return queryAll(ctx, s.db, scanAPIKey, `SELECT `+authAPIKeyColumns+` FROM auth_api_keys ORDER BY id`)
}
