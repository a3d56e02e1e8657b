package oauth_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/vetlink/vetlink/oauth"
	"github.com/vetlink/vetlink/oauth/storage"
)

// errorCode returns the RFC 6749 §5.2 error code of a token endpoint
// failure.
func errorCode(t *testing.T, err error) string {
	t.Helper()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		t.Fatalf("error %v is not a token endpoint error", err)
	}
	var body struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(re.Body, &body) != nil || body.Error == "" || body.Error != re.ErrorCode {
		t.Errorf("error body %s is not in the RFC 6749 §5.2 shape", re.Body)
	}
	return re.ErrorCode
}

func (b *bundle) confidential(t testing.TB, grants ...storage.GrantType) (storage.Client, string) {
	t.Helper()
	c, secret, err := b.srv.CreateClient(context.Background(), oauth.NewClient{
		Name: "Herd app", Type: storage.Confidential, GrantTypes: grants,
		RedirectURIs: []string{"https://app.example/cb"},
		Scopes:       []string{"cases.read", "farms.read", "openid", "profile", "offline_access"},
		Organisation: "org-1",
	})
	if err != nil {
		t.Fatal(err)
	}
	return c, secret
}

func TestClientCredentials(t *testing.T) {
	engines(t, func(t *testing.T, b *bundle) {
		ctx := context.Background()
		c, secret := b.confidential(t, storage.ClientCredentials)
		cc := clientcredentials.Config{ClientID: c.ID, ClientSecret: secret, TokenURL: b.issuer + oauth.TokenPath,
			Scopes: []string{"cases.read"}}
		tok, err := cc.Token(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if tok.TokenType != "Bearer" || tok.Expiry.IsZero() || tok.RefreshToken != "" {
			t.Errorf("token %+v: want a Bearer token with an expiry and no refresh token", tok)
		}
		status, p := b.resource(t, tok.AccessToken)
		if status != 200 || p.ClientID != c.ID || p.Organisation != "org-1" || !slices.Equal(p.Permissions, []oauth.Permission{oauth.ReadCases}) {
			t.Errorf("resource: %d %+v", status, p)
		}

		t.Run("default scopes are all granted ones", func(t *testing.T) {
			cc := cc
			cc.Scopes = nil
			tok, err := cc.Token(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := tok.Extra("scope"); got != "cases.read farms.read openid profile offline_access" {
				t.Errorf("scope %q", got)
			}
		})
		bad := []struct {
			name string
			mod  func(*clientcredentials.Config)
			want string
		}{
			{"scope not granted", func(c *clientcredentials.Config) { c.Scopes = []string{"withholds.read"} }, "invalid_scope"},
			{"wrong secret", func(c *clientcredentials.Config) { c.ClientSecret = "vlcs_wrong" }, "invalid_client"},
			{"unknown client", func(c *clientcredentials.Config) { c.ClientID = "vlc_nobody" }, "invalid_client"},
		}
		for _, tt := range bad {
			t.Run(tt.name, func(t *testing.T) {
				cc := cc
				tt.mod(&cc)
				_, err := cc.Token(ctx)
				if got := errorCode(t, err); got != tt.want {
					t.Errorf("error %q, want %q", got, tt.want)
				}
			})
		}

		t.Run("introspection and revocation", func(t *testing.T) {
			tok, err := cc.Token(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := introspect(t, b, c.ID, secret, tok.AccessToken); got["active"] != true || got["client_id"] != c.ID ||
				got["scope"] != "cases.read" || got["organisation"] != "org-1" {
				t.Errorf("introspection of a live token: %v", got)
			}
			other, otherSecret := b.confidential(t, storage.ClientCredentials)
			if got := introspect(t, b, other.ID, otherSecret, tok.AccessToken); got["active"] != false {
				t.Errorf("another client introspects the token: %v, want inactive", got)
			}
			form := url.Values{"token": {tok.AccessToken}, "token_type_hint": {"access_token"}}
			if status := postClient(t, b, oauth.RevocationPath, c.ID, secret, form); status != 200 {
				t.Fatalf("revoke: %d", status)
			}
			if status, _ := b.resource(t, tok.AccessToken); status != 401 {
				t.Errorf("revoked token: %d, want 401", status)
			}
			if got := introspect(t, b, c.ID, secret, tok.AccessToken); got["active"] != false {
				t.Errorf("introspection of a revoked token: %v", got)
			}
			// RFC 7009 §2.2: an unknown token is no error.
			if status := postClient(t, b, oauth.RevocationPath, c.ID, secret, url.Values{"token": {"nonsense"}}); status != 200 {
				t.Errorf("revoke an unknown token: %d, want 200", status)
			}
		})

		t.Run("expired", func(t *testing.T) {
			tok, err := cc.Token(ctx)
			if err != nil {
				t.Fatal(err)
			}
			b.clock.Advance(oauth.AccessTokenTTL + time.Minute)
			defer b.clock.Advance(0)
			if status, _ := b.resource(t, tok.AccessToken); status != 401 {
				t.Errorf("expired token: %d, want 401", status)
			}
		})

		t.Run("revoked client", func(t *testing.T) {
			tok, err := cc.Token(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := b.srv.RevokeClient(ctx, c.ID); err != nil {
				t.Fatal(err)
			}
			if status, _ := b.resource(t, tok.AccessToken); status != 401 {
				t.Errorf("token of a revoked client: %d, want 401", status)
			}
			if _, err := cc.Token(ctx); errorCode(t, err) != "invalid_client" {
				t.Errorf("revoked client got a token: %v", err)
			}
		})
	})
}

func postClient(t *testing.T, b *bundle, path, id, secret string, form url.Values) int {
	t.Helper()
	req, _ := http.NewRequest("POST", b.issuer+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func introspect(t *testing.T, b *bundle, id, secret, token string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest("POST", b.issuer+oauth.IntrospectionPath, strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("introspection %d: %v", resp.StatusCode, err)
	}
	return out
}

func TestAuthorizationCodePKCE(t *testing.T) {
	engines(t, func(t *testing.T, b *bundle) {
		ctx := context.Background()
		c, secret := b.confidential(t, storage.AuthorizationCode, storage.RefreshTokenGrant)
		cfg := oauth2.Config{ClientID: c.ID, ClientSecret: secret, RedirectURL: "https://app.example/cb",
			Scopes:   []string{"openid", "profile", "cases.read", "offline_access", "withholds.read"},
			Endpoint: oauth2.Endpoint{AuthURL: b.issuer + oauth.AuthorizePath, TokenURL: b.issuer + oauth.TokenPath}}

		code := func(t *testing.T, verifier string) string {
			t.Helper()
			loc := b.authorize(t, cfg.AuthCodeURL("st-1", oauth2.S256ChallengeOption(verifier)), b.user.Uname, b.pass, "allow")
			q := loc.Query()
			if loc.Host != "app.example" || q.Get("state") != "st-1" || q.Get("code") == "" {
				t.Fatalf("redirect %s: want the client's redirect URI with code and state", loc)
			}
			return q.Get("code")
		}

		verifier := oauth2.GenerateVerifier()
		cd := code(t, verifier)
		tok, err := cfg.Exchange(ctx, cd, oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatal(err)
		}
		// withholds.read was asked for and not granted: RFC 6749 §3.3 lets the
		// server narrow the scope, and says so in the response.
		if got := tok.Extra("scope"); got != "openid profile cases.read offline_access" {
			t.Errorf("granted scope %q", got)
		}
		if tok.RefreshToken == "" || tok.Extra("id_token") == nil {
			t.Errorf("token %+v: want a refresh token and an ID token", tok)
		}
		status, p := b.resource(t, tok.AccessToken)
		if status != 200 || p.User != b.user.ID || p.Subject != "user-"+itoa(int64(b.user.ID)) ||
			!slices.Equal(p.Permissions, []oauth.Permission{oauth.ReadCases}) {
			t.Errorf("resource: %d %+v", status, p)
		}

		t.Run("reused code revokes its tokens", func(t *testing.T) {
			_, err := cfg.Exchange(ctx, cd, oauth2.VerifierOption(verifier))
			if got := errorCode(t, err); got != "invalid_grant" {
				t.Errorf("reused code: %q, want invalid_grant", got)
			}
			if status, _ := b.resource(t, tok.AccessToken); status != 401 {
				t.Errorf("token of a replayed code: %d, want 401", status)
			}
			if _, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); errorCode(t, err) != "invalid_grant" {
				t.Errorf("refresh token of a replayed code still works: %v", err)
			}
		})

		t.Run("wrong verifier", func(t *testing.T) {
			cd := code(t, oauth2.GenerateVerifier())
			_, err := cfg.Exchange(ctx, cd, oauth2.VerifierOption(oauth2.GenerateVerifier()))
			if got := errorCode(t, err); got != "invalid_grant" {
				t.Errorf("wrong verifier: %q, want invalid_grant", got)
			}
		})

		t.Run("refresh rotation and reuse", func(t *testing.T) {
			v := oauth2.GenerateVerifier()
			tok1, err := cfg.Exchange(ctx, code(t, v), oauth2.VerifierOption(v))
			if err != nil {
				t.Fatal(err)
			}
			tok2, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok1.RefreshToken}).Token()
			if err != nil {
				t.Fatal(err)
			}
			if tok2.RefreshToken == "" || tok2.RefreshToken == tok1.RefreshToken {
				t.Fatalf("refresh did not rotate: %q then %q", tok1.RefreshToken, tok2.RefreshToken)
			}
			if status, _ := b.resource(t, tok2.AccessToken); status != 200 {
				t.Fatalf("refreshed token: %d", status)
			}
			_, err = cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok1.RefreshToken}).Token()
			if got := errorCode(t, err); got != "invalid_grant" {
				t.Errorf("reused refresh token: %q, want invalid_grant", got)
			}
			for name, at := range map[string]string{"first": tok1.AccessToken, "rotated": tok2.AccessToken} {
				if status, _ := b.resource(t, at); status != 401 {
					t.Errorf("%s access token after reuse: %d, want 401 (family revoked)", name, status)
				}
			}
			if _, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok2.RefreshToken}).Token(); errorCode(t, err) != "invalid_grant" {
				t.Errorf("rotated refresh token after reuse still works: %v", err)
			}
		})

		t.Run("expired code and refresh token", func(t *testing.T) {
			v := oauth2.GenerateVerifier()
			cd := code(t, v)
			b.clock.Advance(oauth.AuthRequestTTL + time.Minute)
			_, err := cfg.Exchange(ctx, cd, oauth2.VerifierOption(v))
			b.clock.Advance(0)
			if got := errorCode(t, err); got != "invalid_grant" {
				t.Errorf("expired code: %q, want invalid_grant", got)
			}
			v = oauth2.GenerateVerifier()
			tok, err := cfg.Exchange(ctx, code(t, v), oauth2.VerifierOption(v))
			if err != nil {
				t.Fatal(err)
			}
			b.clock.Advance(oauth.RefreshTokenTTL + time.Hour)
			defer b.clock.Advance(0)
			_, err = cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
			if got := errorCode(t, err); got != "invalid_grant" {
				t.Errorf("expired refresh token: %q, want invalid_grant", got)
			}
		})

		t.Run("revoke a refresh token", func(t *testing.T) {
			v := oauth2.GenerateVerifier()
			tok, err := cfg.Exchange(ctx, code(t, v), oauth2.VerifierOption(v))
			if err != nil {
				t.Fatal(err)
			}
			// A made-up ID in the shape of the server's own is no token.
			if status := postClient(t, b, oauth.RevocationPath, c.ID, secret, url.Values{"token": {"rf_" + storage.Hash("guess")}}); status != 200 {
				t.Errorf("revoke a made-up ID: %d, want 200", status)
			}
			if status, _ := b.resource(t, tok.AccessToken); status != 200 {
				t.Fatalf("token before revocation: %d", status)
			}
			other, otherSecret := b.confidential(t, storage.AuthorizationCode, storage.RefreshTokenGrant)
			postClient(t, b, oauth.RevocationPath, other.ID, otherSecret, url.Values{"token": {tok.RefreshToken}})
			if status, _ := b.resource(t, tok.AccessToken); status != 200 {
				t.Errorf("another client revoked the grant: %d", status)
			}
			form := url.Values{"token": {tok.RefreshToken}, "token_type_hint": {"refresh_token"}}
			if status := postClient(t, b, oauth.RevocationPath, c.ID, secret, form); status != 200 {
				t.Fatalf("revoke: %d", status)
			}
			if _, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); errorCode(t, err) != "invalid_grant" {
				t.Errorf("revoked refresh token still works: %v", err)
			}
			if status, _ := b.resource(t, tok.AccessToken); status != 401 {
				t.Errorf("access token of a revoked grant: %d, want 401", status)
			}
		})

		t.Run("unregistered redirect URI", func(t *testing.T) {
			cfg := cfg
			cfg.RedirectURL = "https://evil.example/cb"
			br := newBrowser(t)
			resp, body := br.get(cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
			if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
				t.Errorf("unregistered redirect URI: %d %s, want 400 and no redirect", resp.StatusCode, body)
			}
		})

		t.Run("wrong password", func(t *testing.T) {
			br := newBrowser(t)
			resp, _ := br.get(cfg.AuthCodeURL("st-3", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
			loc, _ := resp.Location()
			_, body := br.get(loc.String())
			form := url.Values{"id": {idField.FindStringSubmatch(body)[1]}, "csrf": {csrfField.FindStringSubmatch(body)[1]},
				"uname": {b.user.Uname}, "password": {"not the password"}, "action": {"allow"}}
			resp, body = br.post(b.issuer+oauth.LoginPath, form)
			if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "The user name or password is wrong.") {
				t.Errorf("wrong password: %d %s", resp.StatusCode, body)
			}
			form.Set("csrf", "forged")
			resp, body = br.post(b.issuer+oauth.LoginPath, form)
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "CSRF check failed") {
				t.Errorf("forged CSRF token: %d %s", resp.StatusCode, body)
			}
			if got := resp.Header.Get("Content-Security-Policy"); !strings.Contains(got, "frame-ancestors 'none'") {
				t.Errorf("CSP %q", got)
			}
		})

		t.Run("deny", func(t *testing.T) {
			loc := b.authorize(t, cfg.AuthCodeURL("st-2", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())), b.user.Uname, b.pass, "deny")
			if q := loc.Query(); q.Get("error") != "access_denied" || q.Get("state") != "st-2" {
				t.Errorf("deny: redirect %s, want error=access_denied and the state", loc)
			}
		})
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestPublicClientPKCE(t *testing.T) {
	engines(t, func(t *testing.T, b *bundle) {
		ctx := context.Background()
		c, secret, err := b.srv.CreateClient(ctx, oauth.NewClient{
			Name: "Barn tablet", Type: storage.Public,
			GrantTypes:   []storage.GrantType{storage.AuthorizationCode, storage.RefreshTokenGrant},
			RedirectURIs: []string{"http://127.0.0.1/cb"}, Scopes: []string{"cases.read", "offline_access"},
		})
		if err != nil || secret != "" {
			t.Fatalf("public client: secret %q, %v", secret, err)
		}
		cfg := oauth2.Config{ClientID: c.ID, RedirectURL: "http://127.0.0.1:50123/cb", Scopes: []string{"cases.read", "offline_access"},
			Endpoint: oauth2.Endpoint{AuthURL: b.issuer + oauth.AuthorizePath, TokenURL: b.issuer + oauth.TokenPath, AuthStyle: oauth2.AuthStyleInParams}}

		t.Run("without PKCE", func(t *testing.T) {
			loc := b.authorize(t, cfg.AuthCodeURL("st"), b.user.Uname, b.pass, "allow")
			if q := loc.Query(); q.Get("error") != "invalid_request" || !strings.Contains(q.Get("error_description"), "is public: it must send a PKCE code_challenge") {
				t.Errorf("public client without PKCE: redirect %s, want error=invalid_request", loc)
			}
		})
		t.Run("plain PKCE", func(t *testing.T) {
			loc := b.authorize(t, cfg.AuthCodeURL("st", oauth2.SetAuthURLParam("code_challenge", "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopq"),
				oauth2.SetAuthURLParam("code_challenge_method", "plain")), b.user.Uname, b.pass, "allow")
			if q := loc.Query(); q.Get("error") != "invalid_request" {
				t.Errorf("plain PKCE: redirect %s, want error=invalid_request", loc)
			}
		})
		t.Run("with PKCE on any loopback port", func(t *testing.T) {
			v := oauth2.GenerateVerifier()
			loc := b.authorize(t, cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(v)), b.user.Uname, b.pass, "allow")
			tok, err := cfg.Exchange(ctx, loc.Query().Get("code"), oauth2.VerifierOption(v))
			if err != nil {
				t.Fatal(err)
			}
			if status, p := b.resource(t, tok.AccessToken); status != 200 || p.User != b.user.ID {
				t.Errorf("resource: %d %+v", status, p)
			}
		})
		t.Run("no client_credentials for a public client", func(t *testing.T) {
			_, _, err := b.srv.CreateClient(ctx, oauth.NewClient{Name: "x", Type: storage.Public, GrantTypes: []storage.GrantType{storage.ClientCredentials}})
			if err == nil || !strings.Contains(err.Error(), "only a confidential client may use it") {
				t.Errorf("CreateClient: %v", err)
			}
		})
	})
}

