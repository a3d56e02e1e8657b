package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/vetlink/vetlink/oauth"
	"github.com/vetlink/vetlink/oauth/storage"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/store/storetest"
	"github.com/vetlink/vetlink/vetview"
	"github.com/vetlink/vetlink/webhook"
)

// freeAddr returns a loopback address with a port free a moment ago: the
// OAuth issuer URL is built from the configured port, so the test cannot
// listen on port 0.
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestIntegrationRegistration drives the catalogue through the real
// server on both engines: the administrator defines an integration with a
// hookup URL and adds it for an organisation; the loopback receiver gets
// the registration signed and verifies it; the integration gets a token
// with its new credentials; removing the registration revokes it.
func TestIntegrationRegistration(t *testing.T) {
	onEachEngine(t, testIntegrationRegistration)
}

// startIntegrationServer runs the real server over dsn on a fixed loopback
// port (the OAuth issuer names it), letting webhooks reach loopback
// receivers, and stops it when t ends. It returns the address.
func startIntegrationServer(t *testing.T, dsn, name string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addr := freeAddr(t)
	cfg := config{
		Addr: addr, DB: dsn, KeyFile: filepath.Join(t.TempDir(), "vetlink.key"), ServerName: name,
		SecretKey: e2eSecretKey, AdminUsername: "administrator", AdminPassword: e2eAdminPassword, APIKey: e2eAPIKey,
		WebhookAllow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")},
	}
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- run(ctx, cfg, slog.New(slog.DiscardHandler), ready) }()
	select {
	case <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("server stopped before listening: %v", err)
	case <-time.After(20 * time.Second):
		cancel()
		t.Fatal("server did not start within 20 s")
	}
	t.Cleanup(func() { cancel(); <-done })
	return addr
}

func testIntegrationRegistration(t *testing.T, dsn string) {
	addr := startIntegrationServer(t, dsn, "oauth-e2e")
	ctx := t.Context()
	base := "http://" + addr
	issuer := "http://localhost:" + addr[strings.LastIndexByte(addr, ':')+1:]

	// The metadata names the issuer the integration will be given.
	var meta map[string]any
	getJSON(t, base+oauth.AuthorizationServerMetadataPath, &meta)
	if meta["issuer"] != issuer || meta["token_endpoint"] != issuer+oauth.TokenPath {
		t.Fatalf("metadata %v, want issuer %s", meta, issuer)
	}

	// The administrator logs in as the VCPR API has it.
	var sess struct {
		Token string `json:"token"`
	}
	status, body := call(t, "POST", base+"/api/users/logins", "", fmt.Sprintf(`{"apikey":%q,"identifier":"administrator","password":%q}`, e2eAPIKey, e2eAdminPassword))
	if status != 200 || json.Unmarshal(body, &sess) != nil || sess.Token == "" {
		t.Fatalf("login: %d %s", status, body)
	}

	integration, got := hookupIntegration(t, base, sess.Token, func(hookup string) string {
		return `{"name":"HerdSync","description":"Herd records",
		"visibility":"countries","visible_to":["FI"],"grant_type":"client_credentials","client_type":"confidential",
		"scopes":["cases.read","farms.read"],"notify":"hookup","hookup_url":"` + hookup + `"}`
	})

	path := fmt.Sprintf("%s/%d/registrations", oauth.AdminPath, integration.ID)
	org := createUser(t, base, sess.Token, "clinic_e2e", rx.CLINIC) // only a real organisation adds one
	status, body = call(t, "POST", base+path, sess.Token, `{"organisation":{"id":"`+org+`","country":"FI"}}`)
	var reg oauth.Registration
	if status != 201 || json.Unmarshal(body, &reg) != nil {
		t.Fatalf("add: %d %s", status, body)
	}

	var doc oauth.RegistrationDocument // bare, as the practice-management cloud posts it
	select {
	case b := <-got:
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the registration did not reach the hookup URL")
	}
	if doc.ClientID != reg.ClientID || doc.ClientSecret == nil || string(doc.ProvetID) != org || doc.TokenURL != issuer+oauth.TokenPath {
		t.Fatalf("registration document %+v", doc)
	}

	cc := clientcredentials.Config{ClientID: doc.ClientID, ClientSecret: *doc.ClientSecret, TokenURL: doc.TokenURL}
	tok, err := cc.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if status, active := introspect(t, base, doc.ClientID, *doc.ClientSecret, tok.AccessToken); status != 200 || !active {
		t.Errorf("introspection of the new token: %d, active %v", status, active)
	}

	status, body = call(t, "DELETE", fmt.Sprintf("%s%s/%d", base, path, reg.ID), sess.Token, "")
	if status != 204 {
		t.Fatalf("remove: %d %s", status, body)
	}
	if _, err := cc.Token(ctx); err == nil {
		t.Error("removed credentials still get a token")
	}
	// The client itself is revoked: it may not even ask.
	if status, active := introspect(t, base, doc.ClientID, *doc.ClientSecret, tok.AccessToken); status != 401 || active {
		t.Errorf("introspection by a removed registration's client: %d, active %v; want 401", status, active)
	}
}

