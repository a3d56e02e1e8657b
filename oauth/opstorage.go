package oauth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/google/uuid"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/vetlink/vetlink/oauth/storage"
	"github.com/vetlink/vetlink/rx"
)

// Lifetimes of what the server issues.
const (
	// AccessTokenTTL is how long an access token is accepted.
	AccessTokenTTL = time.Hour
	// RefreshTokenTTL is how long an unused refresh token is accepted.
	RefreshTokenTTL = 30 * 24 * time.Hour
	// AuthRequestTTL bounds an authorization request from the authorize
	// endpoint to the exchange of its code: RFC 6749 §4.1.2 recommends a
	// code live at most 10 minutes.
	AuthRequestTTL = 10 * time.Minute
	// IDTokenTTL is the lifetime of an ID token (OpenID Connect).
	IDTokenTTL = time.Hour
)

// Subject prefixes. op splits an opaque token's "<id>:<subject>" at the
// colon, so subjects never contain one.
const (
	userSubject        = "user-"
	virtualUserSubject = "integration-user-"
)

// Prefixes of the IDs op passes back to RevokeToken: an access token's
// record ID, or a refresh token's hash (revoking a refresh token revokes
// its family, as RFC 7009 §2.1 suggests for the grant).
const (
	accessTokenPrefix = "at_"
	familyPrefix      = "rf_"
)

// opStorage implements op.Storage and op.ClientCredentialsStorage over a
// storage.Store: the glue between the certified provider and vetlink.
type opStorage struct {
	store storage.Store
	users Users
	now   func() time.Time

	keyMu sync.Mutex
	key   *signingKey // cached newest key
}

var (
	_ op.Storage                   = (*opStorage)(nil)
	_ op.ClientCredentialsStorage  = (*opStorage)(nil)
	_ op.CanSetUserinfoFromRequest = (*opStorage)(nil)
)

func randomID(prefix string) string {
	b := make([]byte, 24)
	rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// ---- clients ----

// client is a storage.Client as op sees it.
type client struct{ c storage.Client }

func (c client) GetID() string                    { return c.c.ID }
func (c client) RedirectURIs() []string           { return c.c.RedirectURIs }
func (c client) PostLogoutRedirectURIs() []string { return nil }
func (c client) ApplicationType() op.ApplicationType {
	// A public client is a native or browser app: loopback redirects
	// (RFC 8252 §7.3) are allowed it; a confidential one is a web backend.
	if c.c.Type == storage.Public {
		return op.ApplicationTypeNative
	}
	return op.ApplicationTypeWeb
}
func (c client) AuthMethod() oidc.AuthMethod {
	if c.c.Type == storage.Public {
		return oidc.AuthMethodNone
	}
	return oidc.AuthMethodBasic
}
func (c client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c client) GrantTypes() []oidc.GrantType {
	out := make([]oidc.GrantType, len(c.c.GrantTypes))
	for i, g := range c.c.GrantTypes {
		out[i] = oidc.GrantType(g)
	}
	return out
}
func (c client) LoginURL(id string) string            { return LoginPath + "?id=" + id }
func (c client) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeBearer }
func (c client) IDTokenLifetime() time.Duration       { return IDTokenTTL }
func (c client) DevMode() bool                        { return false }
func (c client) IDTokenUserinfoClaimsAssertion() bool { return false }
func (c client) ClockSkew() time.Duration             { return 0 }
func (c client) IsScopeAllowed(scope string) bool     { return slices.Contains(c.c.Scopes, scope) }
func (c client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

// activeClient reads client id and refuses a revoked one. Its errors are
// plain (op answers invalid_client) except a database failure.
func (s *opStorage) activeClient(ctx context.Context, id string) (storage.Client, error) {
	c, err := s.store.Client(ctx, id)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return c, fmt.Errorf("oauth: client %q is not registered", id)
	case err != nil:
		return c, oidc.ErrServerError().WithParent(err)
	case !c.Revoked.IsZero():
		return c, fmt.Errorf("oauth: client %q was revoked", id)
	}
	return c, nil
}

