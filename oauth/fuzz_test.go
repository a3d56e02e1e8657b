package oauth_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/vetlink/vetlink/oauth"
	"github.com/vetlink/vetlink/oauth/storage"
	"github.com/vetlink/vetlink/store/storetest"
)

// FuzzVerify feeds the verifier tokens it did not issue, starting from a
// real one: every one must be refused as ErrUnauthenticated (a 401), never
// accepted, never a server failure, never a panic.
func FuzzVerify(f *testing.F) {
	b := setup(f, storetest.SQLite(f))
	ctx := context.Background()
	c, secret, err := b.srv.CreateClient(ctx, oauth.NewClient{Name: "fuzz", Type: storage.Confidential,
		GrantTypes: []storage.GrantType{storage.ClientCredentials}, Scopes: []string{"cases.read"}})
	if err != nil {
		f.Fatal(err)
	}
	tok, err := (&clientcredentials.Config{ClientID: c.ID, ClientSecret: secret, TokenURL: b.issuer + oauth.TokenPath}).Token(ctx)
	if err != nil {
		f.Fatal(err)
	}
	if _, err := b.srv.Verify(ctx, tok.AccessToken); err != nil {
		f.Fatalf("the real token: %v", err)
	}
	f.Add(tok.AccessToken[:len(tok.AccessToken)-1] + "A")
	f.Add(tok.AccessToken + "x")
	f.Add(strings.ToUpper(tok.AccessToken))
	f.Add("")
	f.Add("at_x:user-1")
	f.Add("eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.")
	f.Fuzz(func(t *testing.T, token string) {
		if token == tok.AccessToken {
			return
		}
		_, err := b.srv.Verify(ctx, token)
		if !errors.Is(err, oauth.ErrUnauthenticated) {
			t.Fatalf("Verify(%q) = %v, want ErrUnauthenticated", token, err)
		}
	})
}

// FuzzBearerToken checks that the header parser returns a token only for
// the Bearer scheme, and never one with surrounding space.
func FuzzBearerToken(f *testing.F) {
	for _, s := range []string{"Bearer abc", "bearer abc", "Basic abc", "Bearer", "Bearer  abc ", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Authorization", header)
		got := oauth.BearerToken(r)
		if got != "" && (!strings.HasPrefix(strings.ToLower(header), "bearer ") || strings.TrimSpace(got) != got) {
			t.Fatalf("BearerToken(%q) = %q", header, got)
		}
	})
}
