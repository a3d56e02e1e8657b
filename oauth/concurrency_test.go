package oauth_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/vetlink/vetlink/oauth"
	"github.com/vetlink/vetlink/oauth/storage"
	"github.com/vetlink/vetlink/store/storetest"
)

// TestConcurrentRefresh presents one refresh token twice at the same
// moment, as a thief and the legitimate app racing would: at most one
// refresh may succeed, and either way the reuse revokes the whole family,
// so no token issued from it stays usable.
func TestConcurrentRefresh(t *testing.T) {
	engines(t, func(t *testing.T, b *bundle) {
		ctx := context.Background()
		c, secret := b.confidential(t, storage.AuthorizationCode, storage.RefreshTokenGrant)
		cfg := oauth2.Config{ClientID: c.ID, ClientSecret: secret, RedirectURL: "https://app.example/cb",
			Scopes:   []string{"cases.read", "offline_access"},
			Endpoint: oauth2.Endpoint{AuthURL: b.issuer + oauth.AuthorizePath, TokenURL: b.issuer + oauth.TokenPath}}
		v := oauth2.GenerateVerifier()
		loc := b.authorize(t, cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(v)), b.user.Uname, b.pass, "allow")
		tok, err := cfg.Exchange(ctx, loc.Query().Get("code"), oauth2.VerifierOption(v))
		if err != nil {
			t.Fatal(err)
		}
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			issued  []*oauth2.Token
			refused int
		)
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				nt, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					refused++
					return
				}
				issued = append(issued, nt)
			}()
		}
		wg.Wait()
		if len(issued) > 1 || refused < 1 {
			t.Fatalf("%d refreshes succeeded and %d were refused; want at most 1 success", len(issued), refused)
		}
		all := append([]*oauth2.Token{tok}, issued...)
		for i, at := range all {
			if status, _ := b.resource(t, at.AccessToken); status != 401 {
				t.Errorf("access token %d after the race: %d, want 401 (family revoked)", i, status)
			}
		}
	})
}

// BenchmarkVerify measures what every request of the integration API pays
// to authenticate: decrypting the opaque token and reading its record,
// client, virtual user and group.
func BenchmarkVerify(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			db := storetest.SQLite(b)
			if engine == "postgres" {
				db = storetest.Postgres(b)
			}
			bb := setup(b, db)
			ctx := context.Background()
			cat, _ := bb.catalogue(b)
			in, _, err := cat.Define(ctx, oauth.Integration{Name: "Bench", Visibility: storage.VisibleToAll,
				GrantType: storage.ClientCredentials, ClientType: storage.Confidential, Scopes: []string{"cases.read"},
				Notify: storage.NotifyByEmail, Email: "dev@bench.example"})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := cat.Add(ctx, in.ID, oauth.Organisation{ID: "1"}); err != nil {
				b.Fatal(err)
			}
			regs, err := cat.Registrations(ctx, in.ID)
			if err != nil || len(regs) != 1 {
				b.Fatalf("registrations %v, %v", regs, err)
			}
			// The registration's secret went to the mailer: a client of its
			// virtual user takes the same path through Verify (token,
			// client, virtual user, group).
			c, secret, err := bb.srv.CreateClient(ctx, oauth.NewClient{Name: "bench", Type: storage.Confidential,
				GrantTypes: []storage.GrantType{storage.ClientCredentials}, Scopes: []string{"cases.read"},
				VirtualUser: regs[0].VirtualUser, Organisation: "1"})
			if err != nil {
				b.Fatal(err)
			}
			tok, err := (&clientcredentials.Config{ClientID: c.ID, ClientSecret: secret, TokenURL: bb.issuer + oauth.TokenPath}).Token(ctx)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := bb.srv.Verify(ctx, tok.AccessToken); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestPurge(t *testing.T) {
	engines(t, func(t *testing.T, b *bundle) {
		ctx := context.Background()
		c, secret := b.confidential(t, storage.ClientCredentials)
		tok, err := (&clientcredentials.Config{ClientID: c.ID, ClientSecret: secret, TokenURL: b.issuer + oauth.TokenPath}).Token(ctx)
		if err != nil {
			t.Fatal(err)
		}
		p, err := b.srv.Verify(ctx, tok.AccessToken)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := b.srv.Purge(ctx, 0); err != nil || n != 0 {
			t.Fatalf("Purge of a live token: %d, %v; want 0", n, err)
		}
		b.clock.Advance(oauth.AccessTokenTTL + time.Minute)
		defer b.clock.Advance(0)
		if n, err := b.srv.Purge(ctx, time.Hour); err != nil || n != 0 {
			t.Fatalf("Purge keeping an hour: %d, %v; want 0", n, err)
		}
		if n, err := b.srv.Purge(ctx, 0); err != nil || n != 1 {
			t.Fatalf("Purge: %d, %v; want 1", n, err)
		}
		if _, err := b.db.OAuth().AccessToken(ctx, p.TokenID); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("the purged token: %v, want ErrNotFound", err)
		}
	})
}

// BenchmarkClientCredentials measures a whole token request over loopback
// HTTP: op parses and authenticates it, the store writes the token.
func BenchmarkClientCredentials(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			db := storetest.SQLite(b)
			if engine == "postgres" {
				db = storetest.Postgres(b)
			}
			bb := setup(b, db)
			c, secret := bb.confidential(b, storage.ClientCredentials)
			cc := clientcredentials.Config{ClientID: c.ID, ClientSecret: secret, TokenURL: bb.issuer + oauth.TokenPath}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := cc.Token(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
