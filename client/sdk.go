package client

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// modulePath is the module this package belongs to, named in the default
// user agent.
const modulePath = "github.com/vetlink/vetlink"

// API is a vetlink API client with its way in: it embeds the generated
// ClientWithResponses, so every operation of the document is a method
// (api.GetProtocolWithResponse(ctx, 42)), and sends the X-APIKEY and
// X-Auth-Token headers, renews the token before it expires, retries what
// is safe to retry and names itself in User-Agent.
//
// An API is safe for concurrent use.
type API struct {
	*ClientWithResponses

	base   string
	http   *http.Client
	logger *slog.Logger
	auth   *authTransport
}

// Option configures an API built by New.
type Option func(*config)

type config struct {
	httpClient *http.Client
	apiKey     string
	identifier string
	password   string
	token      string
	logger     *slog.Logger
	userAgent  string
	retry      *RetryPolicy
	noRetry    bool
	now        func() time.Time

	clientCredentials *clientcredentials.Config
	tokenSource       oauth2.TokenSource
}

// WithHTTP makes the API send its requests through hc: its Transport (or
// http.DefaultTransport) carries the requests, its Timeout and Jar apply.
// hc is not modified; New wraps a copy of it.
func WithHTTP(hc *http.Client) Option { return func(c *config) { c.httpClient = hc } }

// WithAPIKey sets the application's API key, sent as X-APIKEY on every
// request and in the body of a login.
func WithAPIKey(key string) Option { return func(c *config) { c.apiKey = key } }

// WithLogin makes New log in with identifier and password (POST
// /api/users/logins, the VCPR way in), and the API log in again when a
// token it holds has expired. It needs WithAPIKey.
func WithLogin(identifier, password string) Option {
	return func(c *config) { c.identifier, c.password = identifier, password }
}

// WithToken starts the API with a session token got elsewhere, sent as
// X-Auth-Token; it is renewed (GET /api/users/logins) before it expires.
// With WithLogin too, the token is used first and the credentials only
// when it can no longer be renewed.
func WithToken(token string) Option { return func(c *config) { c.token = token } }

// WithLogger makes the API log its logins, renewals and retries to l, at
// debug level for the routine and warn level for the failures. Nothing
// secret (passwords, tokens, keys) is ever logged.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithUserAgent sets the User-Agent header, in place of the default
// "vetlink-go/<version> (github.com/vetlink/vetlink)".
func WithUserAgent(ua string) Option { return func(c *config) { c.userAgent = ua } }

// WithRetry replaces the retry policy (DefaultRetryPolicy).
func WithRetry(p RetryPolicy) Option { return func(c *config) { c.retry = &p } }

// WithoutRetry sends every request once, whatever the answer.
func WithoutRetry() Option { return func(c *config) { c.noRetry = true } }

// withClock sets the clock, for tests of renewal.
func withClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// DefaultUserAgent is the User-Agent an API sends unless WithUserAgent
// says otherwise: the module and its version, as the build records it
// ("(devel)" in a build of the module itself).
func DefaultUserAgent() string {
	version := "(devel)"
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Path == modulePath && bi.Main.Version != "" {
			version = bi.Main.Version
		}
		for _, d := range bi.Deps {
			if d.Path == modulePath {
				version = d.Version
				if d.Replace != nil && d.Replace.Version != "" {
					version = d.Replace.Version
				}
			}
		}
	}
	return "vetlink-go/" + version + " (" + modulePath + ")"
}

