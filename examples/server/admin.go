package main

import (
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"net/http"

	"github.com/vetlink/vetlink/admin"
)

// withDashboard serves the administrator's dashboard at /admin/ beside
// the API (which keeps /admin, the VCPR admin app's loader). The
// dashboard calls the API in-process with an API key of its own, made at
// each start, and signs its CSRF tokens with a key derived from the
// server's secret key.
func withDashboard(ctx context.Context, s *server, key []byte, secure bool) (http.Handler, error) {
	apiKey, _, err := s.auth.CreateAPIKey(ctx, "admin dashboard")
	if err != nil {
		return nil, err
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
