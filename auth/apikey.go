package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// APIKeyPrefix starts every key [Service.CreateAPIKey] makes, so that a
// leaked key is recognisable to secret scanners and to people.
const APIKeyPrefix = "vlk_"

// MinAPIKeyLen is the shortest key [Service.EnsureAPIKey] adopts: a key
// an operator makes up must still resist guessing.
const MinAPIKeyLen = 32

// HashAPIKey returns the lowercase hex SHA-256 of key, the form in which
// keys are stored. A fast hash is enough here, unlike for passwords: keys
// carry 256 random bits, so there is nothing to guess from the hash.
func HashAPIKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// CreateAPIKey makes a new key named name, stores its hash and returns the
// key, which is shown to the caller this once and never again.
func (s *Service) CreateAPIKey(ctx context.Context, name string) (string, APIKey, error) {
	b := make([]byte, 32)
	rand.Read(b)
	key := APIKeyPrefix + base64.RawURLEncoding.EncodeToString(b)
	rec := APIKey{Name: name, Hash: HashAPIKey(key), Created: s.now()}
	if err := s.Store.CreateAPIKey(ctx, &rec); err != nil {
		return "", APIKey{}, fmt.Errorf("auth: create API key %q: %w", name, err)
	}
	return key, rec, nil
}

// EnsureAPIKey adopts key, supplied by the operator (the reference server
// reads VETLINK_API_KEY), under name: it stores the key's hash unless it is
// stored already, and returns the record. Calling it at every start is
// harmless. It fails with [ErrBadAPIKey] for a key shorter than
// [MinAPIKeyLen] or one that was revoked: a revoked key stays revoked until
// the operator supplies a new one.
func (s *Service) EnsureAPIKey(ctx context.Context, name, key string) (APIKey, error) {
	if len(key) < MinAPIKeyLen || strings.TrimSpace(key) != key {
		return APIKey{}, fmt.Errorf("%w: key %q: shorter than %d characters or padded with spaces", ErrBadAPIKey, name, MinAPIKeyLen)
	}
	hash := HashAPIKey(key)
	var rec APIKey
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		var err error
		rec, err = s.Store.APIKeyByHash(ctx, hash)
		if errors.Is(err, ErrNotFound) {
			rec = APIKey{Name: name, Hash: hash, Created: s.now()}
			err = s.Store.CreateAPIKey(ctx, &rec)
		}
		return err
	})
	if errors.Is(err, ErrConflict) { // another process adopted it first
		rec, err = s.Store.APIKeyByHash(ctx, hash)
	}
	if err != nil {
		return APIKey{}, fmt.Errorf("auth: adopt API key %q: %w", name, err)
	}
	if !rec.Revoked.IsZero() {
		return APIKey{}, fmt.Errorf("%w: key %q was revoked at %s", ErrBadAPIKey, name, rec.Revoked.Format("2006-01-02T15:04:05Z07:00"))
	}
	return rec, nil
}

// RevokeAPIKey revokes key record id: calls with that key fail from now on.
func (s *Service) RevokeAPIKey(ctx context.Context, id int64) error {
	if err := s.Store.RevokeAPIKey(ctx, id, s.now()); err != nil {
		return fmt.Errorf("auth: revoke API key %d: %w", id, err)
	}
	return nil
}

// APIKeys lists the key records, revoked ones too.
func (s *Service) APIKeys(ctx context.Context) ([]APIKey, error) {
	return s.Store.APIKeys(ctx)
}

// CheckAPIKey returns nil when key is a stored, unrevoked API key, and an
// error matching [ErrBadAPIKey] otherwise.
func (s *Service) CheckAPIKey(ctx context.Context, key string) error {
	if key == "" {
		return fmt.Errorf("%w: missing", ErrBadAPIKey)
	}
	rec, err := s.Store.APIKeyByHash(ctx, HashAPIKey(key))
	switch {
	case errors.Is(err, ErrNotFound):
		return fmt.Errorf("%w: unknown", ErrBadAPIKey)
	case err != nil:
		return fmt.Errorf("auth: check API key: %w", err)
	case !rec.Revoked.IsZero():
		return fmt.Errorf("%w: revoked", ErrBadAPIKey)
	}
	return nil
}