func call(t *testing.T, method, u, token, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	req.Header.Set("X-APIKEY", e2eAPIKey)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("X-Auth-Token", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v", u, resp.StatusCode, err)
	}
}

// introspect asks the server whether token is active (RFC 7662), as the
// client it was issued to, and returns the status too.
func introspect(t *testing.T, base, id, secret, token string) (int, bool) {
	t.Helper()
	req, _ := http.NewRequest("POST", base+oauth.IntrospectionPath, strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Active bool `json:"active"`
	}
	if resp.StatusCode != 200 {
		return resp.StatusCode, false
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("introspection: %d %v", resp.StatusCode, err)
	}
	return resp.StatusCode, out.Active
}

// TestOAuthPurgeKind runs the "oauth-purge" job kind once: it deletes an
// access token that expired longer ago than the job keeps, and keeps a
// live one.
func TestOAuthPurgeKind(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	s, err := compose(db, storetest.SecretKey(), config{Addr: "127.0.0.1:0"}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := s.oauth.CreateClient(ctx, oauth.NewClient{Name: "purge", Type: storage.Confidential,
		GrantTypes: []storage.GrantType{storage.ClientCredentials}, Scopes: []string{"cases.read"}})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	for _, tok := range []storage.AccessToken{
		{ID: "at_old", ClientID: c.ID, Subject: c.ID, Created: now.Add(-50 * time.Hour), Expires: now.Add(-49 * time.Hour)},
		{ID: "at_live", ClientID: c.ID, Subject: c.ID, Created: now, Expires: now.Add(time.Hour)},
	} {
		if err := db.OAuth().CreateAccessToken(ctx, &tok); err != nil {
			t.Fatal(err)
		}
	}
	kind := oauthPurgeKind(s, slog.New(slog.DiscardHandler))
	if err := kind.Run(ctx, vetview.RunInfo{}, kind.Defaults); err != nil {
		t.Fatal(err)
	}
	if _, err := db.OAuth().AccessToken(ctx, "at_old"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("expired token after the job: %v, want ErrNotFound", err)
	}
	if _, err := db.OAuth().AccessToken(ctx, "at_live"); err != nil {
		t.Errorf("live token after the job: %v", err)
	}
}

// hookupIntegration defines, as the administrator token, the integration
// def describes for a hookup URL, and starts the receiver at that URL,
// which accepts only deliveries signed with the integration's hookup
// secret. It returns the integration and the bodies the receiver accepted.
func hookupIntegration(t *testing.T, base, token string, def func(hookupURL string) string) (oauth.Integration, <-chan []byte) {
	t.Helper()
	got := make(chan []byte, 2)
	var verifier atomic.Pointer[webhook.Verifier] // set once the secret is known
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		v := verifier.Load()
		if v == nil {
			http.Error(w, "no hookup secret yet", http.StatusServiceUnavailable)
			return
		}
		if err := v.Verify(r.Header, b); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		got <- b
	}))
	t.Cleanup(recv.Close)
	status, body := call(t, "POST", base+oauth.AdminPath, token, def(recv.URL+"/hookup"))
	var defined struct {
		Integration  oauth.Integration `json:"integration"`
		HookupSecret string            `json:"hookup_secret"`
	}
	if status != 201 || json.Unmarshal(body, &defined) != nil || defined.HookupSecret == "" {
		t.Fatalf("define: %d %s", status, body)
	}
	key, err := webhook.ParseKey(defined.HookupSecret)
	if err != nil {
		t.Fatal(err)
	}
	verifier.Store(&webhook.Verifier{Keys: []webhook.Key{key}})
	return defined.Integration, got
}
