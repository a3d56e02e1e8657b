// Package storagetest is the conformance suite of [storage.Store]: every
// implementation runs [TestStore] (package store runs it on SQLite and
// PostgreSQL).
package storagetest

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/vetlink/vetlink/oauth/storage"
)

// TestStore runs the suite. open returns a fresh, empty store for each
// subtest.
func TestStore(t *testing.T, open func(t *testing.T) storage.Store) {
	t.Run("Clients", func(t *testing.T) { testClients(t, open(t)) })
	t.Run("AuthRequests", func(t *testing.T) { testAuthRequests(t, open(t)) })
	t.Run("RefreshRotation", func(t *testing.T) { testRefresh(t, open(t)) })
	t.Run("ConcurrentRefreshUse", func(t *testing.T) { testConcurrentRefresh(t, open(t)) })
	t.Run("CodeReplayRevokes", func(t *testing.T) { testCodeReplay(t, open(t)) })
	t.Run("SigningKeys", func(t *testing.T) { testSigningKeys(t, open(t)) })
	t.Run("PurgeExpired", func(t *testing.T) { testPurge(t, open(t)) })
	t.Run("AccessGrant", func(t *testing.T) { testAccessGrant(t, open(t)) })
	t.Run("Catalogue", func(t *testing.T) { testCatalogue(t, open(t)) })
}

// at is a fixed instant with microseconds, the precision stores keep.
var at = time.Date(2026, 3, 14, 9, 26, 53, 589793000, time.UTC)

func mustErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: err %v, want %v", what, err, want)
	}
}