// GetClientByClientID implements op.OPStorage.
func (s *opStorage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := s.activeClient(ctx, id)
	if err != nil {
		return nil, err
	}
	return client{c}, nil
}

// AuthorizeClientIDSecret implements op.OPStorage.
func (s *opStorage) AuthorizeClientIDSecret(ctx context.Context, id, secret string) error {
	_, err := s.confidential(ctx, id, secret)
	return err
}

func (s *opStorage) confidential(ctx context.Context, id, secret string) (storage.Client, error) {
	c, err := s.activeClient(ctx, id)
	if err != nil {
		return c, err
	}
	if c.Type != storage.Confidential || c.SecretHash == "" {
		return c, fmt.Errorf("oauth: client %q is public and has no secret", id)
	}
	if subtle.ConstantTimeCompare([]byte(storage.Hash(secret)), []byte(c.SecretHash)) != 1 {
		return c, fmt.Errorf("oauth: client %q: wrong secret", id)
	}
	return c, nil
}

// ClientCredentials implements op.ClientCredentialsStorage.
func (s *opStorage) ClientCredentials(ctx context.Context, id, secret string) (op.Client, error) {
	c, err := s.confidential(ctx, id, secret)
	if err != nil {
		return nil, err
	}
	return client{c}, nil
}

// ccRequest is a client_credentials token request.
type ccRequest struct {
	c      storage.Client
	scopes []string
}

func (r *ccRequest) GetSubject() string {
	if r.c.VirtualUser != 0 {
		return virtualUserSubject + strconv.FormatInt(r.c.VirtualUser, 10)
	}
	return r.c.ID
}
func (r *ccRequest) GetAudience() []string { return []string{r.c.ID} }
func (r *ccRequest) GetScopes() []string   { return r.scopes }

// ClientCredentialsTokenRequest implements op.ClientCredentialsStorage.
// No scope asks for every scope the client was granted (RFC 6749 §3.3
// allows a default); a scope it was not granted is invalid_scope.
func (s *opStorage) ClientCredentialsTokenRequest(ctx context.Context, id string, scopes []string) (op.TokenRequest, error) {
	c, err := s.activeClient(ctx, id)
	if err != nil {
		return nil, oidc.ErrInvalidClient().WithParent(err)
	}
	if len(scopes) == 0 {
		scopes = slices.Clone(c.Scopes)
	}
	for _, sc := range scopes {
		if !slices.Contains(c.Scopes, sc) {
			return nil, oidc.ErrInvalidScope().WithDescription("scope %q is not granted to client %q", sc, id)
		}
	}
	return &ccRequest{c: c, scopes: scopes}, nil
}

// ---- authorization requests ----

// authRequest is a storage.AuthRequest as op sees it.
type authRequest struct{ r storage.AuthRequest }

