package client

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// The paths of a vetlink server's OAuth 2.0 authorization server (see
// package oauth), under the server's base URL.
const (
	TokenPath     = "/oauth/token"
	AuthorizePath = "/oauth/authorize"
)

// Endpoint returns the OAuth 2.0 endpoints of the vetlink server at
// baseURL, for an oauth2.Config or a clientcredentials.Config. The server
// authenticates confidential clients with HTTP Basic.
func Endpoint(baseURL string) oauth2.Endpoint {
	base := strings.TrimRight(baseURL, "/")
	return oauth2.Endpoint{AuthURL: base + AuthorizePath, TokenURL: base + TokenPath, AuthStyle: oauth2.AuthStyleInHeader}
}

// WithClientCredentials makes the API authenticate as an integration with
// the OAuth 2.0 client-credentials grant (RFC 6749 §4.4): New gets a token
// from cc.TokenURL (by default the server's /oauth/token) and the API
// sends it as "Authorization: Bearer …", getting a new one when it
// expires. Its tokens are for the integration API (/api/0.1/, see List);
// an organisation's registration gives the client ID and secret (see
// RegistrationHandler). The token requests go through the API's
// *http.Client (WithHTTP) and name it in User-Agent.
func WithClientCredentials(cc clientcredentials.Config) Option {
	return func(c *config) { c.clientCredentials = &cc }
}

// WithTokenSource makes the API send the tokens of ts as
// "Authorization: Bearer …": the way in for a token got otherwise, such
// as by the authorization-code flow with PKCE (see AuthorizationRequest),
// whose oauth2.Config.TokenSource also refreshes it. A failure of ts is
// the error of the call, wrapped.
func WithTokenSource(ts oauth2.TokenSource) Option {
	return func(c *config) { c.tokenSource = ts }
}

// bearerTransport sends a token of src as the Authorization header.
type bearerTransport struct {
	src  oauth2.TokenSource
	next http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t *bearerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	tok, err := t.src.Token()
	if err != nil {
		return nil, fmt.Errorf("client: OAuth 2.0 token for %s %s: %w", req.Method, req.URL.Path, err)
	}
	r := req.Clone(req.Context())
	tok.SetAuthHeader(r)
	return t.next.RoundTrip(r)
}

// uaTransport names the client in User-Agent on requests the generated
// client does not build (token requests, List).
type uaTransport struct {
	ua   string
	next http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t *uaTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Header.Get("User-Agent") != "" {
		return t.next.RoundTrip(req)
	}
	r := req.Clone(req.Context())
	r.Header.Set("User-Agent", t.ua)
	return t.next.RoundTrip(r)
}

// AuthorizationRequest is one authorization-code flow with PKCE (RFC 6749
// §4.1, RFC 7636) in progress: the URL to send the user to, and the state
// and verifier kept until the server redirects back. The verifier never
// leaves the client but in the token request; the server refuses "plain"
// challenges, so the challenge is always S256.
type AuthorizationRequest struct {
	// Config is the client's OAuth 2.0 configuration: ClientID (and
	// ClientSecret for a confidential client), Endpoint (see Endpoint),
	// RedirectURL (one of the client's registered redirect URIs) and
	// Scopes (such as "cases.read").
	Config *oauth2.Config
	// State is a random value the redirect must carry back (RFC 6749
	// §10.12: it ties the answer to this request).
	State string
	// Verifier is the PKCE code verifier (oauth2.GenerateVerifier).
	Verifier string
	// URL is where to send the user's browser.
	URL string
}

// NewAuthorizationRequest starts an authorization-code flow with PKCE for
// cfg: a fresh state and verifier, and the URL of the server's
// authorization endpoint carrying the S256 challenge. opts add parameters
// to the URL (oauth2.AccessTypeOffline is not needed: ask for the
// offline_access scope for a refresh token).
func NewAuthorizationRequest(cfg *oauth2.Config, opts ...oauth2.AuthCodeOption) *AuthorizationRequest {
	r := &AuthorizationRequest{Config: cfg, State: oauth2.GenerateVerifier(), Verifier: oauth2.GenerateVerifier()}
	r.URL = cfg.AuthCodeURL(r.State, append([]oauth2.AuthCodeOption{oauth2.S256ChallengeOption(r.Verifier)}, opts...)...)
	return r
}

// ErrAuthorizationDenied is the error of Exchange when the server
// redirected back with error=access_denied: the user did not allow the
// client.
var ErrAuthorizationDenied = errors.New("client: authorization denied")

// Exchange completes the flow with the redirect the server sent the
// browser to (the callback's URL, query and all): it checks the state,
// reports an error the server sent instead of a code (error and
// error_description, RFC 6749 §4.1.2.1; access_denied matches
// ErrAuthorizationDenied), and exchanges the code with the verifier for a
// token. Give the token to Config.TokenSource and that to
// WithTokenSource.
func (r *AuthorizationRequest) Exchange(ctx context.Context, callback *url.URL) (*oauth2.Token, error) {
	q := callback.Query()
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(r.State)) != 1 {
		return nil, fmt.Errorf("client: authorization callback %s: state %q does not match the request's: not the answer to this request", callback.Path, q.Get("state"))
	}
	if e := q.Get("error"); e != "" {
		err := fmt.Errorf("client: authorization callback %s: the server answered error %q (%s)", callback.Path, e, q.Get("error_description"))
		if e == "access_denied" {
			err = fmt.Errorf("%w: %w", ErrAuthorizationDenied, err)
		}
		return nil, err
	}
	code := q.Get("code")
	if code == "" {
		return nil, fmt.Errorf("client: authorization callback %s: no code and no error: not an authorization answer", callback.Path)
	}
	tok, err := r.Config.Exchange(ctx, code, oauth2.VerifierOption(r.Verifier))
	if err != nil {
		return nil, fmt.Errorf("client: exchange the authorization code at %s: %w", r.Config.Endpoint.TokenURL, err)
	}
	return tok, nil
}