func check(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func newClient(t *testing.T, s storage.Store, id string) storage.Client {
	t.Helper()
	c := storage.Client{ID: id, SecretHash: storage.Hash("secret of " + id), Name: "Client " + id,
		Type: storage.Confidential, GrantTypes: []storage.GrantType{storage.ClientCredentials, storage.RefreshTokenGrant},
		RedirectURIs: []string{"https://app.example/cb"}, Scopes: []string{"cases.read", "farms.read"},
		Organisation: "org-1", Created: at}
	check(t, "CreateClient", s.CreateClient(context.Background(), &c))
	return c
}

func testClients(t *testing.T, s storage.Store) {
	ctx := context.Background()
	c := newClient(t, s, "vl_client_1")
	got, err := s.Client(ctx, c.ID)
	check(t, "Client", err)
	if !reflect.DeepEqual(got, c) {
		t.Errorf("Client read back\n got %+v\nwant %+v", got, c)
	}
	mustErr(t, "CreateClient twice", s.CreateClient(ctx, &c), storage.ErrConflict)
	_, err = s.Client(ctx, "nobody")
	mustErr(t, "Client(nobody)", err, storage.ErrNotFound)
	mustErr(t, "RevokeClient(nobody)", s.RevokeClient(ctx, "nobody", at), storage.ErrNotFound)

	tok := storage.AccessToken{ID: "at-1", ClientID: c.ID, Subject: "client", Scopes: []string{"cases.read"},
		Created: at, Expires: at.Add(time.Hour)}
	check(t, "CreateAccessToken", s.CreateAccessToken(ctx, &tok))
	rt := storage.RefreshToken{ID: "rt-1", Hash: storage.Hash("r1"), Family: "fam-1", ClientID: c.ID, Subject: "client",
		Created: at, Expires: at.Add(24 * time.Hour)}
	check(t, "CreateRefreshToken", s.CreateRefreshToken(ctx, &rt))
	check(t, "RevokeClient", s.RevokeClient(ctx, c.ID, at.Add(time.Minute)))
	check(t, "RevokeClient again keeps the first instant", s.RevokeClient(ctx, c.ID, at.Add(time.Hour)))
	got, _ = s.Client(ctx, c.ID)
	if !got.Revoked.Equal(at.Add(time.Minute)) {
		t.Errorf("client revoked at %v, want %v", got.Revoked, at.Add(time.Minute))
	}
	gotTok, err := s.AccessToken(ctx, tok.ID)
	check(t, "AccessToken", err)
	if gotTok.Revoked.IsZero() {
		t.Error("access token of a revoked client is not revoked")
	}
	gotRT, err := s.RefreshTokenByHash(ctx, rt.Hash)
	check(t, "RefreshTokenByHash", err)
	if gotRT.Revoked.IsZero() {
		t.Error("refresh token of a revoked client is not revoked")
	}
	if first, err := s.UseRefreshToken(ctx, rt.ID, at); err != nil || first {
		t.Errorf("UseRefreshToken of a revoked token = %v, %v; want false", first, err)
	}
}

func testAuthRequests(t *testing.T, s storage.Store) {
	ctx := context.Background()
	c := newClient(t, s, "vl_client_2")
	r := storage.AuthRequest{ID: "ar-1", ClientID: c.ID, RedirectURI: "https://app.example/cb",
		Scopes: []string{"openid", "cases.read"}, State: "st", Nonce: "n", ResponseType: "code",
		CodeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", CodeChallengeMethod: "S256",
		Created: at, Expires: at.Add(10 * time.Minute)}
	check(t, "CreateAuthRequest", s.CreateAuthRequest(ctx, &r))
	bad := r
	bad.ID, bad.ClientID = "ar-x", "nobody"
	mustErr(t, "CreateAuthRequest of an unknown client", s.CreateAuthRequest(ctx, &bad), storage.ErrNotFound)
	got, err := s.AuthRequest(ctx, r.ID)
	check(t, "AuthRequest", err)
	if !reflect.DeepEqual(got, r) {
		t.Errorf("AuthRequest read back\n got %+v\nwant %+v", got, r)
	}
	check(t, "CompleteAuthRequest", s.CompleteAuthRequest(ctx, r.ID, 42, at.Add(time.Minute)))
	check(t, "SaveCode", s.SaveCode(ctx, r.ID, storage.Hash("code-1")))
	got, err = s.AuthRequestByCode(ctx, storage.Hash("code-1"))
	check(t, "AuthRequestByCode", err)
	if got.ID != r.ID || got.User != 42 || !got.Done || !got.AuthTime.Equal(at.Add(time.Minute)) {
		t.Errorf("completed request %+v, want user 42, done, auth time %v", got, at.Add(time.Minute))
	}
	_, err = s.AuthRequestByCode(ctx, storage.Hash("other"))
	mustErr(t, "AuthRequestByCode(other)", err, storage.ErrNotFound)
	for i, want := range []bool{true, false, false} {
		first, err := s.UseCode(ctx, r.ID, at.Add(2*time.Minute))
		if err != nil || first != want {
			t.Errorf("UseCode #%d = %v, %v; want %v", i+1, first, err, want)
		}
	}
	_, err = s.UseCode(ctx, "nope", at)
	mustErr(t, "UseCode(nope)", err, storage.ErrNotFound)
	mustErr(t, "SaveCode(nope)", s.SaveCode(ctx, "nope", "h"), storage.ErrNotFound)
	mustErr(t, "CompleteAuthRequest(nope)", s.CompleteAuthRequest(ctx, "nope", 1, at), storage.ErrNotFound)
	check(t, "DeleteAuthRequest", s.DeleteAuthRequest(ctx, r.ID))
	check(t, "DeleteAuthRequest again", s.DeleteAuthRequest(ctx, r.ID))
	_, err = s.AuthRequest(ctx, r.ID)
	mustErr(t, "AuthRequest after delete", err, storage.ErrNotFound)
}

func testRefresh(t *testing.T, s storage.Store) {
	ctx := context.Background()
	c := newClient(t, s, "vl_client_3")
	r1 := storage.RefreshToken{ID: "rt-1", Hash: storage.Hash("one"), Family: "fam", ClientID: c.ID, Subject: "user:7",
		User: 7, Organisation: "org-1", Scopes: []string{"offline_access", "cases.read"}, Audience: []string{c.ID},
		AMR: []string{"pwd"}, AuthTime: at, Created: at, Expires: at.Add(30 * 24 * time.Hour)}
	check(t, "CreateRefreshToken", s.CreateRefreshToken(ctx, &r1))
	dup := r1
	dup.ID = "rt-dup"
	mustErr(t, "CreateRefreshToken with a taken hash", s.CreateRefreshToken(ctx, &dup), storage.ErrConflict)
	got, err := s.RefreshTokenByHash(ctx, r1.Hash)
	check(t, "RefreshTokenByHash", err)
	if !reflect.DeepEqual(got, r1) {
		t.Errorf("refresh token read back\n got %+v\nwant %+v", got, r1)
	}
	a1 := storage.AccessToken{ID: "at-1", ClientID: c.ID, Subject: "user:7", User: 7, Family: "fam", Created: at, Expires: at.Add(time.Hour)}
	check(t, "CreateAccessToken", s.CreateAccessToken(ctx, &a1))
	other := storage.AccessToken{ID: "at-other", ClientID: c.ID, Subject: "user:8", User: 8, Family: "fam-other", Created: at, Expires: at.Add(time.Hour)}
	check(t, "CreateAccessToken", s.CreateAccessToken(ctx, &other))

	if first, err := s.UseRefreshToken(ctx, r1.ID, at.Add(time.Hour)); err != nil || !first {
		t.Fatalf("first use = %v, %v; want true", first, err)
	}
	if first, err := s.UseRefreshToken(ctx, r1.ID, at.Add(2*time.Hour)); err != nil || first {
		t.Fatalf("second use = %v, %v; want false (reuse)", first, err)
	}
	got, _ = s.RefreshTokenByHash(ctx, r1.Hash)
	if !got.Used.Equal(at.Add(time.Hour)) {
		t.Errorf("used at %v, want the first use %v", got.Used, at.Add(time.Hour))
	}
	check(t, "RevokeFamily", s.RevokeFamily(ctx, "fam", at.Add(3*time.Hour)))
	got, _ = s.RefreshTokenByHash(ctx, r1.Hash)
	if !got.Revoked.Equal(at.Add(3 * time.Hour)) {
		t.Errorf("family member revoked at %v, want %v", got.Revoked, at.Add(3*time.Hour))
	}
	a, _ := s.AccessToken(ctx, a1.ID)
	if a.Revoked.IsZero() {
		t.Error("access token of a revoked family is not revoked")
	}
	a, _ = s.AccessToken(ctx, other.ID)
	if !a.Revoked.IsZero() {
		t.Error("access token of another family was revoked")
	}
	check(t, "RevokeAccessToken", s.RevokeAccessToken(ctx, other.ID, at))
	mustErr(t, "RevokeAccessToken(nope)", s.RevokeAccessToken(ctx, "nope", at), storage.ErrNotFound)
	_, err = s.AccessToken(ctx, "nope")
	mustErr(t, "AccessToken(nope)", err, storage.ErrNotFound)
}

// testConcurrentRefresh presents one refresh token from many goroutines
// at once: exactly one use may win.
func testConcurrentRefresh(t *testing.T, s storage.Store) {
	ctx := context.Background()
	c := newClient(t, s, "vl_client_4")
	r := storage.RefreshToken{ID: "rt-race", Hash: storage.Hash("race"), Family: "f", ClientID: c.ID, Subject: "s",
		Created: at, Expires: at.Add(time.Hour)}
	check(t, "CreateRefreshToken", s.CreateRefreshToken(ctx, &r))
	const n = 8
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		wins int
	)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			first, err := s.UseRefreshToken(ctx, r.ID, at)
			if err != nil {
				t.Error(err)
			}
			if first {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Errorf("%d concurrent uses won, want exactly 1", wins)
	}
}