func (a *authRequest) GetID() string         { return a.r.ID }
func (a *authRequest) GetACR() string        { return "" }
func (a *authRequest) GetAMR() []string      { return []string{"pwd"} }
func (a *authRequest) GetAudience() []string { return []string{a.r.ClientID} }
func (a *authRequest) GetAuthTime() time.Time {
	return a.r.AuthTime
}
func (a *authRequest) GetClientID() string { return a.r.ClientID }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge {
	if a.r.CodeChallenge == "" {
		return nil
	}
	return &oidc.CodeChallenge{Challenge: a.r.CodeChallenge, Method: oidc.CodeChallengeMethod(a.r.CodeChallengeMethod)}
}
func (a *authRequest) GetNonce() string                   { return a.r.Nonce }
func (a *authRequest) GetRedirectURI() string             { return a.r.RedirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType { return oidc.ResponseType(a.r.ResponseType) }
func (a *authRequest) GetResponseMode() oidc.ResponseMode { return oidc.ResponseMode(a.r.ResponseMode) }
func (a *authRequest) GetScopes() []string                { return a.r.Scopes }
func (a *authRequest) GetState() string                   { return a.r.State }
func (a *authRequest) GetSubject() string {
	if a.r.User == 0 {
		return ""
	}
	return userSubject + strconv.FormatInt(a.r.User, 10)
}
func (a *authRequest) Done() bool { return a.r.Done }

// CreateAuthRequest implements op.AuthStorage. It adds vetlink's rules to
// op's checks: PKCE is S256 only ("plain" protects nothing against a
// code intercepted with its request), and a public client must use it
// (RFC 9700 §2.1.1; the rule).
func (s *opStorage) CreateAuthRequest(ctx context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	c, err := s.activeClient(ctx, req.ClientID)
	if err != nil {
		return nil, oidc.ErrInvalidClient().WithParent(err)
	}
	switch {
	case req.CodeChallenge != "" && req.CodeChallengeMethod != oidc.CodeChallengeMethodS256:
		return nil, oidc.ErrInvalidRequest().WithDescription("code_challenge_method %q: only S256 is supported", req.CodeChallengeMethod)
	case req.CodeChallenge == "" && c.Type == storage.Public:
		return nil, oidc.ErrInvalidRequest().WithDescription("client %q is public: it must send a PKCE code_challenge with code_challenge_method S256", c.ID)
	}
	now := s.now()
	r := storage.AuthRequest{
		ID:                  uuid.NewString(),
		ClientID:            c.ID,
		RedirectURI:         req.RedirectURI,
		Scopes:              req.Scopes,
		State:               req.State,
		Nonce:               req.Nonce,
		ResponseType:        string(req.ResponseType),
		ResponseMode:        string(req.ResponseMode),
		CodeChallenge:       req.CodeChallenge,
		CodeChallengeMethod: string(req.CodeChallengeMethod),
		Created:             now,
		Expires:             now.Add(AuthRequestTTL),
	}
	if err := s.store.CreateAuthRequest(ctx, &r); err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	return &authRequest{r}, nil
}

// liveAuthRequest reads request id and refuses an expired one.
func (s *opStorage) liveAuthRequest(ctx context.Context, id string) (storage.AuthRequest, error) {
	r, err := s.store.AuthRequest(ctx, id)
	if err != nil {
		return r, err
	}
	if !s.now().Before(r.Expires) {
		return r, fmt.Errorf("oauth: authorization request %s expired at %s", id, r.Expires.Format(time.RFC3339))
	}
	return r, nil
}

// AuthRequestByID implements op.AuthStorage.
func (s *opStorage) AuthRequestByID(ctx context.Context, id string) (op.AuthRequest, error) {
	r, err := s.liveAuthRequest(ctx, id)
	if err != nil {
		return nil, err
	}
	return &authRequest{r}, nil
}

// AuthRequestByCode implements op.AuthStorage. A code is used once: the
// first call marks it used; a later one is a replay, which revokes every
// token issued for the code (RFC 6749 §4.1.2) and fails.
func (s *opStorage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	r, err := s.store.AuthRequestByCode(ctx, storage.Hash(code))
	if err != nil {
		return nil, err
	}
	first, err := s.store.UseCode(ctx, r.ID, s.now())
	if err != nil {
		return nil, err
	}
	if !first {
		if err := s.store.RevokeAuthRequestTokens(ctx, r.ID, s.now()); err != nil {
			return nil, err
		}
		return nil, errors.New("oauth: code was used already; the tokens issued for it are revoked")
	}
	if !s.now().Before(r.Expires) {
		return nil, fmt.Errorf("oauth: code expired at %s", r.Expires.Format(time.RFC3339))
	}
	if !r.Done {
		return nil, errors.New("oauth: code of an unfinished authorization request")
	}
	return &authRequest{r}, nil
}

// SaveAuthCode implements op.AuthStorage.
func (s *opStorage) SaveAuthCode(ctx context.Context, id, code string) error {
	return s.store.SaveCode(ctx, id, storage.Hash(code))
}

// DeleteAuthRequest implements op.AuthStorage. op calls it once the code
// is exchanged; the request is kept until it expires so that a replay of
// the code is recognised (AuthRequestByCode). Requests without a code go.
func (s *opStorage) DeleteAuthRequest(ctx context.Context, id string) error {
	r, err := s.store.AuthRequest(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if r.CodeHash != "" {
		return nil
	}
	return s.store.DeleteAuthRequest(ctx, id)
}

// ---- tokens ----

// grantOf is who a token request acts for.
type grantOf struct {
	clientID     string
	subject      string
	user         int64
	virtualUser  int64
	organisation string
	authRequest  string
	authTime     time.Time
	amr          []string
	audience     []string
}

func (s *opStorage) grant(ctx context.Context, req op.TokenRequest) (grantOf, error) {
	g := grantOf{subject: req.GetSubject(), audience: req.GetAudience()}
	switch r := req.(type) {
	case *ccRequest:
		g.clientID, g.virtualUser, g.organisation = r.c.ID, r.c.VirtualUser, r.c.Organisation
	case *authRequest:
		g.clientID, g.user, g.authRequest, g.authTime, g.amr = r.r.ClientID, r.r.User, r.r.ID, r.r.AuthTime, r.GetAMR()
	case *refreshRequest:
		t := r.t
		g.clientID, g.user, g.virtualUser, g.organisation, g.authTime, g.amr = t.ClientID, t.User, t.VirtualUser, t.Organisation, t.AuthTime, t.AMR
	default:
		return g, oidc.ErrUnsupportedGrantType().WithDescription("token request %T", req)
	}
	if g.organisation == "" {
		c, err := s.store.Client(ctx, g.clientID)
		if err != nil {
			return g, err
		}
		g.organisation = c.Organisation
	}
	return g, nil
}

func (s *opStorage) newAccessToken(g grantOf, scopes []string, family string) storage.AccessToken {
	now := s.now()
	return storage.AccessToken{
		ID: randomID(accessTokenPrefix), ClientID: g.clientID, Subject: g.subject, User: g.user,
		VirtualUser: g.virtualUser, Organisation: g.organisation, Scopes: scopes, Family: family,
		AuthRequest: g.authRequest, Created: now, Expires: now.Add(AccessTokenTTL),
	}
}

// CreateAccessToken implements op.AuthStorage.
func (s *opStorage) CreateAccessToken(ctx context.Context, req op.TokenRequest) (string, time.Time, error) {
	g, err := s.grant(ctx, req)
	if err != nil {
		return "", time.Time{}, err
	}
	t := s.newAccessToken(g, req.GetScopes(), "")
	if err := s.store.CreateAccessToken(ctx, &t); err != nil {
		return "", time.Time{}, err
	}
	return t.ID, t.Expires, nil
}

// CreateAccessAndRefreshTokens implements op.AuthStorage. With
// currentRefreshToken it rotates: the presented token is marked used
// (once: a concurrent second use loses and revokes the family) and a new
// one of the same family is issued.
func (s *opStorage) CreateAccessAndRefreshTokens(ctx context.Context, req op.TokenRequest, currentRefreshToken string) (string, string, time.Time, error) {
	g, err := s.grant(ctx, req)
	if err != nil {
		return "", "", time.Time{}, err
	}
	var (
		access  storage.AccessToken
		refresh = randomID("vlr_")
		reused  bool
	)
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		family := uuid.NewString()
		if currentRefreshToken != "" {
			old, err := s.store.RefreshTokenByHash(ctx, storage.Hash(currentRefreshToken))
			if err != nil {
				return err
			}
			first, err := s.store.UseRefreshToken(ctx, old.ID, s.now())
			if err != nil {
				return err
			}
			if !first {
				reused = true
				return nil
			}
			family = old.Family
		}
		access = s.newAccessToken(g, req.GetScopes(), family)
		if err := s.store.CreateAccessToken(ctx, &access); err != nil {
			return err
		}
		now := s.now()
		rt := storage.RefreshToken{
			ID: uuid.NewString(), Hash: storage.Hash(refresh), Family: family, ClientID: g.clientID,
			Subject: g.subject, User: g.user, VirtualUser: g.virtualUser, Organisation: g.organisation,
			Scopes: req.GetScopes(), Audience: g.audience, AMR: g.amr, AuthTime: g.authTime,
			Created: now, Expires: now.Add(RefreshTokenTTL),
		}
		return s.store.CreateRefreshToken(ctx, &rt)
	})
	if err != nil {
		return "", "", time.Time{}, err
	}
	if reused {
		return "", "", time.Time{}, s.reuse(ctx, currentRefreshToken)
	}
	return access.ID, refresh, access.Expires, nil
}

