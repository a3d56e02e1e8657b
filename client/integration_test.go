package client_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/vetlink/vetlink/client"
	"github.com/vetlink/vetlink/oauth"
	"github.com/vetlink/vetlink/oauth/storage"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
	"github.com/vetlink/vetlink/webhook"
)

// caseObject is the part of a case of the integration API the tests read.
type caseObject struct {
	ID       int64  `json:"id"`
	AnimalID string `json:"animal_id"`
	Farm     string `json:"farm"` // the farm's URL
}

func animals(t *testing.T, seq func(func(caseObject, error) bool)) []string {
	t.Helper()
	var out []string
	for c, err := range seq {
		require.NoError(t, err)
		out = append(out, c.AnimalID)
	}
	slices.Sort(out)
	return out
}

// TestIntegrationByHookup is an integration's life on both engines: the
// server's catalogue posts its registration to the hookup URL, where a
// RegistrationHandler verifies and keeps it; the integration signs in
// with the registration's client credentials and lists a farm's cases
// through the integration API with typed filters, page by page.
func TestIntegrationByHookup(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newIntegrationEnv(t, db)
		ctx := context.Background()

		var handler atomic.Pointer[client.RegistrationHandler]
		got := make(chan client.Registration, 2)
		hookup := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if h := handler.Load(); h != nil {
				h.ServeHTTP(w, r)
				return
			}
			http.Error(w, "not ready", http.StatusServiceUnavailable)
		}))
		t.Cleanup(hookup.Close)
		in, secret, err := e.Catalogue.Define(ctx, oauth.Integration{Name: "WithholdSync", Description: "Keeps withholds in the herd software",
			Visibility: storage.VisibleToAll, GrantType: storage.ClientCredentials, ClientType: storage.Confidential,
			Scopes: []string{"cases.read", "withholds.read"}, Notify: storage.NotifyByHookup, HookupURL: hookup.URL + "/hookup"})
		require.NoError(t, err)
		key, err := webhook.ParseKey(secret)
		require.NoError(t, err)
		handler.Store(&client.RegistrationHandler{Verifier: &webhook.Verifier{Keys: []webhook.Key{key}},
			Accept: func(_ context.Context, reg client.Registration) error { got <- reg; return nil }})

		// The clinic that adds the integration: its token reads what the
		// clinic's veterinarians read, and nothing else.
		clinic := e.user(t, rx.CLINIC, "clinic-hookup")
		orgID := strconv.FormatInt(int64(clinic.ID), 10)
		added, err := e.Catalogue.Add(ctx, in.ID, oauth.Organisation{ID: orgID, Country: "FI"})
		require.NoError(t, err)
		var reg client.Registration
		select {
		case reg = <-got:
		case <-time.After(20 * time.Second):
			t.Fatal("no registration reached the hookup URL")
		}
		require.Equal(t, client.OrganisationID(orgID), reg.ProvetID)
		require.Equal(t, added.ClientID, reg.ClientID)
		require.Equal(t, "client_credentials", reg.AuthorizationGrantType)
		require.Equal(t, e.URL, reg.BaseURL())
		require.NotNil(t, reg.ClientSecret)

		// A farm with three cases, and another farm with one.
		f := e.farm(t, "vet-hookup", "farm-hookup")
		other := e.farm(t, "vet-other", "farm-other")
		t0 := f.Rx.Created.Truncate(time.Minute).Add(time.Minute)
		f.enroll(t, "Bossie34", t0)
		f.enroll(t, "Clover", t0.Add(2*time.Hour))
		f.enroll(t, "bossie-calf", t0.Add(4*time.Hour))
		other.enroll(t, "Bossie34", t0)
		// Both farms' vets are the clinic's; a third farm's vet is not.
		for _, vet := range []rx.User{f.VOR, other.VOR} {
			require.NoError(t, e.DB.Rx().AddRelation(ctx, rx.Relation{Kind: rx.Member, Left: clinic.ID, Right: vet.ID}))
		}
		outside := e.farm(t, "vet-outside", "farm-outside")
		outside.enroll(t, "Bossie34", t0)

		_, err = client.New(ctx, reg.BaseURL(), client.WithClientCredentials(func() (cc clientcredentials.Config) {
			cc = reg.ClientCredentials()
			cc.ClientSecret = "vlcs_wrong"
			return cc
		}()))
		var re *oauth2.RetrieveError
		require.ErrorAs(t, err, &re, "a wrong secret is an error of New")
		require.Equal(t, "invalid_client", re.ErrorCode)

		var seen []string // method, path and User-Agent of each request
		spy := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			seen = append(seen, r.Method+" "+r.URL.Path+" "+strings.Fields(r.Header.Get("User-Agent"))[0])
			return http.DefaultTransport.RoundTrip(r)
		})}
		integ, err := client.New(ctx, reg.BaseURL(), client.WithHTTP(spy), client.WithClientCredentials(reg.ClientCredentials()))
		require.NoError(t, err)
		for range client.List[caseObject](ctx, integ, "cases", nil) {
			break
		}
		ua := strings.Fields(client.DefaultUserAgent())[0]
		require.Equal(t, []string{"POST /oauth/token " + ua, "GET /api/0.1/cases/ " + ua}, seen,
			"the token request and the list go through WithHTTP's client and name the module")
		farmID := int64(f.MOR.ID)
		tests := []struct {
			name  string
			opts  *client.ListOptions
			conds []client.Condition
			want  []string
		}{
			{"the farm", nil, []client.Condition{client.Filter("farm").Eq(farmID)}, []string{"Bossie34", "Clover", "bossie-calf"}},
			{"a page at a time", &client.ListOptions{PageSize: 1}, []client.Condition{client.Filter("farm").Eq(farmID)}, []string{"Bossie34", "Clover", "bossie-calf"}},
			{"initiated from t0+1h", nil, []client.Condition{client.Filter("farm").Eq(farmID), client.Filter("initiation").Gte(t0.Add(time.Hour))}, []string{"Clover", "bossie-calf"}},
			{"initiated in a range, another zone", nil, []client.Condition{client.Filter("farm").Eq(farmID),
				client.Filter("initiation").Range(t0.Add(time.Hour).In(time.FixedZone("EET", 2*3600)), t0.Add(3*time.Hour))}, []string{"Clover"}},
			{"icontains", &client.ListOptions{PageSize: 2}, []client.Condition{client.Filter("animal_id").IContains("bossie")}, []string{"Bossie34", "Bossie34", "bossie-calf"}},
			{"in, not the other farm", nil, []client.Condition{client.Filter("animal_id").In("Bossie34", "Clover"), client.Filter("farm").Neq(int64(other.MOR.ID))}, []string{"Bossie34", "Clover"}},
			{"related field", nil, []client.Condition{client.Filter("prescription.farm").Eq(farmID), client.Filter("initiation").IsNull(false)}, []string{"Bossie34", "Clover", "bossie-calf"}},
			{"nothing", nil, []client.Condition{client.Filter("animal_id").Eq("Daisy")}, nil},
			{"not another clinic's farm", nil, []client.Condition{client.Filter("farm").Eq(int64(outside.MOR.ID))}, nil},
		}
		for _, tc := range tests {
			require.Equal(t, tc.want, animals(t, client.List[caseObject](ctx, integ, "cases", tc.opts, tc.conds...)), tc.name)
		}

		// A plain *http.Client that authenticates by itself is a way in
		// too: here x/oauth2's own.
		cc := reg.ClientCredentials("cases.read")
		plain, err := client.New(ctx, e.URL, client.WithHTTP(cc.Client(ctx)))
		require.NoError(t, err)
		require.Equal(t, []string{"Clover"}, animals(t, client.List[caseObject](ctx, plain, "cases", nil, client.Filter("animal_id").Eq("Clover"))))

		// The server's refusals are problems naming the parameter or the
		// permission.
		for _, err := range client.List[caseObject](ctx, integ, "cases", nil, client.Filter("no_such_field").Eq(1)) {
			var p *client.Problem
			require.ErrorAs(t, err, &p)
			require.Equal(t, http.StatusBadRequest, p.Status)
			require.Equal(t, "no_such_field__eq", p.Errors[0].Field)
		}
		for _, err := range client.List[map[string]any](ctx, integ, "users", nil) {
			var p *client.Problem
			require.ErrorAs(t, err, &p)
			require.Equal(t, http.StatusForbidden, p.Status)
			require.Contains(t, p.Detail, "users.read")
		}
		// A bad condition is an error before anything is sent.
		for _, err := range client.List[caseObject](ctx, integ, "cases", nil, client.Filter("limit").Eq(1)) {
			require.ErrorContains(t, err, `filter field "limit": is a parameter of the list`)
		}

		// The login way in does not carry to the integration API.
		for _, err := range client.List[caseObject](ctx, f.API, "cases", nil) {
			var p *client.Problem
			require.ErrorAs(t, err, &p)
			require.Equal(t, http.StatusUnauthorized, p.Status)
		}
	})
}