func testCodeReplay(t *testing.T, s storage.Store) {
	ctx := context.Background()
	c := newClient(t, s, "vl_client_5")
	r := storage.AuthRequest{ID: "ar-2", ClientID: c.ID, RedirectURI: "https://app.example/cb", ResponseType: "code",
		Created: at, Expires: at.Add(time.Minute)}
	check(t, "CreateAuthRequest", s.CreateAuthRequest(ctx, &r))
	a := storage.AccessToken{ID: "at-code", ClientID: c.ID, Subject: "user:1", User: 1, Family: "fam-code",
		AuthRequest: r.ID, Created: at, Expires: at.Add(time.Hour)}
	check(t, "CreateAccessToken", s.CreateAccessToken(ctx, &a))
	rt := storage.RefreshToken{ID: "rt-code", Hash: storage.Hash("rc"), Family: "fam-code", ClientID: c.ID, Subject: "user:1",
		Created: at, Expires: at.Add(time.Hour)}
	check(t, "CreateRefreshToken", s.CreateRefreshToken(ctx, &rt))
	// A later access token of the family, from a refresh, has no auth request.
	later := storage.AccessToken{ID: "at-later", ClientID: c.ID, Subject: "user:1", User: 1, Family: "fam-code",
		Created: at, Expires: at.Add(time.Hour)}
	check(t, "CreateAccessToken", s.CreateAccessToken(ctx, &later))
	check(t, "RevokeAuthRequestTokens", s.RevokeAuthRequestTokens(ctx, r.ID, at))
	for _, id := range []string{a.ID, later.ID} {
		got, _ := s.AccessToken(ctx, id)
		if got.Revoked.IsZero() {
			t.Errorf("access token %s survives a replayed code", id)
		}
	}
	got, _ := s.RefreshTokenByHash(ctx, rt.Hash)
	if got.Revoked.IsZero() {
		t.Error("refresh token survives a replayed code")
	}
}