// reuse revokes the family of a refresh token presented a second time and
// returns the invalid_grant to answer.
func (s *opStorage) reuse(ctx context.Context, token string) error {
	t, err := s.store.RefreshTokenByHash(ctx, storage.Hash(token))
	if err != nil {
		return err
	}
	if err := s.store.RevokeFamily(ctx, t.Family, s.now()); err != nil {
		return err
	}
	return oidc.ErrInvalidGrant().WithDescription("refresh token was used already: every token of its grant is revoked")
}

// refreshRequest is a stored refresh token as op sees it.
type refreshRequest struct {
	t      storage.RefreshToken
	scopes []string
}

func (r *refreshRequest) GetAMR() []string            { return r.t.AMR }
func (r *refreshRequest) GetAudience() []string       { return r.t.Audience }
func (r *refreshRequest) GetAuthTime() time.Time      { return r.t.AuthTime }
func (r *refreshRequest) GetClientID() string         { return r.t.ClientID }
func (r *refreshRequest) GetScopes() []string         { return r.scopes }
func (r *refreshRequest) GetSubject() string          { return r.t.Subject }
func (r *refreshRequest) SetCurrentScopes(s []string) { r.scopes = s }

// TokenRequestByRefreshToken implements op.AuthStorage. A refresh token
// that was used already is a reuse: someone holds a copy. The whole family
// is revoked, the legitimate holder's newest tokens included (RFC 9700
// §4.14.2), and the request fails.
func (s *opStorage) TokenRequestByRefreshToken(ctx context.Context, token string) (op.RefreshTokenRequest, error) {
	t, err := s.store.RefreshTokenByHash(ctx, storage.Hash(token))
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return nil, errors.New("oauth: unknown refresh token")
	case err != nil:
		return nil, err
	case !t.Revoked.IsZero():
		return nil, errors.New("oauth: refresh token was revoked")
	case !t.Used.IsZero():
		return nil, s.reuse(ctx, token)
	case !s.now().Before(t.Expires):
		return nil, fmt.Errorf("oauth: refresh token expired at %s", t.Expires.Format(time.RFC3339))
	}
	if _, err := s.activeClient(ctx, t.ClientID); err != nil {
		return nil, err
	}
	return &refreshRequest{t: t, scopes: t.Scopes}, nil
}

