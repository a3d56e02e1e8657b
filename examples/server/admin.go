package main

import (
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"

	"github.com/vetlink/vetlink/admin"
	"github.com/vetlink/vetlink/auth"
)

// withDashboard serves the administrator's dashboard at /admin/ beside
// the API (which keeps /admin, the VCPR admin app's loader). The
// dashboard calls the API in-process with an API key of its own and signs
// its CSRF tokens with a key derived from the server's secret key.
//
// The dashboard's API key is derived from the secret key too, and adopted
// with EnsureAPIKey: every start, and every server process on the same
// database, uses the same key, stored once, instead of adding a key to the
// table at each start. Nobody needs to read it (the dashboard is
// in-process), it changes when the secret key does, and the administrator
// can revoke it like any other (the dashboard then refuses to start until
// the secret key changes). A short-lived token minted per session would
// need a new kind of credential in auth; a derived key needs none.
func withDashboard(ctx context.Context, s *server, key []byte, secure bool) (http.Handler, error) {
	raw, err := hkdf.Key(sha256.New, key, nil, "vetlink admin dashboard api key v1", 32)
	if err != nil {
		return nil, err
	}
	apiKey := auth.APIKeyPrefix + base64.RawURLEncoding.EncodeToString(raw)
	if _, err := s.auth.EnsureAPIKey(ctx, "admin dashboard", apiKey); err != nil {
		return nil, fmt.Errorf("admin dashboard: its API key: %w", err)
	}
	csrfKey, err := hkdf.Key(sha256.New, key, nil, "vetlink admin csrf v1", 32)
	if err != nil {
		return nil, err
	}
	dash, err := admin.New(admin.Config{API: s.handler, APIKey: apiKey, Key: csrfKey, InsecureCookies: !secure})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/admin/", dash)
	mux.Handle("/", s.handler)
	return mux, nil
}
