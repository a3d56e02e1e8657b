package auth

import (
	"context"
	"time"

	"github.com/vetlink/vetlink/rx"
)

// Store is the durable state auth needs, in auth's words. Package store
// implements it on SQLite and PostgreSQL (store.DB.Auth); authtest.TestStore
// is its conformance suite.
//
// Users themselves belong to rx: a Store reads them (by uname, by id) and
// keeps only their password hash and session generation beside them.
// Every method joins the transaction its context carries (InTx).
type Store interface {
	// InTx runs fn in one transaction, as rx.Store.InTx does.
	InTx(ctx context.Context, fn func(ctx context.Context) error) error

	// Credentials reads what a login with identifier (a user's uname)
	// needs. It never fails for an unknown identifier: it returns
	// Credentials with User 0, and the identifier's failure record all the
	// same, since failures are counted for names that do not exist too.
	Credentials(ctx context.Context, identifier string) (Credentials, error)
	// SetPassword stores hash as user's password hash and advances the
	// user's session generation by one. ErrNotFound when no such user.
	SetPassword(ctx context.Context, user rx.UserID, hash string) error
	// Generation reads user's session generation (0 until a password is
	// set or sessions revoked) and whether the user is REMOVED.
	// ErrNotFound when no such user.
	Generation(ctx context.Context, user rx.UserID) (gen int64, removed bool, err error)
	// RevokeSessions advances user's session generation by one.
	// ErrNotFound when no such user.
	RevokeSessions(ctx context.Context, user rx.UserID) error

	// RecordFailure counts one more consecutive failed login of
	// identifier, at the given instant, atomically, and returns the new
	// count. A count whose latest failure is [ForgetFailuresAfter] or
	// more before at starts again from one, and the store may delete
	// every count that old (identifiers never seen again, such as those
	// of a password-spraying run, must not pile up).
	RecordFailure(ctx context.Context, identifier string, at time.Time) (failures int, err error)
	// ResetFailures forgets identifier's failed logins.
	ResetFailures(ctx context.Context, identifier string) error

	// CreateAPIKey stores k (Hash, Name, Created) and sets k.ID.
	// ErrConflict when a key with the same hash exists.
	CreateAPIKey(ctx context.Context, k *APIKey) error
	// APIKeyByHash reads the key whose hash is hash, revoked or not.
	// ErrNotFound when there is none.
	APIKeyByHash(ctx context.Context, hash string) (APIKey, error)
	// RevokeAPIKey marks key id revoked at the given instant; revoking a
	// revoked key keeps its first instant. ErrNotFound when there is none.
	RevokeAPIKey(ctx context.Context, id int64, at time.Time) error
	// APIKeys lists every key, revoked ones too, in ID order.
	APIKeys(ctx context.Context) ([]APIKey, error)
}

// Credentials is what a [Store] knows about a login identifier.
type Credentials struct {
	// User is the user whose uname is the identifier; 0 when none is.
	User rx.UserID
	// PasswordHash is the PHC string of the user's password; empty when
	// none was ever set (such a user cannot log in).
	PasswordHash string
	// Generation is the user's session generation: a token is valid only
	// while the generation it carries is the current one.
	Generation int64
	// Removed is true for a REMOVED user, who may not log in.
	Removed bool
	// Failures counts the identifier's consecutive failed logins, and
	// LastFailure is when the latest happened (zero when Failures is 0).
	Failures    int
	LastFailure time.Time
}

// APIKey is the stored record of an API key: it names an application that
// may call the API. The key itself is never stored, only its SHA-256.
type APIKey struct {
	// ID identifies the record, for listing and revoking.
	ID int64 `json:"id"`
	// Name says whose key it is, for the operator ("herd-app", "env").
	Name string `json:"name"`
	// Hash is the lowercase hex SHA-256 of the key.
	Hash string `json:"-"`
	// Created is when the key was made or adopted.
	Created time.Time `json:"created"`
	// Revoked is when the key was revoked; zero while it is valid.
	Revoked time.Time `json:"revoked,omitzero"`
}
