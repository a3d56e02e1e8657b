// Package storage declares what vetlink's OAuth 2.0 server keeps — clients,
// authorization requests and codes, access and refresh tokens, signing
// keys, the integration catalogue, its registrations, their virtual users
// and permission groups — and the [Store] interface that package store
// implements on SQLite and PostgreSQL (store.DB.OAuth).
//
// It imports nothing but the standard library, so that store need not
// import the OAuth library package oauth builds on; storagetest is the
// conformance suite every implementation runs.
//
// No secret is kept in a form that can be used: client secrets, codes and
// refresh tokens are kept as their SHA-256 ([Hash]), and a signing key's
// private half is sealed by the implementation under the server's secret
// key.
package storage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"
)

// Errors a [Store] returns, wrapped with the record at fault; test them
// with errors.Is.
var (
	// ErrNotFound reports a record that does not exist.
	ErrNotFound = errors.New("oauth: not found")
	// ErrConflict reports a record whose unique key is taken (a client ID,
	// an integration's name, an organisation's second registration of one
	// integration).
	ErrConflict = errors.New("oauth: conflict")
)

// Hash returns the lowercase hex SHA-256 of a secret (a client secret, a
// code, a refresh token), the form in which it is stored. A fast hash is
// enough: each carries at least 256 random bits.
func Hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// ClientType is RFC 6749 §2.1's client type.
type ClientType string

// The client types.
const (
	// Confidential clients keep a secret (a backend); they authenticate at
	// the token endpoint.
	Confidential ClientType = "confidential"
	// Public clients cannot keep a secret (a browser or mobile app); they
	// must use PKCE.
	Public ClientType = "public"
)

// GrantType is an RFC 6749 grant type a client may use.
type GrantType string

// The grant types the server offers.
const (
	ClientCredentials GrantType = "client_credentials"
	AuthorizationCode GrantType = "authorization_code"
	RefreshTokenGrant GrantType = "refresh_token"
)

// Client is an OAuth client.
type Client struct {
	// ID is the client_id.
	ID string
	// SecretHash is [Hash] of the client secret; empty for a public client.
	SecretHash string
	// Name is shown on the consent page.
	Name         string
	Type         ClientType
	GrantTypes   []GrantType
	RedirectURIs []string
	// Scopes are the scopes the client may be granted, at most.
	Scopes []string
	// Organisation, Registration and VirtualUser tie a client made by a
	// registration of the catalogue to it; zero for other clients.
	Organisation string
	Registration int64
	VirtualUser  int64
	Created      time.Time
	// Revoked is when the client was revoked; zero while it is valid.
	Revoked time.Time
}

// AuthRequest is an authorization request of the authorization-code flow,
// from the authorize endpoint through login and consent to the code and
// its exchange.
type AuthRequest struct {
	ID                  string
	ClientID            string
	RedirectURI         string
	Scopes              []string
	State               string
	Nonce               string
	ResponseType        string
	ResponseMode        string
	CodeChallenge       string
	CodeChallengeMethod string
	// User is the vetlink user who logged in and consented; zero before.
	User     int64
	AuthTime time.Time
	// Done is set once the user consented.
	Done bool
	// CodeHash is [Hash] of the code issued for the request; empty before.
	CodeHash string
	// CodeUsed is when the code was exchanged; zero before. A second
	// exchange finds it set (RFC 6749 §4.1.2: a code is used once).
	CodeUsed time.Time
	Created  time.Time
	Expires  time.Time
}

// AccessToken is an issued access token. The token the client holds is
// opaque; it names this record by ID.
type AccessToken struct {
	ID           string
	ClientID     string
	Subject      string
	User         int64
	VirtualUser  int64
	Organisation string
	Scopes       []string
	// Family is the refresh-token family it was issued with ("" for
	// none): revoking the family revokes it.
	Family string
	// AuthRequest is the authorization request whose code it was issued
	// for (""), so that a replayed code revokes it.
	AuthRequest string
	Created     time.Time
	Expires     time.Time
	Revoked     time.Time
}

// AccessGrant is an access token with what checking it needs.
type AccessGrant struct {
	Token AccessToken
	// ClientRevoked is when the token's client was revoked; zero while
	// it is valid.
	ClientRevoked time.Time
	// GroupPermissions are the permissions the group of the token's
	// virtual user grants now; nil for a token without a virtual user.
	GroupPermissions []string
}