func testSigningKeys(t *testing.T, s storage.Store) {
	ctx := context.Background()
	keys, err := s.SigningKeys(ctx)
	if err != nil || len(keys) != 0 {
		t.Fatalf("SigningKeys of an empty store = %v, %v", keys, err)
	}
	older := storage.SigningKey{ID: "6b1e4a56-8c61-4f0e-9d3c-2f5d0a7e4b11", Algorithm: "RS256", PrivateKey: []byte("der one"), Created: at}
	newer := storage.SigningKey{ID: "0f6f1f2b-1a2b-4c3d-8e9f-a0b1c2d3e4f5", Algorithm: "RS256", PrivateKey: []byte("der two"), Created: at.Add(time.Hour)}
	check(t, "CreateSigningKey", s.CreateSigningKey(ctx, &older))
	check(t, "CreateSigningKey", s.CreateSigningKey(ctx, &newer))
	mustErr(t, "CreateSigningKey twice", s.CreateSigningKey(ctx, &newer), storage.ErrConflict)
	keys, err = s.SigningKeys(ctx)
	check(t, "SigningKeys", err)
	if !reflect.DeepEqual(keys, []storage.SigningKey{newer, older}) {
		t.Errorf("SigningKeys = %+v, want newest first", keys)
	}
}

func testCatalogue(t *testing.T, s storage.Store) {
	ctx := context.Background()
	in := storage.Integration{Name: "HerdSync", Description: "Syncs herds", Visibility: storage.VisibleToCountries,
		VisibleTo: []string{"FI", "SE"}, GrantType: storage.ClientCredentials, ClientType: storage.Confidential,
		Scopes: []string{"cases.read"}, Notify: storage.NotifyByHookup, HookupURL: "https://herdsync.example/hookup",
		HookupSubscription: "1c0e2d3f-4a5b-4c6d-8e7f-901234567890", Created: at, Updated: at}
	check(t, "CreateIntegration", s.CreateIntegration(ctx, &in))
	if in.ID == 0 {
		t.Fatal("CreateIntegration set no ID")
	}
	got, err := s.Integration(ctx, in.ID)
	check(t, "Integration", err)
	if !reflect.DeepEqual(got, in) {
		t.Errorf("Integration read back\n got %+v\nwant %+v", got, in)
	}
	same := in
	same.ID = 0
	mustErr(t, "CreateIntegration with a taken name", s.CreateIntegration(ctx, &same), storage.ErrConflict)
	in.Description, in.Updated = "Syncs herds both ways", at.Add(time.Hour)
	check(t, "UpdateIntegration", s.UpdateIntegration(ctx, &in))
	list, err := s.Integrations(ctx)
	check(t, "Integrations", err)
	if len(list) != 1 || !reflect.DeepEqual(list[0], in) {
		t.Errorf("Integrations = %+v, want [%+v]", list, in)
	}
	missing := in
	missing.ID = in.ID + 1000
	mustErr(t, "UpdateIntegration(missing)", s.UpdateIntegration(ctx, &missing), storage.ErrNotFound)
	_, err = s.Integration(ctx, missing.ID)
	mustErr(t, "Integration(missing)", err, storage.ErrNotFound)

	g := storage.Group{Name: "Integration HerdSync", Permissions: []string{"cases.read"}}
	check(t, "CreateGroup", s.CreateGroup(ctx, &g))
	gotG, err := s.Group(ctx, g.ID)
	check(t, "Group", err)
	if !reflect.DeepEqual(gotG, g) {
		t.Errorf("Group = %+v, want %+v", gotG, g)
	}
	u := storage.VirtualUser{Name: "Integration HerdSync", Organisation: "org-9", Group: g.ID, Created: at}
	check(t, "CreateVirtualUser", s.CreateVirtualUser(ctx, &u))
	gotU, err := s.VirtualUser(ctx, u.ID)
	check(t, "VirtualUser", err)
	if !reflect.DeepEqual(gotU, u) {
		t.Errorf("VirtualUser = %+v, want %+v", gotU, u)
	}
	badU := storage.VirtualUser{Name: "x", Organisation: "o", Group: g.ID + 1000}
	mustErr(t, "CreateVirtualUser of a missing group", s.CreateVirtualUser(ctx, &badU), storage.ErrNotFound)
	_, err = s.Group(ctx, g.ID+1000)
	mustErr(t, "Group(missing)", err, storage.ErrNotFound)
	_, err = s.VirtualUser(ctx, u.ID+1000)
	mustErr(t, "VirtualUser(missing)", err, storage.ErrNotFound)

	c := newClient(t, s, "vl_reg_client")
	reg := storage.Registration{Integration: in.ID, Organisation: "org-9", Country: "FI", ClientID: c.ID, VirtualUser: u.ID, Created: at}
	check(t, "CreateRegistration", s.CreateRegistration(ctx, &reg))
	again := reg
	again.ID = 0
	mustErr(t, "CreateRegistration twice", s.CreateRegistration(ctx, &again), storage.ErrConflict)
	gotR, err := s.Registration(ctx, reg.ID)
	check(t, "Registration", err)
	if !reflect.DeepEqual(gotR, reg) {
		t.Errorf("Registration = %+v, want %+v", gotR, reg)
	}
	for _, id := range []int64{0, in.ID} {
		regs, err := s.Registrations(ctx, id)
		check(t, "Registrations", err)
		if len(regs) != 1 || regs[0].ID != reg.ID {
			t.Errorf("Registrations(%d) = %+v, want the one", id, regs)
		}
	}
	mustErr(t, "DeleteIntegration with a registration", s.DeleteIntegration(ctx, in.ID), storage.ErrConflict)
	check(t, "DeleteRegistration", s.DeleteRegistration(ctx, reg.ID))
	mustErr(t, "DeleteRegistration again", s.DeleteRegistration(ctx, reg.ID), storage.ErrNotFound)
	check(t, "DeleteIntegration", s.DeleteIntegration(ctx, in.ID))
	mustErr(t, "DeleteIntegration again", s.DeleteIntegration(ctx, in.ID), storage.ErrNotFound)
}