// TerminateSession implements op.AuthStorage. The server keeps no login
// session beyond one authorization request, so there is none to end.
func (s *opStorage) TerminateSession(context.Context, string, string) error { return nil }

// GetRefreshTokenInfo implements op.AuthStorage.
func (s *opStorage) GetRefreshTokenInfo(ctx context.Context, clientID, token string) (string, string, error) {
	t, err := s.store.RefreshTokenByHash(ctx, storage.Hash(token))
	if errors.Is(err, storage.ErrNotFound) || err == nil && t.ClientID != clientID {
		return "", "", op.ErrInvalidRefreshToken
	}
	if err != nil {
		return "", "", err
	}
	// The ID names the token by its hash, which only its holder can
	// compute, so a string made up to look like an ID revokes nothing.
	return t.Subject, familyPrefix + t.Hash, nil
}

// RevokeToken implements op.AuthStorage (RFC 7009). A refresh token
// revokes its family; an access token itself. A token unknown to the
// server is no error (RFC 7009 §2.2); one issued to another client is.
func (s *opStorage) RevokeToken(ctx context.Context, tokenOrID, _ string, clientID string) *oidc.Error {
	now := s.now()
	if hash, ok := strings.CutPrefix(tokenOrID, familyPrefix); ok {
		t, err := s.store.RefreshTokenByHash(ctx, hash)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			return nil
		case err != nil:
			return oidc.ErrServerError().WithParent(err)
		case t.ClientID != clientID:
			return oidc.ErrInvalidClient().WithDescription("the token was not issued to this client")
		}
		if err := s.store.RevokeFamily(ctx, t.Family, now); err != nil {
			return oidc.ErrServerError().WithParent(err)
		}
		return nil
	}
	if !strings.HasPrefix(tokenOrID, accessTokenPrefix) {
		return nil
	}
	t, err := s.store.AccessToken(ctx, tokenOrID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return nil
	case err != nil:
		return oidc.ErrServerError().WithParent(err)
	case t.ClientID != clientID:
		return oidc.ErrInvalidClient().WithDescription("the token was not issued to this client")
	}
	if err := s.store.RevokeAccessToken(ctx, t.ID, now); err != nil {
		return oidc.ErrServerError().WithParent(err)
	}
	return nil
}

