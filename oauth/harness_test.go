package oauth_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vetlink/vetlink/auth"
	"github.com/vetlink/vetlink/oauth"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
)

// clock is a settable clock for the server under test.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.now.IsZero() {
		return time.Now()
	}
	return c.now
}

// Advance sets the clock d past the real time; Advance(0) gives it back
// to the real time.
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d == 0 {
		c.now = time.Time{}
		return
	}
	c.now = time.Now().Add(d)
}

// bundle is the server under test with its collaborators.
type bundle struct {
	db     *store.DB
	srv    *oauth.Server
	http   *httptest.Server
	clock  *clock
	user   rx.User
	pass   string
	issuer string
	auth   *auth.Service
	apiKey string
}

const testPassword = "correct horse battery staple"

// setup starts the authorization server on a loopback listener over db,
// with a vetlink user who can log in, and a protected resource at
// /resource that needs cases.read.
func setup(t testing.TB, db *store.DB) *bundle {
	t.Helper()
	ctx := context.Background()
	b := &bundle{db: db, clock: &clock{}, pass: testPassword}
	b.http = httptest.NewServer(nil)
	t.Cleanup(b.http.Close)
	b.issuer = b.http.URL

	authSvc := &auth.Service{Store: db.Auth(), Key: []byte(strings.Repeat("k", 32)),
		Hashing: auth.PasswordParams{Memory: 1024, Time: 1, Threads: 1}}
	b.user = rx.User{Uname: "farmer_jo", Type: rx.MOR, Email: "jo@farm.example", Firstname: "Jo", Lastname: "Farmer"}
	if err := db.Rx().CreateUser(ctx, &b.user); err != nil {
		t.Fatal(err)
	}
	if err := authSvc.SetPassword(ctx, b.user.ID, testPassword); err != nil {
		t.Fatal(err)
	}
	apiKey, _, err := authSvc.CreateAPIKey(ctx, "oauth login page")
	if err != nil {
		t.Fatal(err)
	}
	b.auth, b.apiKey = authSvc, apiKey
	srv, err := oauth.New(oauth.Config{
		Issuer: b.issuer,
		Store:  db.OAuth(),
		Key:    []byte("oauth test key, 32 bytes or more!!"),
		Login: func(ctx context.Context, uname, password string) (rx.UserID, error) {
			s, err := authSvc.Login(ctx, apiKey, uname, password)
			return s.User, err
		},
		Users: db.Rx(),
		Now:   b.clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	b.srv = srv
	mux := http.NewServeMux()
	mux.Handle("/", srv.Handler())
	mux.Handle("/resource", oauth.Middleware(srv, oauth.Require(oauth.ReadCases, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := oauth.PrincipalFromContext(r.Context())
		json.NewEncoder(w).Encode(p)
	}))))
	b.http.Config.Handler = mux
	return b
}

// resource calls /resource with token and returns the status and the
// principal it saw.
func (b *bundle) resource(t *testing.T, token string) (int, oauth.Principal) {
	t.Helper()
	req, _ := http.NewRequest("GET", b.issuer+"/resource", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var p oauth.Principal
	if resp.StatusCode == 200 {
		json.NewDecoder(resp.Body).Decode(&p)
	}
	return resp.StatusCode, p
}

// browser is a scripted user agent: it keeps cookies and does not follow
// redirects, so each step of the flow is seen.
type browser struct {
	t *testing.T
	c *http.Client
}

func newBrowser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

func (br *browser) get(u string) (*http.Response, string) {
	br.t.Helper()
	resp, err := br.c.Get(u)
	if err != nil {
		br.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func (br *browser) post(u string, form url.Values) (*http.Response, string) {
	br.t.Helper()
	resp, err := br.c.PostForm(u, form)
	if err != nil {
		br.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

var (
	csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	idField   = regexp.MustCompile(`name="id" value="([^"]+)"`)
)

// authorize walks the authorization-code flow from authURL: the
// authorize endpoint, the login page, the form (with action "allow" or
// "deny"), the callback. It returns the final redirect to the client.
func (b *bundle) authorize(t *testing.T, authURL, uname, password, action string) *url.URL {
	t.Helper()
	br := newBrowser(t)
	resp, body := br.get(authURL)
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: %d %s, want a redirect to the login page", resp.StatusCode, body)
	}
	loc, _ := resp.Location()
	if loc.Path != oauth.LoginPath {
		return loc // an error sent back to the client
	}
	resp, body = br.get(loc.String())
	if resp.StatusCode != 200 {
		t.Fatalf("login page: %d %s", resp.StatusCode, body)
	}
	csrf, id := csrfField.FindStringSubmatch(body), idField.FindStringSubmatch(body)
	if csrf == nil || id == nil {
		t.Fatalf("login page has no csrf or id field:\n%s", body)
	}
	resp, body = br.post(b.issuer+oauth.LoginPath, url.Values{"id": {id[1]}, "csrf": {csrf[1]},
		"uname": {uname}, "password": {password}, "action": {action}})
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("login: %d %s", resp.StatusCode, body)
	}
	loc, _ = resp.Location()
	if !strings.HasSuffix(loc.Path, "/callback") {
		return loc
	}
	resp, body = br.get(loc.String())
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("callback: %d %s", resp.StatusCode, body)
	}
	loc, _ = resp.Location()
	return loc
}

func engines(t *testing.T, body func(t *testing.T, b *bundle)) {
	storetest.Run(t, func(t *testing.T, db *store.DB) { body(t, setup(t, db)) })
}
