package oauth

import (
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/vetlink/vetlink/oauth/storage"
	"github.com/vetlink/vetlink/rx"
)

// The paths the server answers, under its issuer URL.
const (
	AuthorizePath     = "/oauth/authorize"
	TokenPath         = "/oauth/token"
	IntrospectionPath = "/oauth/introspect"
	RevocationPath    = "/oauth/revoke"
	UserinfoPath      = "/oauth/userinfo"
	KeysPath          = "/oauth/keys"
	EndSessionPath    = "/oauth/end_session"
	// LoginPath is the login and consent page of the authorization-code
	// flow.
	LoginPath = "/oauth/login"
	// OpenIDConfigurationPath is OpenID Connect Discovery 1.0 §4.
	OpenIDConfigurationPath = "/.well-known/openid-configuration"
	// AuthorizationServerMetadataPath is RFC 8414 §3.
	AuthorizationServerMetadataPath = "/.well-known/oauth-authorization-server"
)

// MinKeyLen is the shortest Config.Key New accepts.
const MinKeyLen = 32

// Users reads vetlink's users (rx.Store does), for the consent page and
// for OpenID Connect's profile and email claims.
type Users interface {
	User(ctx context.Context, id rx.UserID) (rx.User, error)
}

// LoginFunc checks a user's name and password and returns who they are.
// The reference server passes auth.Service.Login with an API key of its
// own, so that the login page is under auth's throttle and lock rules.
type LoginFunc func(ctx context.Context, uname, password string) (rx.UserID, error)

// Config is what a [Server] is built from. Issuer, Store, Key and Login
// are required.
type Config struct {
	// Issuer is the server's URL as clients reach it, scheme and host
	// and no trailing slash ("https://vetlink.example.org"). Every URL of
	// the metadata is built from it. http is allowed only for loopback
	// hosts (tests), as OpenID Connect Discovery requires https.
	Issuer string
	// Store keeps clients, requests, tokens, keys and the catalogue.
	Store storage.Store
	// Key (at least MinKeyLen bytes, the same on every server sharing the
	// database) encrypts the opaque access tokens and codes and keys the
	// login page's CSRF tokens; each use gets its own HKDF-derived key.
	Key []byte
	// Login checks the login page's name and password.
	Login LoginFunc
	// Users reads users' names for the consent page and OpenID claims;
	// nil means none are shown.
	Users Users
	// Logger receives failures of the login page the client is not told
	// the cause of; nil discards. (op itself logs refused requests through
	// slog's default logger: its logger option is deprecated and has no
	// effect. Those records name clients, never secrets or tokens.)
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Server is vetlink's OAuth 2.0 authorization server: op's provider over
// the Store, the login and consent page, the metadata, and the [Verifier]
// of the tokens it issues.
type Server struct {
	cfg      Config
	store    *opStorage
	provider *op.Provider
	csrfKey  []byte
	logger   *slog.Logger
	handler  http.Handler
}

var _ Verifier = (*Server)(nil)

// New builds the server. It fails when Config lacks what is required.
func New(cfg Config) (*Server, error) {
	switch {
	case cfg.Issuer == "" || strings.HasSuffix(cfg.Issuer, "/"):
		return nil, fmt.Errorf("oauth: Config.Issuer %q: want scheme and host without a trailing slash", cfg.Issuer)
	case cfg.Store == nil:
		return nil, errors.New("oauth: Config.Store is nil")
	case len(cfg.Key) < MinKeyLen:
		return nil, fmt.Errorf("oauth: Config.Key has %d bytes, want at least %d", len(cfg.Key), MinKeyLen)
	case cfg.Login == nil:
		return nil, errors.New("oauth: Config.Login is nil")
	}
	u, err := url.Parse(cfg.Issuer)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("oauth: Config.Issuer %q is not an http(s) URL", cfg.Issuer)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cryptoKey, err := hkdf.Key(sha256.New, cfg.Key, nil, "vetlink oauth tokens v1", 32)
	if err != nil {
		return nil, err
	}
	csrfKey, err := hkdf.Key(sha256.New, cfg.Key, nil, "vetlink oauth csrf v1", 32)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:     cfg,
		store:   &opStorage{store: cfg.Store, users: cfg.Users, now: func() time.Time { return now().UTC() }},
		csrfKey: csrfKey,
		logger:  logger,
	}
	opCfg := &op.Config{
		CodeMethodS256:        true,
		AuthMethodPost:        true,
		GrantTypeRefreshToken: true,
		SupportedScopes:       supportedScopes(),
	}
	copy(opCfg.CryptoKey[:], cryptoKey)
	opts := []op.Option{
		op.WithCustomAuthEndpoint(op.NewEndpoint(strings.TrimPrefix(AuthorizePath, "/"))),
		op.WithCustomTokenEndpoint(op.NewEndpoint(strings.TrimPrefix(TokenPath, "/"))),
		op.WithCustomIntrospectionEndpoint(op.NewEndpoint(strings.TrimPrefix(IntrospectionPath, "/"))),
		op.WithCustomRevocationEndpoint(op.NewEndpoint(strings.TrimPrefix(RevocationPath, "/"))),
		op.WithCustomUserinfoEndpoint(op.NewEndpoint(strings.TrimPrefix(UserinfoPath, "/"))),
		op.WithCustomKeysEndpoint(op.NewEndpoint(strings.TrimPrefix(KeysPath, "/"))),
		op.WithCustomEndSessionEndpoint(op.NewEndpoint(strings.TrimPrefix(EndSessionPath, "/"))),
	}
	if u.Scheme == "http" {
		opts = append(opts, op.WithAllowInsecure())
	}
	s.provider, err = op.NewProvider(opCfg, s.store, op.StaticIssuer(cfg.Issuer), opts...)
	if err != nil {
		return nil, fmt.Errorf("oauth: building the provider: %w", err)
	}

	mux := http.NewServeMux()
	provider := s.provider.HttpHandler()
	mux.Handle("/oauth/", provider)
	mux.Handle(OpenIDConfigurationPath, provider)
	mux.Handle("GET "+AuthorizationServerMetadataPath, op.NewIssuerInterceptor(s.provider.IssuerFromRequest).Handler(http.HandlerFunc(s.serveMetadata)))
	mux.HandleFunc("GET "+LoginPath, s.serveLogin)
	mux.HandleFunc("POST "+LoginPath, s.submitLogin)
	s.handler = mux
	return s, nil
}