// RefreshToken is an issued refresh token. Each use rotates it: the token
// is marked Used and a new one of the same Family issued; presenting a
// used token again revokes the whole family.
type RefreshToken struct {
	ID           string
	Hash         string
	Family       string
	ClientID     string
	Subject      string
	User         int64
	VirtualUser  int64
	Organisation string
	Scopes       []string
	Audience     []string
	AMR          []string
	AuthTime     time.Time
	Created      time.Time
	Expires      time.Time
	Used         time.Time
	Revoked      time.Time
}

// SigningKey is a key that signs ID tokens. PrivateKey is its PKCS #8 DER
// form, in the clear in memory; the Store seals it at rest.
type SigningKey struct {
	// ID is the key's kid, a UUID.
	ID         string
	Algorithm  string
	PrivateKey []byte
	Created    time.Time
}

// Visibility says which organisations see an integration in the catalogue.
type Visibility string

// The visibilities.
const (
	VisibleToAll           Visibility = "all"
	VisibleToOrganisations Visibility = "organisations"
	VisibleToCountries     Visibility = "countries"
)

// Notification says how an integration is told of a new registration.
type Notification string

// The notifications.
const (
	NotifyByEmail  Notification = "email"
	NotifyByHookup Notification = "hookup"
)

// Integration is an entry of the catalogue an administrator defines.
type Integration struct {
	ID          int64
	Name        string
	Description string
	Visibility  Visibility
	// VisibleTo lists organisation IDs or ISO 3166-1 alpha-2 country codes,
	// as Visibility says; empty for VisibleToAll.
	VisibleTo    []string
	GrantType    GrantType
	ClientType   ClientType
	RedirectURIs []string
	Scopes       []string
	Notify       Notification
	// Email receives registrations when Notify is NotifyByEmail.
	Email string
	// HookupURL receives registrations when Notify is NotifyByHookup,
	// signed by the webhook subscription HookupSubscription (a UUID).
	HookupURL          string
	HookupSubscription string
	Created            time.Time
	Updated            time.Time
}

// Registration is an organisation's adoption of an integration: the client
// and virtual user made for it.
type Registration struct {
	ID           int64
	Integration  int64
	Organisation string
	Country      string
	ClientID     string
	VirtualUser  int64
	Created      time.Time
}

// Group is a permission group: the permissions it grants, by name.
type Group struct {
	ID          int64
	Name        string
	Permissions []string
}

// VirtualUser is the user an integration acts as within one organisation,
// "Integration <name>", with its own permission group.
type VirtualUser struct {
	ID           int64
	Name         string
	Organisation string
	Group        int64
	Created      time.Time
}