func TestMetadata(t *testing.T) {
	engines(t, func(t *testing.T, b *bundle) {
		for _, path := range []string{oauth.AuthorizationServerMetadataPath, oauth.OpenIDConfigurationPath} {
			resp, err := http.Get(b.issuer + path)
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			err = json.NewDecoder(resp.Body).Decode(&m)
			resp.Body.Close()
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("%s: %d %v", path, resp.StatusCode, err)
			}
			want := map[string]string{
				"issuer":                 b.issuer,
				"authorization_endpoint": b.issuer + oauth.AuthorizePath,
				"token_endpoint":         b.issuer + oauth.TokenPath,
				"introspection_endpoint": b.issuer + oauth.IntrospectionPath,
				"revocation_endpoint":    b.issuer + oauth.RevocationPath,
				"jwks_uri":               b.issuer + oauth.KeysPath,
			}
			for k, v := range want {
				if m[k] != v {
					t.Errorf("%s %s = %v, want %s", path, k, m[k], v)
				}
			}
			if got := m["code_challenge_methods_supported"]; !containsAll(got, "S256") {
				t.Errorf("%s code_challenge_methods_supported = %v", path, got)
			}
			if got := m["grant_types_supported"]; !containsAll(got, "authorization_code", "client_credentials", "refresh_token") {
				t.Errorf("%s grant_types_supported = %v", path, got)
			}
		}
	})
}

func containsAll(v any, want ...string) bool {
	l, _ := v.([]any)
	for _, w := range want {
		if !slices.Contains(l, any(w)) {
			return false
		}
	}
	return true
}