func testPurge(t *testing.T, s storage.Store) {
	ctx := context.Background()
	c := newClient(t, s, "vl_client_purge")
	cut := at.Add(24 * time.Hour)
	for _, r := range []storage.AuthRequest{
		{ID: "ar-old", ClientID: c.ID, Created: at, Expires: cut.Add(-time.Second)},
		{ID: "ar-live", ClientID: c.ID, Created: at, Expires: cut.Add(time.Second)},
	} {
		check(t, "CreateAuthRequest", s.CreateAuthRequest(ctx, &r))
	}
	for _, a := range []storage.AccessToken{
		{ID: "at-old", ClientID: c.ID, Subject: "s", Created: at, Expires: cut.Add(-time.Second)},
		{ID: "at-live", ClientID: c.ID, Subject: "s", Created: at, Expires: cut.Add(time.Second)},
	} {
		check(t, "CreateAccessToken", s.CreateAccessToken(ctx, &a))
	}
	for _, r := range []storage.RefreshToken{
		{ID: "rt-dead-1", Hash: storage.Hash("d1"), Family: "dead", ClientID: c.ID, Subject: "s", Created: at, Expires: cut.Add(-time.Hour)},
		{ID: "rt-dead-2", Hash: storage.Hash("d2"), Family: "dead", ClientID: c.ID, Subject: "s", Created: at, Expires: cut.Add(-time.Second)},
		// A used, expired token of a live family stays: its reuse must
		// still revoke the family.
		{ID: "rt-used", Hash: storage.Hash("u"), Family: "live", ClientID: c.ID, Subject: "s", Created: at, Expires: cut.Add(-time.Hour), Used: at},
		{ID: "rt-live", Hash: storage.Hash("l"), Family: "live", ClientID: c.ID, Subject: "s", Created: at, Expires: cut.Add(time.Hour)},
	} {
		check(t, "CreateRefreshToken", s.CreateRefreshToken(ctx, &r))
	}
	n, err := s.PurgeExpired(ctx, cut)
	check(t, "PurgeExpired", err)
	if n != 4 {
		t.Errorf("PurgeExpired deleted %d rows, want 4", n)
	}
	for _, id := range []string{"ar-old"} {
		if _, err := s.AuthRequest(ctx, id); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("auth request %s after purge: %v", id, err)
		}
	}
	if _, err := s.AuthRequest(ctx, "ar-live"); err != nil {
		t.Errorf("live auth request purged: %v", err)
	}
	if _, err := s.AccessToken(ctx, "at-old"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("expired access token after purge: %v", err)
	}
	if _, err := s.AccessToken(ctx, "at-live"); err != nil {
		t.Errorf("live access token purged: %v", err)
	}
	for h, want := range map[string]error{"d1": storage.ErrNotFound, "d2": storage.ErrNotFound, "u": nil, "l": nil} {
		if _, err := s.RefreshTokenByHash(ctx, storage.Hash(h)); !errors.Is(err, want) {
			t.Errorf("refresh token %s after purge: %v, want %v", h, err, want)
		}
	}
}