// activeAccessToken reads access token id with its grant (one query) and
// checks it is live: not revoked, not expired, its subject the one the
// opaque token carries, and its client not revoked.
func (s *opStorage) activeAccessToken(ctx context.Context, id, subject string) (storage.AccessGrant, error) {
	g, err := s.store.AccessGrant(ctx, id)
	t := g.Token
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return g, fmt.Errorf("%w: unknown token", ErrUnauthenticated)
	case err != nil:
		return g, err
	case t.Subject != subject:
		return g, fmt.Errorf("%w: subject does not match", ErrUnauthenticated)
	case !t.Revoked.IsZero():
		return g, fmt.Errorf("%w: revoked at %s", ErrUnauthenticated, t.Revoked.Format(time.RFC3339))
	case !s.now().Before(t.Expires):
		return g, fmt.Errorf("%w: expired at %s", ErrUnauthenticated, t.Expires.Format(time.RFC3339))
	case !g.ClientRevoked.IsZero():
		return g, fmt.Errorf("%w: client %q was revoked", ErrUnauthenticated, t.ClientID)
	}
	return g, nil
}

// ---- user info and introspection ----

// setUserinfo fills info for subject from the user directory, as scopes
// allow (OpenID Connect Core §5.4).
func (s *opStorage) setUserinfo(ctx context.Context, info *oidc.UserInfo, subject string, scopes []string) error {
	info.Subject = subject
	id, ok := strings.CutPrefix(subject, userSubject)
	if !ok || s.users == nil {
		return nil
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return fmt.Errorf("oauth: subject %q: %w", subject, err)
	}
	u, err := s.users.User(ctx, rx.UserID(n))
	if err != nil {
		return err
	}
	for _, sc := range scopes {
		switch sc {
		case oidc.ScopeProfile:
			info.Name, info.GivenName, info.FamilyName, info.PreferredUsername = u.Name(), u.Firstname, u.Lastname, u.Uname
		case oidc.ScopeEmail:
			info.Email = u.Email
		}
	}
	return nil
}

