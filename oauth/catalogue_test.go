package oauth_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/vetlink/vetlink/oauth"
	"github.com/vetlink/vetlink/oauth/storage"
	"github.com/vetlink/vetlink/webhook"
)

// received is one delivery the loopback hookup receiver accepted.
type received struct {
	header http.Header
	body   []byte
}

// hookupReceiver is an integration's hookup URL: it verifies each
// delivery's signature with the secret it was given and keeps the good
// ones.
type hookupReceiver struct {
	srv      *httptest.Server
	verifier atomic.Pointer[webhook.Verifier]
	got      chan received
}

func newHookupReceiver(t *testing.T) *hookupReceiver {
	h := &hookupReceiver{got: make(chan received, 4)}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		v := h.verifier.Load()
		if v == nil || v.Verify(r.Header, body) != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		h.got <- received{header: r.Header.Clone(), body: body}
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hookupReceiver) trust(t *testing.T, secret string) {
	k, err := webhook.ParseKey(secret)
	if err != nil {
		t.Fatal(err)
	}
	h.verifier.Store(&webhook.Verifier{Keys: []webhook.Key{k}})
}

// recordingMailer keeps the mails it is given.
type recordingMailer struct {
	mu    sync.Mutex
	mails []string
}

func (m *recordingMailer) Mail(_ context.Context, to, subject, body string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mails = append(m.mails, to+"\n"+subject+"\n"+body)
	return nil
}

// catalogue builds the catalogue over b with a running webhook dispatcher
// allowed to reach loopback receivers.
func (b *bundle) catalogue(t testing.TB) (*oauth.Catalogue, *recordingMailer) {
	t.Helper()
	cat, err := oauth.WithRegistrationEvent(webhook.DefaultCatalogue())
	if err != nil {
		t.Fatal(err)
	}
	guard := &webhook.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}}
	wh := &webhook.Service{Store: b.db.Webhooks(), Catalogue: cat, Guard: guard}
	d := &webhook.Dispatcher{Store: b.db.Webhooks(), Catalogue: cat, Guard: guard, PollInterval: 50 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); d.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	m := &recordingMailer{}
	return &oauth.Catalogue{Server: b.srv, Store: b.db.OAuth(), Webhooks: wh, Published: d.Wake, Mailer: m}, m
}