// TestAuthorizationCodeWithPKCE: a farm manager signs in and allows a
// public client, which exchanges the code with its PKCE verifier and
// reads, through WithTokenSource, the farm's own cases and no one
// else's. Denying is ErrAuthorizationDenied; a callback of another
// request is refused before any exchange.
func TestAuthorizationCodeWithPKCE(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newIntegrationEnv(t, db)
		ctx := context.Background()
		f := e.farm(t, "vet-pkce", "farm-pkce")
		other := e.farm(t, "vet-pkce2", "farm-pkce2")
		t0 := f.Rx.Created.Add(time.Minute)
		f.enroll(t, "Bossie34", t0)
		other.enroll(t, "Clover", t0)

		const redirect = "http://127.0.0.1:9/callback"
		cl, _, err := e.OAuth.CreateClient(ctx, oauth.NewClient{Name: "Herd app", Type: storage.Public,
			GrantTypes: []storage.GrantType{storage.AuthorizationCode, storage.RefreshTokenGrant}, RedirectURIs: []string{redirect},
			Scopes: []string{"cases.read", "offline_access"}})
		require.NoError(t, err)
		cfg := &oauth2.Config{ClientID: cl.ID, Endpoint: client.Endpoint(e.URL), RedirectURL: redirect, Scopes: []string{"cases.read"}}

		ar := client.NewAuthorizationRequest(cfg)
		require.Contains(t, ar.URL, "code_challenge_method=S256")
		require.NotContains(t, ar.URL, ar.Verifier, "the verifier stays with the client")
		back := signIn(t, ar.URL, "farm-pkce", password, "allow")
		require.Equal(t, "/callback", back.Path)

		forged := *back
		q := forged.Query()
		q.Set("state", "someone else's")
		forged.RawQuery = q.Encode()
		_, err = ar.Exchange(ctx, &forged)
		require.ErrorContains(t, err, "does not match the request's")

		tok, err := ar.Exchange(ctx, back)
		require.NoError(t, err)
		api, err := client.New(ctx, e.URL, client.WithTokenSource(cfg.TokenSource(ctx, tok)))
		require.NoError(t, err)
		require.Equal(t, []string{"Bossie34"}, animals(t, client.List[caseObject](ctx, api, "cases", nil)), "the farm's own cases only")

		// A code is used once.
		_, err = ar.Exchange(ctx, back)
		var re *oauth2.RetrieveError
		require.ErrorAs(t, err, &re)
		require.Equal(t, "invalid_grant", re.ErrorCode)

		denied := client.NewAuthorizationRequest(cfg)
		back = signIn(t, denied.URL, "farm-pkce", password, "deny")
		_, err = denied.Exchange(ctx, back)
		require.ErrorIs(t, err, client.ErrAuthorizationDenied)
		require.False(t, errors.Is(err, client.ErrAuthorizationDenied) && back.Query().Get("code") != "")
	})
}