// Store is the durable state of the OAuth server. Every method joins the
// transaction its context carries (InTx). Instants are kept to the
// microsecond, in UTC.
type Store interface {
	// InTx runs fn in one transaction.
	InTx(ctx context.Context, fn func(ctx context.Context) error) error

	// CreateClient stores c; ErrConflict when its ID is taken.
	CreateClient(ctx context.Context, c *Client) error
	// Client reads client id, revoked or not; ErrNotFound.
	Client(ctx context.Context, id string) (Client, error)
	// RevokeClient marks client id revoked and revokes every access and
	// refresh token issued to it, at the given instant; ErrNotFound.
	RevokeClient(ctx context.Context, id string, at time.Time) error

	// CreateAuthRequest stores r.
	CreateAuthRequest(ctx context.Context, r *AuthRequest) error
	// AuthRequest reads request id; ErrNotFound.
	AuthRequest(ctx context.Context, id string) (AuthRequest, error)
	// AuthRequestByCode reads the request whose code hashes to codeHash;
	// ErrNotFound.
	AuthRequestByCode(ctx context.Context, codeHash string) (AuthRequest, error)
	// CompleteAuthRequest records that user logged in and consented to
	// request id at the given instant (Done); ErrNotFound.
	CompleteAuthRequest(ctx context.Context, id string, user int64, at time.Time) error
	// SaveCode sets request id's CodeHash; ErrNotFound.
	SaveCode(ctx context.Context, id, codeHash string) error
	// UseCode marks request id's code used at the given instant, once: it
	// reports false when the code had been used already. ErrNotFound.
	UseCode(ctx context.Context, id string, at time.Time) (first bool, err error)
	// DeleteAuthRequest forgets request id; no error when it is gone.
	DeleteAuthRequest(ctx context.Context, id string) error

	// CreateAccessToken stores t.
	CreateAccessToken(ctx context.Context, t *AccessToken) error
	// AccessToken reads token id, revoked or not; ErrNotFound.
	AccessToken(ctx context.Context, id string) (AccessToken, error)
	// AccessGrant reads token id with what a check of it needs, in one
	// query: its client's revocation and its virtual user's group's
	// permissions. ErrNotFound.
	AccessGrant(ctx context.Context, id string) (AccessGrant, error)
	// RevokeAccessToken marks token id revoked; ErrNotFound.
	RevokeAccessToken(ctx context.Context, id string, at time.Time) error
	// RevokeAuthRequestTokens revokes every access token issued for the
	// code of auth request id, and the refresh-token families issued with
	// them (a replayed code, RFC 6749 §4.1.2).
	RevokeAuthRequestTokens(ctx context.Context, id string, at time.Time) error

	// CreateRefreshToken stores t; ErrConflict when its hash is taken.
	CreateRefreshToken(ctx context.Context, t *RefreshToken) error
	// RefreshTokenByHash reads the token whose hash is hash, used or
	// revoked or not; ErrNotFound.
	RefreshTokenByHash(ctx context.Context, hash string) (RefreshToken, error)
	// UseRefreshToken marks token id used at the given instant, once: it
	// reports false when it was used or revoked already (a reuse).
	UseRefreshToken(ctx context.Context, id string, at time.Time) (first bool, err error)
	// RevokeFamily revokes every refresh token of family and every access
	// token issued with them.
	RevokeFamily(ctx context.Context, family string, at time.Time) error

	// PurgeExpired deletes what expired before the given instant:
	// authorization requests, access tokens, and refresh-token families
	// whose every token expired (a used token is kept while its family
	// lives, to recognise its reuse). It returns how many rows went.
	PurgeExpired(ctx context.Context, before time.Time) (int64, error)

	// SigningKeys lists the signing keys, newest first, with their private
	// halves opened.
	SigningKeys(ctx context.Context) ([]SigningKey, error)
	// CreateSigningKey stores k, sealing its private half.
	CreateSigningKey(ctx context.Context, k *SigningKey) error

	// CreateIntegration stores in and sets its ID; ErrConflict when its
	// name is taken.
	CreateIntegration(ctx context.Context, in *Integration) error
	// UpdateIntegration replaces integration in.ID; ErrNotFound,
	// ErrConflict.
	UpdateIntegration(ctx context.Context, in *Integration) error
	// Integration reads integration id; ErrNotFound.
	Integration(ctx context.Context, id int64) (Integration, error)
	// Integrations lists every integration in ID order.
	Integrations(ctx context.Context) ([]Integration, error)
	// DeleteIntegration deletes integration id, which must have no
	// registrations left; ErrNotFound, ErrConflict.
	DeleteIntegration(ctx context.Context, id int64) error

	// CreateRegistration stores r and sets its ID; ErrConflict when the
	// organisation has registered the integration already.
	CreateRegistration(ctx context.Context, r *Registration) error
	// Registration reads registration id; ErrNotFound.
	Registration(ctx context.Context, id int64) (Registration, error)
	// Registrations lists the registrations of integration (every one
	// when integration is 0), in ID order.
	Registrations(ctx context.Context, integration int64) ([]Registration, error)
	// DeleteRegistration forgets registration id (its client stays,
	// revoked); ErrNotFound.
	DeleteRegistration(ctx context.Context, id int64) error

	// CreateGroup stores g and sets its ID.
	CreateGroup(ctx context.Context, g *Group) error
	// Group reads group id; ErrNotFound.
	Group(ctx context.Context, id int64) (Group, error)
	// CreateVirtualUser stores u and sets its ID.
	CreateVirtualUser(ctx context.Context, u *VirtualUser) error
	// VirtualUser reads virtual user id; ErrNotFound.
	VirtualUser(ctx context.Context, id int64) (VirtualUser, error)
}
