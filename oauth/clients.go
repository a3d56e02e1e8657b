package oauth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/vetlink/vetlink/oauth/storage"
)

// Prefixes of the credentials the server makes, so that a leaked one is
// recognisable to secret scanners and to people.
const (
	ClientIDPrefix     = "vlc_"
	ClientSecretPrefix = "vlcs_"
)

// NewClient is what [Server.CreateClient] registers.
type NewClient struct {
	Name         string
	Type         storage.ClientType
	GrantTypes   []storage.GrantType
	RedirectURIs []string
	Scopes       []string
	Organisation string
	Registration int64
	VirtualUser  int64
}

// Validate checks c against the rules of the server: a known type; grant
// types the server offers, client_credentials for confidential clients
// only; a redirect URI (absolute, no fragment, RFC 6749 §3.1.2) for the
// authorization-code grant; scopes that are permissions or OpenID
// Connect's.
func (c NewClient) Validate() error {
	if c.Name == "" {
		return fmt.Errorf("oauth: client name: must not be empty")
	}
	if c.Type != storage.Confidential && c.Type != storage.Public {
		return fmt.Errorf("oauth: client %q type %q: must be confidential or public", c.Name, c.Type)
	}
	if len(c.GrantTypes) == 0 {
		return fmt.Errorf("oauth: client %q: at least one grant type is required", c.Name)
	}
	for _, g := range c.GrantTypes {
		switch g {
		case storage.ClientCredentials:
			if c.Type == storage.Public {
				return fmt.Errorf("oauth: client %q grant type client_credentials: only a confidential client may use it (RFC 6749 §4.4)", c.Name)
			}
		case storage.AuthorizationCode, storage.RefreshTokenGrant:
		default:
			return fmt.Errorf("oauth: client %q grant type %q: must be client_credentials, authorization_code or refresh_token", c.Name, g)
		}
	}
	if slices.Contains(c.GrantTypes, storage.AuthorizationCode) && len(c.RedirectURIs) == 0 {
		return fmt.Errorf("oauth: client %q: the authorization_code grant needs at least one redirect URI", c.Name)
	}
	for _, r := range c.RedirectURIs {
		if err := validRedirectURI(r); err != nil {
			return fmt.Errorf("oauth: client %q redirect URI %q: %w", c.Name, r, err)
		}
	}
	for _, s := range c.Scopes {
		if !validScope(s) {
			return fmt.Errorf("oauth: client %q scope %q: not a permission of vetlink nor an OpenID Connect scope", c.Name, s)
		}
	}
	return nil
}

func validRedirectURI(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fmt.Errorf("not a URL")
	case !u.IsAbs() || u.Host == "" && (u.Scheme == "http" || u.Scheme == "https"):
		return fmt.Errorf("must be an absolute URL")
	case u.Fragment != "" || raw[len(raw)-1] == '#':
		return fmt.Errorf("must not have a fragment (RFC 6749 §3.1.2)")
	}
	return nil
}

func validScope(s string) bool {
	return Permission(s).Valid() || slices.Contains([]string{"openid", "profile", "email", "offline_access"}, s)
}

func randomSecret(prefix string, n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// CreateClient registers a client and returns it with its secret (empty
// for a public client), which is shown this once: only its hash is kept.
func (s *Server) CreateClient(ctx context.Context, nc NewClient) (storage.Client, string, error) {
	if err := nc.Validate(); err != nil {
		return storage.Client{}, "", err
	}
	c := storage.Client{
		ID: randomSecret(ClientIDPrefix, 16), Name: nc.Name, Type: nc.Type, GrantTypes: nc.GrantTypes,
		RedirectURIs: nc.RedirectURIs, Scopes: nc.Scopes, Organisation: nc.Organisation,
		Registration: nc.Registration, VirtualUser: nc.VirtualUser, Created: s.store.now(),
	}
	var secret string
	if nc.Type == storage.Confidential {
		secret = randomSecret(ClientSecretPrefix, 32)
		c.SecretHash = storage.Hash(secret)
	}
	if err := s.cfg.Store.CreateClient(ctx, &c); err != nil {
		return storage.Client{}, "", fmt.Errorf("oauth: create client %q: %w", nc.Name, err)
	}
	return c, secret, nil
}

// RevokeClient revokes client id and every token issued to it, at once.
func (s *Server) RevokeClient(ctx context.Context, id string) error {
	if err := s.cfg.Store.RevokeClient(ctx, id, s.store.now()); err != nil {
		return fmt.Errorf("oauth: revoke client %q: %w", id, err)
	}
	return nil
}

// Purge deletes the authorization requests and tokens that expired more
// than keep ago (refresh tokens by whole families, so that a reuse is
// still recognised while its family lives), and returns how many records
// went. Call it periodically: every client_credentials grant adds an
// access-token record.
func (s *Server) Purge(ctx context.Context, keep time.Duration) (int64, error) {
	n, err := s.cfg.Store.PurgeExpired(ctx, s.store.now().Add(-keep))
	if err != nil {
		return n, fmt.Errorf("oauth: purge expired records: %w", err)
	}
	return n, nil
}