func testAccessGrant(t *testing.T, s storage.Store) {
	ctx := context.Background()
	g := storage.Group{Name: "Integration X", Permissions: []string{"cases.read"}}
	check(t, "CreateGroup", s.CreateGroup(ctx, &g))
	empty := storage.Group{Name: "Integration Y"}
	check(t, "CreateGroup", s.CreateGroup(ctx, &empty))
	u := storage.VirtualUser{Name: "Integration X", Organisation: "o", Group: g.ID, Created: at}
	check(t, "CreateVirtualUser", s.CreateVirtualUser(ctx, &u))
	u2 := storage.VirtualUser{Name: "Integration Y", Organisation: "o", Group: empty.ID, Created: at}
	check(t, "CreateVirtualUser", s.CreateVirtualUser(ctx, &u2))
	c := newClient(t, s, "vl_client_grant")
	plain := storage.AccessToken{ID: "at-plain", ClientID: c.ID, Subject: "user-1", User: 1, Scopes: []string{"cases.read"},
		Created: at, Expires: at.Add(time.Hour)}
	virtual := storage.AccessToken{ID: "at-virtual", ClientID: c.ID, Subject: "integration-user-1", VirtualUser: u.ID,
		Organisation: "o", Scopes: []string{"cases.read", "farms.read"}, Created: at, Expires: at.Add(time.Hour)}
	none := storage.AccessToken{ID: "at-none", ClientID: c.ID, Subject: "integration-user-2", VirtualUser: u2.ID,
		Created: at, Expires: at.Add(time.Hour)}
	for _, tok := range []*storage.AccessToken{&plain, &virtual, &none} {
		check(t, "CreateAccessToken", s.CreateAccessToken(ctx, tok))
	}
	tests := []struct {
		tok   storage.AccessToken
		perms []string
	}{
		{plain, nil},
		{virtual, []string{"cases.read"}},
		{none, []string{}},
	}
	for _, tt := range tests {
		got, err := s.AccessGrant(ctx, tt.tok.ID)
		check(t, "AccessGrant", err)
		want := storage.AccessGrant{Token: tt.tok, GroupPermissions: tt.perms}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("AccessGrant(%s)\n got %+v\nwant %+v", tt.tok.ID, got, want)
		}
	}
	check(t, "RevokeClient", s.RevokeClient(ctx, c.ID, at.Add(time.Minute)))
	got, err := s.AccessGrant(ctx, plain.ID)
	check(t, "AccessGrant", err)
	if !got.ClientRevoked.Equal(at.Add(time.Minute)) || !got.Token.Revoked.Equal(at.Add(time.Minute)) {
		t.Errorf("after RevokeClient: client revoked %v, token revoked %v", got.ClientRevoked, got.Token.Revoked)
	}
	_, err = s.AccessGrant(ctx, "nope")
	mustErr(t, "AccessGrant(nope)", err, storage.ErrNotFound)
}