// New returns an API of the server at baseURL (such as
// "https://vets.example.org"). With WithLogin it logs in before it
// returns, within ctx, so wrong credentials are an error of New (a
// *Problem matching auth.ErrBadCredentials); ctx bounds only that login,
// not the API's later calls, which take their own contexts.
//
// With WithClientCredentials it gets its first OAuth 2.0 token before it
// returns, so a wrong client secret is an error of New too (an
// *oauth2.RetrieveError, ErrorCode "invalid_client"). WithTokenSource
// (an authorization-code + PKCE flow, see AuthorizationRequest) and
// WithHTTP with an *http.Client that authenticates by itself are the
// other ways in.
func New(ctx context.Context, baseURL string, opts ...Option) (*API, error) {
	cfg := config{now: time.Now}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.identifier != "" && cfg.apiKey == "" {
		return nil, errors.New("client: WithLogin needs WithAPIKey: a login carries the application's key")
	}
	if cfg.clientCredentials != nil && cfg.tokenSource != nil {
		return nil, errors.New("client: WithClientCredentials and WithTokenSource: choose one way in")
	}
	if cfg.logger == nil {
		cfg.logger = slog.New(slog.DiscardHandler)
	}
	if cfg.userAgent == "" {
		cfg.userAgent = DefaultUserAgent()
	}
	hc := &http.Client{}
	if cfg.httpClient != nil {
		c := *cfg.httpClient
		hc = &c
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	if !cfg.noRetry {
		p := DefaultRetryPolicy()
		if cfg.retry != nil {
			p = *cfg.retry
		}
		base = &RetryTransport{Next: base, Policy: p, Logger: cfg.logger}
	}
	headers := func(ctx context.Context, req *http.Request) error {
		req.Header.Set("User-Agent", cfg.userAgent)
		if cfg.apiKey != "" {
			req.Header.Set("X-APIKEY", cfg.apiKey)
		}
		return nil
	}
	// The logins go through the retries but not through the token.
	loginHTTP := *hc
	loginHTTP.Transport = base
	logins, err := NewClientWithResponses(baseURL, WithHTTPClient(&loginHTTP), WithRequestEditorFn(headers))
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	ts := cfg.tokenSource
	if cc := cfg.clientCredentials; cc != nil {
		c := *cc
		if c.TokenURL == "" {
			c.TokenURL = Endpoint(baseURL).TokenURL
		}
		// The token requests outlive ctx (a token is got again when it
		// expires), so they take a context of their own with the API's
		// transport in it.
		tokenHTTP := &http.Client{Transport: &uaTransport{ua: cfg.userAgent, next: base}, Timeout: hc.Timeout}
		ts = c.TokenSource(context.WithValue(context.Background(), oauth2.HTTPClient, tokenHTTP))
		if _, err := ts.Token(); err != nil {
			return nil, fmt.Errorf("client: client credentials of %q at %s: %w", c.ClientID, c.TokenURL, err)
		}
	}
	authNext := base
	if ts != nil {
		authNext = &bearerTransport{src: ts, next: base}
	}
	at := &authTransport{next: authNext, logins: logins, cfg: cfg, token: cfg.token}
	at.exp, at.life = tokenExpiry(cfg.token)
	hc.Transport = &uaTransport{ua: cfg.userAgent, next: &idempotencyTransport{next: at}}
	gen, err := NewClientWithResponses(baseURL, WithHTTPClient(hc), WithRequestEditorFn(headers))
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	a := &API{ClientWithResponses: gen, base: baseURL, http: hc, logger: cfg.logger, auth: at}
	if cfg.token == "" && cfg.identifier != "" {
		if err := at.login(ctx); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// Token returns the session token the API holds now ("" when none).
func (a *API) Token() string {
	a.auth.mu.Lock()
	defer a.auth.mu.Unlock()
	return a.auth.token
}

// HTTPClient returns the *http.Client the API sends through, with the
// authentication and retries in its Transport, for requests the document
// does not describe.
func (a *API) HTTPClient() *http.Client { return a.http }

// authTransport sends the token, renews it before it expires and logs in
// again once on a 401 answered to an expired token.
type authTransport struct {
	next   http.RoundTripper
	logins *ClientWithResponses
	cfg    config

	mu    sync.Mutex // held while the token is renewed, so it is renewed once
	token string
	exp   time.Time     // zero when the token says no expiry
	life  time.Duration // exp - iat
}

// renewMargin is how long before its expiry a token is renewed: a tenth
// of its lifetime, at most five minutes.
func (t *authTransport) renewMargin() time.Duration {
	return min(t.life/10, 5*time.Minute)
}

// current returns the token to send, renewing it first when it is about
// to expire.
func (t *authTransport) current(ctx context.Context) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.token == "" || t.exp.IsZero() || t.cfg.now().Before(t.exp.Add(-t.renewMargin())) {
		return t.token, nil
	}
	if err := t.renewLocked(ctx); err != nil {
		return "", err
	}
	return t.token, nil
}

// renewLocked exchanges the token for a fresh one, or logs in again when
// the token is past renewing and there are credentials.
func (t *authTransport) renewLocked(ctx context.Context) error {
	if t.cfg.now().Before(t.exp) {
		resp, err := t.logins.RenewUserTokenWithResponse(ctx, func(ctx context.Context, req *http.Request) error {
			req.Header.Set("X-Auth-Token", t.token)
			return nil
		})
		if err == nil && resp.JSON200 != nil && resp.JSON200.Token != nil {
			t.set(*resp.JSON200.Token)
			t.cfg.logger.DebugContext(ctx, "vetlink client: token renewed", "expires", t.exp)
			return nil
		}
		if err == nil {
			err = ProblemOf(resp)
		}
		if t.cfg.identifier == "" {
			// The token still works until it expires: send it.
			t.cfg.logger.WarnContext(ctx, "vetlink client: token renewal failed", "err", err)
			return nil
		}
		t.cfg.logger.WarnContext(ctx, "vetlink client: token renewal failed; logging in again", "err", err)
	}
	if t.cfg.identifier == "" {
		return nil // send the old token; the server says what is wrong
	}
	return t.loginLocked(ctx)
}

// login logs in with the credentials of WithLogin.
func (t *authTransport) login(ctx context.Context) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.loginLocked(ctx)
}

func (t *authTransport) loginLocked(ctx context.Context) error {
	resp, err := t.logins.UserLoginWithResponse(ctx, UserLoginJSONRequestBody{
		Apikey: t.cfg.apiKey, Identifier: t.cfg.identifier, Password: t.cfg.password,
	})
	if err != nil {
		return fmt.Errorf("client: log in %s: %w", t.cfg.identifier, err)
	}
	if resp.JSON200 == nil || resp.JSON200.Token == nil {
		return fmt.Errorf("client: log in %s: %w", t.cfg.identifier, ProblemOf(resp))
	}
	t.set(*resp.JSON200.Token)
	t.cfg.logger.DebugContext(ctx, "vetlink client: logged in", "identifier", t.cfg.identifier, "expires", t.exp)
	return nil
}

func (t *authTransport) set(token string) {
	t.token = token
	t.exp, t.life = tokenExpiry(token)
}

// RoundTrip implements http.RoundTripper.
func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	token, err := t.current(ctx)
	if err != nil {
		return nil, err
	}
	resp, err := t.next.RoundTrip(withToken(req, token))
	if err != nil || resp.StatusCode != http.StatusUnauthorized || token == "" || t.cfg.identifier == "" {
		return resp, err
	}
	if req.Body != nil && req.GetBody == nil {
		return resp, nil // cannot be sent again
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if !t.expired(token, body) {
		return resp, nil
	}
	t.mu.Lock()
	if t.token == token { // nobody logged in since
		err = t.loginLocked(ctx)
	}
	token = t.token
	t.mu.Unlock()
	if err != nil {
		return nil, err
	}
	again := req.Clone(ctx)
	if req.GetBody != nil {
		if again.Body, err = req.GetBody(); err != nil {
			return nil, err
		}
	}
	t.cfg.logger.DebugContext(ctx, "vetlink client: token expired; sent again with a fresh one", "method", req.Method, "path", req.URL.Path)
	return t.next.RoundTrip(withToken(again, token))
}

// expired says whether a 401 answered to token is because it expired:
// the problem says so, or the token's own exp has passed.
func (t *authTransport) expired(token string, body []byte) bool {
	if exp, _ := tokenExpiry(token); !exp.IsZero() && !t.cfg.now().Before(exp) {
		return true
	}
	var p Problem
	return json.Unmarshal(body, &p) == nil && strings.Contains(p.Detail, "expired")
}

func withToken(req *http.Request, token string) *http.Request {
	if token == "" {
		return req
	}
	r := req.Clone(req.Context())
	r.Header.Set("X-Auth-Token", token)
	return r
}

// tokenExpiry reads the exp and iat claims of a JWT without verifying it
// (only the server can): the client only needs to know when to renew. A
// token that is not a JWT, or has no exp, never expires as far as the
// client knows.
func tokenExpiry(token string) (exp time.Time, life time.Duration) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}, 0
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return time.Time{}, 0
	}
	var c struct {
		Exp int64 `json:"exp"`
		Iat int64 `json:"iat"`
	}
	if json.Unmarshal(payload, &c) != nil || c.Exp == 0 {
		return time.Time{}, 0
	}
	exp = time.Unix(c.Exp, 0)
	if c.Iat > 0 && c.Iat < c.Exp {
		life = time.Duration(c.Exp-c.Iat) * time.Second
	}
	return exp, life
}