func TestRegistrationByHookup(t *testing.T) {
	engines(t, func(t *testing.T, b *bundle) {
		ctx := context.Background()
		cat, _ := b.catalogue(t)
		recv := newHookupReceiver(t)
		in, secret, err := cat.Define(ctx, oauth.Integration{
			Name: "HerdSync", Description: "Keeps herd records in sync", Visibility: storage.VisibleToCountries,
			VisibleTo: []string{"FI", "SE"}, GrantType: storage.ClientCredentials, ClientType: storage.Confidential,
			Scopes: []string{"cases.read", "farms.read"}, Notify: storage.NotifyByHookup, HookupURL: recv.srv.URL + "/hookup",
		})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, "whsec_") || in.HookupSubscription == "" {
			t.Fatalf("Define: secret %q, subscription %q", secret, in.HookupSubscription)
		}
		recv.trust(t, secret)

		if _, err := cat.Add(ctx, in.ID, oauth.Organisation{ID: "4242", Country: "DE"}); !errors.Is(err, oauth.ErrNotVisible) {
			t.Errorf("Add for a country not listed: %v, want ErrNotVisible", err)
		}
		reg, err := cat.Add(ctx, in.ID, oauth.Organisation{ID: "12345", Country: "fi"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cat.Add(ctx, in.ID, oauth.Organisation{ID: "12345", Country: "FI"}); !errors.Is(err, storage.ErrConflict) {
			t.Errorf("second Add by one organisation: %v, want ErrConflict", err)
		}

		var got received
		select {
		case got = <-recv.got:
		case <-time.After(15 * time.Second):
			t.Fatal("no registration reached the hookup URL")
		}
		// The bare document, as the practice-management cloud posts it;
		// the event type is in the webhook-event header.
		var doc oauth.RegistrationDocument
		if err := json.Unmarshal(got.body, &doc); err != nil {
			t.Fatal(err)
		}
		if got.header.Get("webhook-event") != "integration.registered" || string(doc.ProvetID) != "12345" || doc.ClientID != reg.ClientID ||
			doc.ClientSecret == nil || !strings.HasPrefix(*doc.ClientSecret, "vlcs_") || doc.Algorithm != "RS256" ||
			doc.AuthorizationGrantType != "client_credentials" || doc.ClientType != "confidential" ||
			doc.TokenURL != b.issuer+"/oauth/token" || doc.AuthorizeURL != b.issuer+"/oauth/authorize" ||
			doc.OpenIDAutodiscoveryURL != b.issuer+"/.well-known/openid-configuration" {
			t.Errorf("registration document %s", got.body)
		}
		// The signature covers the body: a changed byte does not verify.
		tampered := bytes.Replace(got.body, []byte("12345"), []byte("12346"), 1)
		if err := recv.verifier.Load().Verify(got.header, tampered); !errors.Is(err, webhook.ErrNoMatchingSignature) {
			t.Errorf("tampered registration verifies: %v", err)
		}

		cc := clientcredentials.Config{ClientID: doc.ClientID, ClientSecret: *doc.ClientSecret, TokenURL: doc.TokenURL}
		tok, err := cc.Token(ctx)
		if err != nil {
			t.Fatal(err)
		}
		status, p := b.resource(t, tok.AccessToken)
		if status != 200 || p.VirtualUser != reg.VirtualUser || p.Organisation != "12345" ||
			p.Subject != "integration-user-"+itoa(reg.VirtualUser) ||
			!slices.Equal(p.Permissions, []oauth.Permission{oauth.ReadCases, oauth.ReadFarms}) {
			t.Errorf("resource as the integration: %d %+v", status, p)
		}
		vu, err := b.db.OAuth().VirtualUser(ctx, reg.VirtualUser)
		if err != nil || vu.Name != "Integration HerdSync" {
			t.Errorf("virtual user %+v, %v", vu, err)
		}

		if err := cat.Remove(ctx, reg.ID); err != nil {
			t.Fatal(err)
		}
		if status, _ := b.resource(t, tok.AccessToken); status != 401 {
			t.Errorf("token after the integration was removed: %d, want 401", status)
		}
		if _, err := cc.Token(ctx); errorCode(t, err) != "invalid_client" {
			t.Errorf("credentials after removal: %v", err)
		}
		if err := cat.Delete(ctx, in.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := cat.Integration(ctx, in.ID); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("deleted integration: %v", err)
		}
	})
}

func TestRegistrationByEmail(t *testing.T) {
	engines(t, func(t *testing.T, b *bundle) {
		ctx := context.Background()
		cat, mailer := b.catalogue(t)
		in, secret, err := cat.Define(ctx, oauth.Integration{
			Name: "Barn tablet", Visibility: storage.VisibleToOrganisations, VisibleTo: []string{"org-7"},
			GrantType: storage.AuthorizationCode, ClientType: storage.Public, RedirectURIs: []string{"http://127.0.0.1/cb"},
			Scopes: []string{"openid", "cases.read"}, Notify: storage.NotifyByEmail, Email: "dev@barn.example",
		})
		if err != nil || secret != "" {
			t.Fatalf("Define: %q %v", secret, err)
		}
		avail, err := cat.Available(ctx, oauth.Organisation{ID: "org-8"})
		if err != nil || len(avail) != 0 {
			t.Errorf("Available to org-8: %v %v, want none", avail, err)
		}
		avail, _ = cat.Available(ctx, oauth.Organisation{ID: "org-7"})
		if len(avail) != 1 || avail[0].ID != in.ID {
			t.Errorf("Available to org-7: %v", avail)
		}
		reg, err := cat.Add(ctx, in.ID, oauth.Organisation{ID: "org-7"})
		if err != nil {
			t.Fatal(err)
		}
		if len(mailer.mails) != 1 {
			t.Fatalf("%d mails, want 1", len(mailer.mails))
		}
		m := mailer.mails[0]
		for _, want := range []string{"dev@barn.example\n", "vetlink: new registration of Barn tablet", `"provet_id": "org-7"`,
			`"client_id": "` + reg.ClientID + `"`, `"client_secret": null`, `"client_type": "public"`,
			`"authorization_grant_type": "authorization_code"`, `"redirect_uris": "http://127.0.0.1/cb"`} {
			if !strings.Contains(m, want) {
				t.Errorf("mail lacks %q:\n%s", want, m)
			}
		}
	})
}

func TestIntegrationValidate(t *testing.T) {
	good := oauth.Integration{Name: "HerdSync", Visibility: storage.VisibleToAll, GrantType: storage.ClientCredentials,
		ClientType: storage.Confidential, Scopes: []string{"cases.read"}, Notify: storage.NotifyByHookup,
		HookupURL: "https://herdsync.example/hookup"}
	if err := good.Validate(); err != nil {
		t.Fatalf("good integration: %v", err)
	}
	tests := []struct {
		name string
		mod  func(*oauth.Integration)
		want string
	}{
		{"no name", func(in *oauth.Integration) { in.Name = " " }, `integration " " name " ": must be 1 to 100 characters on one line`},
		{"list with all", func(in *oauth.Integration) { in.VisibleTo = []string{"FI"} }, `visible_to "FI": must be empty when visibility is all`},
		{"bad country", func(in *oauth.Integration) {
			in.Visibility, in.VisibleTo = storage.VisibleToCountries, []string{"Finland"}
		}, `visible_to "Finland": must be an ISO 3166-1 alpha-2 code in capitals`},
		{"no organisations", func(in *oauth.Integration) { in.Visibility = storage.VisibleToOrganisations }, `visible_to "": must list organisation IDs`},
		{"unknown visibility", func(in *oauth.Integration) { in.Visibility = "friends" }, `visibility "friends": must be all, organisations or countries`},
		{"public client credentials", func(in *oauth.Integration) { in.ClientType = storage.Public }, `client_type "public": client_credentials needs a confidential client`},
		{"implicit grant", func(in *oauth.Integration) { in.GrantType = "implicit" }, `grant_type "implicit": must be client_credentials or authorization_code`},
		{"code without redirect", func(in *oauth.Integration) { in.GrantType = storage.AuthorizationCode }, `the authorization_code grant needs at least one redirect URI`},
		{"unknown scope", func(in *oauth.Integration) { in.Scopes = []string{"everything"} }, `scope "everything": not a permission of vetlink nor an OpenID Connect scope`},
		{"no scopes", func(in *oauth.Integration) { in.Scopes = nil }, `scopes "": must list at least one scope`},
		{"hookup not a URL", func(in *oauth.Integration) { in.HookupURL = "ftp://x" }, `hookup_url "ftp://x": must be an http(s) URL when notify is hookup`},
		{"email without address", func(in *oauth.Integration) { in.Notify = storage.NotifyByEmail }, `email "": must be an e-mail address when notify is email`},
		{"redirect with fragment", func(in *oauth.Integration) {
			in.GrantType, in.RedirectURIs = storage.AuthorizationCode, []string{"https://a.example/cb#x"}
		}, `redirect URI "https://a.example/cb#x": must not have a fragment`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := good
			tt.mod(&in)
			err := in.Validate()
			if err == nil || !errors.Is(err, oauth.ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate = %v, want ErrInvalid with %q", err, tt.want)
			}
		})
	}
}