// supportedScopes are the scopes the metadata lists: OpenID Connect's and
// every permission.
func supportedScopes() []string {
	out := []string{oidc.ScopeOpenID, oidc.ScopeProfile, oidc.ScopeEmail, oidc.ScopeOfflineAccess}
	for _, p := range Permissions() {
		out = append(out, string(p))
	}
	return out
}

// Handler serves the authorization server: the /oauth/ endpoints, the
// login page and the two metadata documents. Mount it at the root of the
// issuer URL.
func (s *Server) Handler() http.Handler { return s.handler }

// Issuer returns the issuer URL.
func (s *Server) Issuer() string { return s.cfg.Issuer }

// serveMetadata answers RFC 8414's document. op builds OpenID Connect
// Discovery's, a superset of RFC 8414's members; the same document serves
// both, with the grant types and PKCE method vetlink offers.
func (s *Server) serveMetadata(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	json.NewEncoder(w).Encode(s.metadata(r.Context()))
}

func (s *Server) metadata(ctx context.Context) *oidc.DiscoveryConfiguration {
	return op.CreateDiscoveryConfig(ctx, s.provider, s.store)
}

// Verify implements [Verifier]: token must be an access token this server
// issued (opaque, encrypted under Config.Key), not expired, not revoked,
// of a client not revoked. The principal's permissions are the token's
// scopes that name one, and, for an integration's virtual user, only
// those its permission group still grants.
func (s *Server) Verify(ctx context.Context, token string) (Principal, error) {
	plain, err := s.provider.Crypto().Decrypt(token)
	if err != nil {
		return Principal{}, fmt.Errorf("%w: not a token of this server", ErrUnauthenticated)
	}
	id, subject, ok := strings.Cut(plain, ":")
	if !ok || !strings.HasPrefix(id, accessTokenPrefix) {
		return Principal{}, fmt.Errorf("%w: not an access token", ErrUnauthenticated)
	}
	g, err := s.store.activeAccessToken(ctx, id, subject)
	if err != nil {
		return Principal{}, err
	}
	t := g.Token
	p := Principal{
		TokenID: t.ID, ClientID: t.ClientID, Subject: t.Subject, User: rx.UserID(t.User),
		VirtualUser: t.VirtualUser, Organisation: t.Organisation, Scopes: t.Scopes, Expires: t.Expires,
	}
	for _, sc := range t.Scopes {
		perm := Permission(sc)
		if !perm.Valid() || (t.VirtualUser != 0 && !slices.Contains(g.GroupPermissions, sc)) {
			continue
		}
		p.Permissions = append(p.Permissions, perm)
	}
	slices.Sort(p.Permissions)
	p.Permissions = slices.Compact(p.Permissions)
	return p, nil
}