// SetUserinfoFromScopes implements op.OPStorage; op asks implementations
// to leave it empty and implement SetUserinfoFromRequest.
func (s *opStorage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest implements op.CanSetUserinfoFromRequest.
func (s *opStorage) SetUserinfoFromRequest(ctx context.Context, info *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	return s.setUserinfo(ctx, info, req.GetSubject(), scopes)
}

// SetUserinfoFromToken implements op.OPStorage.
func (s *opStorage) SetUserinfoFromToken(ctx context.Context, info *oidc.UserInfo, tokenID, subject, _ string) error {
	g, err := s.activeAccessToken(ctx, tokenID, subject)
	if err != nil {
		return err
	}
	return s.setUserinfo(ctx, info, g.Token.Subject, g.Token.Scopes)
}

// SetIntrospectionFromToken implements op.OPStorage (RFC 7662). A client
// may introspect only the tokens issued to it; any other token is
// reported inactive, so introspection reveals nothing about others'.
func (s *opStorage) SetIntrospectionFromToken(ctx context.Context, resp *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	g, err := s.activeAccessToken(ctx, tokenID, subject)
	if err != nil {
		return err
	}
	t := g.Token
	if t.ClientID != clientID {
		return errors.New("oauth: token of another client")
	}
	resp.Scope = t.Scopes
	resp.ClientID = t.ClientID
	resp.TokenType = oidc.BearerToken
	resp.Expiration = oidc.FromTime(t.Expires)
	resp.IssuedAt = oidc.FromTime(t.Created)
	resp.Subject = t.Subject
	resp.Audience = []string{t.ClientID}
	resp.JWTID = t.ID
	if t.Organisation != "" {
		resp.Claims = map[string]any{"organisation": t.Organisation}
	}
	return nil
}

// GetPrivateClaimsFromScopes implements op.OPStorage: access tokens are
// opaque, so there are no JWT claims to add.
func (s *opStorage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

// GetKeyByIDAndClientID implements op.OPStorage. The JWT profile grant
// (RFC 7523) is not offered.
func (s *opStorage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errors.New("oauth: the JWT profile grant is not offered")
}

// ValidateJWTProfileScopes implements op.OPStorage; see GetKeyByIDAndClientID.
func (s *opStorage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errors.New("oauth: the JWT profile grant is not offered")
}

// Health implements op.Storage.
func (s *opStorage) Health(context.Context) error { return nil }

// ---- signing keys ----

// signingKey is an RSA key that signs ID tokens (RS256, which every
// OpenID Connect relying party must accept, OIDC Core §15.1).
type signingKey struct {
	id  string
	key *rsa.PrivateKey
}

func (k *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k *signingKey) Key() any                                    { return k.key }
func (k *signingKey) ID() string                                  { return k.id }

// publicKey is the public half, for the JWKS.
type publicKey struct{ k *signingKey }

func (p publicKey) ID() string                         { return p.k.id }
func (p publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (p publicKey) Use() string                        { return "sig" }
func (p publicKey) Key() any                           { return &p.k.key.PublicKey }

func parseSigningKey(k storage.SigningKey) (*signingKey, error) {
	priv, err := x509.ParsePKCS8PrivateKey(k.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("oauth: signing key %s: %w", k.ID, err)
	}
	rk, ok := priv.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("oauth: signing key %s is %T, want RSA", k.ID, priv)
	}
	return &signingKey{id: k.ID, key: rk}, nil
}

// SigningKey implements op.AuthStorage: the newest stored key, made and
// stored (sealed) on first need.
func (s *opStorage) SigningKey(ctx context.Context) (op.SigningKey, error) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if s.key != nil {
		return s.key, nil
	}
	keys, err := s.store.SigningKeys(ctx)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		rk, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, err
		}
		der, err := x509.MarshalPKCS8PrivateKey(rk)
		if err != nil {
			return nil, err
		}
		k := storage.SigningKey{ID: uuid.NewString(), Algorithm: string(jose.RS256), PrivateKey: der, Created: s.now()}
		if err := s.store.CreateSigningKey(ctx, &k); err != nil {
			return nil, err
		}
		// Another server may have made one at the same moment: read back
		// and use the newest, so all agree.
		if keys, err = s.store.SigningKeys(ctx); err != nil {
			return nil, err
		}
	}
	if s.key, err = parseSigningKey(keys[0]); err != nil {
		return nil, err
	}
	return s.key, nil
}

// SignatureAlgorithms implements op.AuthStorage.
func (s *opStorage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

// KeySet implements op.AuthStorage: the public halves of every stored key.
func (s *opStorage) KeySet(ctx context.Context) ([]op.Key, error) {
	if _, err := s.SigningKey(ctx); err != nil {
		return nil, err
	}
	keys, err := s.store.SigningKeys(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]op.Key, 0, len(keys))
	for _, k := range keys {
		sk, err := parseSigningKey(k)
		if err != nil {
			return nil, err
		}
		out = append(out, publicKey{sk})
	}
	return out, nil
}
