package client

import (
	"crypto/rand"
	"net/http"
	"strings"
)

// enrollPaths are the operations whose POST the server makes idempotent
// with an Idempotency-Key: enrollCase (/api/cases2) and
// deprecatedEnrollCase (/api/cases).
var enrollPaths = map[string]bool{"/api/cases": true, "/api/cases2": true}

// NewIdempotencyKey returns a fresh random key for the Idempotency-Key
// header: 26 base32 characters carrying 128 random bits (crypto/rand.Text),
// within the server's rule of 1 to 255 printable ASCII characters.
func NewIdempotencyKey() string { return rand.Text() }

// idempotencyTransport gives each enrollment without an Idempotency-Key a
// fresh one before anything else sees the request, so the retries below
// it (RetryTransport, a login again after a 401) all carry the same key
// and the server enrolls the case once however many times it is sent.
type idempotencyTransport struct {
	next http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t *idempotencyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodPost || !enrollsCase(req) || req.Header.Get(IdempotencyKeyHeader) != "" {
		return t.next.RoundTrip(req)
	}
	r := req.Clone(req.Context())
	r.Header.Set(IdempotencyKeyHeader, NewIdempotencyKey())
	return t.next.RoundTrip(r)
}

// enrollsCase says whether req is one of the enroll operations, at the
// API's base path or under a prefix of it.
func enrollsCase(req *http.Request) bool {
	for p := range enrollPaths {
		if strings.HasSuffix(req.URL.Path, p) {
			return true
		}
	}
	return false
}
