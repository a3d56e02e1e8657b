package oauth_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/vetlink/vetlink/oauth"
)

// verifierFunc adapts a function to oauth.Verifier.
type verifierFunc func(ctx context.Context, token string) (oauth.Principal, error)

func (f verifierFunc) Verify(ctx context.Context, token string) (oauth.Principal, error) {
	return f(ctx, token)
}

func TestMiddlewareAndRequire(t *testing.T) {
	v := verifierFunc(func(ctx context.Context, token string) (oauth.Principal, error) {
		switch token {
		case "good":
			return oauth.Principal{ClientID: "c1", Permissions: []oauth.Permission{oauth.ReadCases}}, nil
		case "broken":
			return oauth.Principal{}, errors.New("database down")
		}
		return oauth.Principal{}, oauth.ErrUnauthenticated
	})
	h := oauth.Middleware(v, oauth.Require(oauth.ReadCases, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := oauth.PrincipalFromContext(r.Context())
		w.Write([]byte(p.ClientID))
	})))
	denied := oauth.Middleware(v, oauth.Require(oauth.ReadWithholds, http.NotFoundHandler()))
	tests := []struct {
		name      string
		h         http.Handler
		header    string
		status    int
		errorType string
		detail    string
		authn     string
	}{
		{"no header", h, "", 401, "unauthorized", "an Authorization: Bearer header with an access token is required", `Bearer realm="vetlink"`},
		{"basic scheme", h, "Basic Zm9vOmJhcg==", 401, "unauthorized", "an Authorization: Bearer header with an access token is required", `Bearer realm="vetlink"`},
		{"unknown token", h, "Bearer nope", 401, "unauthorized", "the access token is unknown, expired or revoked", `Bearer realm="vetlink", error="invalid_token"`},
		{"verifier fails", h, "Bearer broken", 500, "internal", "the token could not be checked", ""},
		{"missing permission", denied, "bearer good", 403, "forbidden", `this token lacks the permission "withholds.read"`, `Bearer realm="vetlink", error="insufficient_scope", scope="withholds.read"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/api/0.1/cases", nil)
			if tt.header != "" {
				r.Header.Set("Authorization", tt.header)
			}
			w := httptest.NewRecorder()
			tt.h.ServeHTTP(w, r)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d", w.Code, tt.status)
			}
			var p oauth.Problem
			if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
				t.Fatal(err)
			}
			if p.ErrorType != tt.errorType || p.Detail != tt.detail || p.Instance != "/api/0.1/cases" {
				t.Errorf("problem %+v, want errorType %q detail %q", p, tt.errorType, tt.detail)
			}
			if got := w.Header().Get("WWW-Authenticate"); got != tt.authn {
				t.Errorf("WWW-Authenticate %q, want %q", got, tt.authn)
			}
		})
	}
	t.Run("granted", func(t *testing.T) {
		r := httptest.NewRequest("GET", "/api/0.1/cases", nil)
		r.Header.Set("Authorization", "Bearer good")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 || w.Body.String() != "c1" {
			t.Errorf("got %d %q, want 200 c1", w.Code, w.Body.String())
		}
	})
}

func TestRequireNamesPermission(t *testing.T) {
	p := oauth.Principal{Permissions: []oauth.Permission{oauth.ReadCases, oauth.ReadFarms}}
	tests := []struct {
		perm oauth.Permission
		want string // "" for granted
	}{
		{oauth.ReadCases, ""},
		{oauth.ReadFarms, ""},
		{oauth.ReadAnimals, `oauth: permission "animals.read" is required and not granted to this token`},
	}
	for _, tt := range tests {
		err := p.Require(tt.perm)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("Require(%s) = %v, want nil", tt.perm, err)
		case tt.want != "" && (err == nil || err.Error() != tt.want || !errors.Is(err, oauth.ErrForbidden)):
			t.Errorf("Require(%s) = %v, want %q matching ErrForbidden", tt.perm, err, tt.want)
		}
	}
}
