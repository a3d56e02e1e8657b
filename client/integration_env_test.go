package client_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/auth"
	"github.com/vetlink/vetlink/client"
	"github.com/vetlink/vetlink/oauth"
	"github.com/vetlink/vetlink/openapi"
	"github.com/vetlink/vetlink/protocol"
	"github.com/vetlink/vetlink/restapi"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/site"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/webhook"
)

// integrationEnv is the reference server wired as examples/server wires
// it: the vetlink API, the OAuth 2.0 server, the integration API at
// /api/0.1/ and the integration catalogue, whose registrations a running
// webhook dispatcher delivers to loopback hookup URLs.
type integrationEnv struct {
	*apiEnv
	OAuth     *oauth.Server
	Catalogue *oauth.Catalogue
}

func newIntegrationEnv(t testing.TB, db *store.DB) *integrationEnv {
	t.Helper()
	ctx := context.Background()
	srv := httptest.NewServer(nil)
	t.Cleanup(srv.Close)
	e := &integrationEnv{apiEnv: &apiEnv{DB: db, URL: srv.URL}}
	e.Auth = &auth.Service{Store: db.Auth(), Key: bytes.Repeat([]byte{7}, 32), TokenTTL: time.Hour,
		Hashing: auth.PasswordParams{Memory: 1024, Time: 1, Threads: 1}}
	var err error
	e.APIKey, _, err = e.Auth.CreateAPIKey(ctx, "client tests")
	require.NoError(t, err)

	events, err := oauth.WithRegistrationEvent(webhook.DefaultCatalogue())
	require.NoError(t, err)
	guard := &webhook.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}}
	hooks := &webhook.Service{Store: db.Webhooks(), Catalogue: events, Guard: guard}
	d := &webhook.Dispatcher{Store: db.Webhooks(), Catalogue: events, Guard: guard, PollInterval: 50 * time.Millisecond}
	dctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); d.Run(dctx) }()
	t.Cleanup(func() { cancel(); <-done })

	api, err := openapi.NewHandler(openapi.Config{
		DB: db, Rx: &rx.Service{Store: db.Rx()}, Library: &rx.Library{Store: db.Library()},
		Site: &site.Service{Store: db.Site()}, Auth: e.Auth, Webhooks: hooks, Published: d.Wake,
	})
	require.NoError(t, err)
	e.OAuth, err = oauth.New(oauth.Config{
		Issuer: srv.URL, Store: db.OAuth(), Key: []byte("client test oauth key, 32 bytes or more"),
		Login: func(ctx context.Context, uname, pw string) (rx.UserID, error) {
			s, err := e.Auth.Login(ctx, e.APIKey, uname, pw)
			return s.User, err
		},
		Users: db.Rx(),
	})
	require.NoError(t, err)
	e.Catalogue = &oauth.Catalogue{Server: e.OAuth, Store: db.OAuth(), Webhooks: hooks, Published: d.Wake}

	mux := http.NewServeMux()
	oh := e.OAuth.Handler()
	mux.Handle("/oauth/", oh)
	mux.Handle(oauth.OpenIDConfigurationPath, oh)
	mux.Handle(oauth.AuthorizationServerMetadataPath, oh)
	mux.Handle(restapi.Prefix, restapi.New(restapi.Config{Store: db.RestAPI(), Verifier: e.OAuth}))
	mux.Handle("/", api)
	srv.Config.Handler = mux
	return e
}

// farm is a VOR and its client farm (MOR) with a flunixin prescription,
// and the farm's API.
type farm struct {
	VOR, MOR rx.User
	Rx       rx.Prescription
	API      *client.API
}

func (e *integrationEnv) farm(t *testing.T, vet, manager string) farm {
	t.Helper()
	ctx := context.Background()
	f := farm{VOR: e.user(t, rx.VOR, vet), MOR: e.user(t, rx.MOR, manager)}
	require.NoError(t, e.DB.Rx().AddRelation(ctx, rx.Relation{Kind: rx.Client, Left: f.VOR.ID, Right: f.MOR.ID}))
	vor, err := client.New(ctx, e.URL, client.WithAPIKey(e.APIKey), client.WithLogin(vet, password))
	require.NoError(t, err)
	created, err := client.Check(vor.CreatePrescriptionWithResponse(ctx, rx.PrescriptionRequest{Protocol: flunixin(t), MOR: f.MOR.ID, Refills: 20}))
	require.NoError(t, err)
	f.Rx = *created.JSON201.Prescription
	f.API, err = client.New(ctx, e.URL, client.WithAPIKey(e.APIKey), client.WithLogin(manager, password))
	require.NoError(t, err)
	return f
}

// enroll enrolls animal on the farm's prescription, initiated at.
func (f farm) enroll(t *testing.T, animal string, at time.Time) int64 {
	t.Helper()
	r, err := client.Check(f.API.EnrollCaseWithResponse(context.Background(), nil, rx.Case{RxID: f.Rx.ID, AnimalID: animal,
		Initiation: at, Species: protocol.DairyCattle, Data: &protocol.WeightData{Weight: protocol.Q(protocol.Int(600), protocol.Kilogram)}}))
	require.NoError(t, err)
	return *r.JSON200.Case.Id
}

// signIn plays the user's browser through the authorization-code flow:
// the authorize URL, the login page, the form (action "allow" or "deny"),
// the server's callback; it returns where the server finally sends the
// browser, the client's redirect URI with the code or the error.
func signIn(t *testing.T, authURL, uname, pw, action string) *url.URL {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	br := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	step := func(resp *http.Response, err error) (*http.Response, string) {
		t.Helper()
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	resp, body := step(br.Get(authURL))
	require.Equal(t, http.StatusFound, resp.StatusCode, body)
	loginURL, err := resp.Location()
	require.NoError(t, err)
	resp, body = step(br.Get(loginURL.String()))
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(body)
	id := regexp.MustCompile(`name="id" value="([^"]+)"`).FindStringSubmatch(body)
	require.NotNil(t, csrf, "the login page's csrf field")
	require.NotNil(t, id, "the login page's id field")
	loginURL.RawQuery = ""
	resp, body = step(br.PostForm(loginURL.String(), url.Values{"id": {id[1]}, "csrf": {csrf[1]},
		"uname": {uname}, "password": {pw}, "action": {action}}))
	require.Equal(t, http.StatusFound, resp.StatusCode, body)
	next, err := resp.Location()
	require.NoError(t, err)
	for strings.HasPrefix(next.String(), loginURL.Scheme+"://"+loginURL.Host) {
		resp, body = step(br.Get(next.String()))
		require.Equal(t, http.StatusFound, resp.StatusCode, body)
		next, err = resp.Location()
		require.NoError(t, err)
	}
	return next
}
