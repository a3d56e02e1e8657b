package admin_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/rx"
)

// browserless is an HTTP client of the dashboard with a cookie jar that
// does not follow redirects, so a test sees each answer.
func browserless(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// get fetches path and returns the status, the body and the form's CSRF
// token, if the page has one.
func get(t *testing.T, c *http.Client, s *testSite, path string) (*http.Response, string, string) {
	t.Helper()
	resp, err := c.Get(s.URL + path)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var csrf string
	if m := csrfField.FindSubmatch(b); m != nil {
		csrf = string(m[1])
	}
	return resp, string(b), csrf
}

func post(t *testing.T, c *http.Client, s *testSite, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	resp, err := c.PostForm(s.URL+path, form)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(b)
}

// signIn signs uname in through the form and returns the answer.
func signIn(t *testing.T, c *http.Client, s *testSite, uname, password string) (*http.Response, string) {
	t.Helper()
	_, _, csrf := get(t, c, s, "/admin/login")
	require.NotEmpty(t, csrf)
	return post(t, c, s, "/admin/login", url.Values{"csrf": {csrf}, "uname": {uname}, "password": {password}})
}

// TestDashboardSignIn: only the administrator, with the right password and
// the sign-in form's own token, gets a session, kept in an HttpOnly,
// SameSite=Strict cookie.
func TestDashboardSignIn(t *testing.T) {
	s := newSite(t)
	u := rx.User{Uname: "vet-smith", Type: rx.VOR, Firstname: "Vera", Lastname: "Smith", Email: "vera@example.org"}
	require.NoError(t, s.DB.Rx().CreateUser(context.Background(), &u))
	require.NoError(t, s.Auth.SetPassword(context.Background(), u.ID, adminPassword))

	for _, tc := range []struct {
		name, uname, password string
		status                int
		says                  string
	}{
		{"wrong password", "administrator", "not it", http.StatusUnauthorized, "The user name or the password is wrong."},
		{"unknown user", "nobody-here", adminPassword, http.StatusUnauthorized, "The user name or the password is wrong."},
		{"not the administrator", "vet-smith", adminPassword, http.StatusForbidden, "This account is not the administrator&#39;s."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := browserless(t)
			resp, body := signIn(t, c, s, tc.uname, tc.password)
			require.Equal(t, tc.status, resp.StatusCode)
			require.Contains(t, body, tc.says)
			r, _, _ := get(t, c, s, "/admin/jobs")
			require.Equal(t, http.StatusSeeOther, r.StatusCode, "no session")
			require.Equal(t, "/admin/login", r.Header.Get("Location"))
		})
	}

	t.Run("the sign-in form's token is required", func(t *testing.T) {
		c := browserless(t)
		get(t, c, s, "/admin/login")
		resp, body := post(t, c, s, "/admin/login", url.Values{"csrf": {"forged"}, "uname": {"administrator"}, "password": {adminPassword}})
		require.Equal(t, http.StatusForbidden, resp.StatusCode)
		require.Contains(t, body, "The sign-in form expired")
	})

	t.Run("administrator", func(t *testing.T) {
		c := browserless(t)
		resp, _ := signIn(t, c, s, "administrator", adminPassword)
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		require.Equal(t, "/admin/jobs", resp.Header.Get("Location"))
		var session *http.Cookie
		for _, ck := range resp.Cookies() {
			if ck.Name == "vetlink_admin" && ck.Value != "" {
				session = ck
			}
		}
		require.NotNil(t, session, "a session cookie")
		require.True(t, session.HttpOnly)
		require.Equal(t, http.SameSiteStrictMode, session.SameSite)
		require.Equal(t, "/admin/", session.Path)
		r, body, _ := get(t, c, s, "/admin/jobs")
		require.Equal(t, http.StatusOK, r.StatusCode, body)
	})
}

// TestDashboardPages: every page renders for the administrator, under a
// strict Content-Security-Policy, with no script, and refreshes itself
// where its data changes; a POST without the session's CSRF token is
// refused.
func TestDashboardPages(t *testing.T) {
	s := newSite(t)
	c := browserless(t)
	resp, _ := signIn(t, c, s, "administrator", adminPassword)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)

	for _, tc := range []struct {
		path    string
		status  int
		has     string
		refresh bool
	}{
		{"/admin/login", http.StatusOK, `<input id="uname"`, false},
		{"/admin/jobs", http.StatusOK, `<table id="jobs">`, true},
		{"/admin/jobs/new?kind=hl7-mllp-listener", http.StatusOK, `<input id="s-addr" name="s.addr"`, false},
		{"/admin/jobs/new?kind=teleport", http.StatusNotFound, `teleport`, false},
		{"/admin/webhooks", http.StatusOK, `<table id="deliveries">`, true},
		{"/admin/webhooks/deliveries/7f9c24e5-0b1d-4b3e-9a57-1d2f0e6c8a10", http.StatusNotFound, `<p class="error" role="alert">`, false},
	} {
		t.Run(tc.path, func(t *testing.T) {
			r, body, _ := get(t, c, s, tc.path)
			require.Equal(t, tc.status, r.StatusCode, body)
			require.Equal(t, "default-src 'self'", r.Header.Get("Content-Security-Policy"))
			require.Equal(t, "DENY", r.Header.Get("X-Frame-Options"))
			require.Equal(t, "text/html; charset=utf-8", r.Header.Get("Content-Type"))
			require.Contains(t, body, tc.has)
			require.NotContains(t, strings.ToLower(body), "<script")
			require.NotContains(t, strings.ToLower(body), " style=")
			require.Equal(t, tc.refresh, strings.Contains(body, `<meta http-equiv="refresh" content="60">`))
		})
	}

	t.Run("CSRF", func(t *testing.T) {
		_, _, csrf := get(t, c, s, "/admin/jobs")
		require.NotEmpty(t, csrf)
		for _, token := range []string{"", "forged", csrf + "x"} {
			r, body := post(t, c, s, "/admin/logout", url.Values{"csrf": {token}})
			require.Equal(t, http.StatusForbidden, r.StatusCode, "token %q", token)
			require.Contains(t, body, "CSRF token is missing or wrong")
		}
		r, _ := post(t, c, s, "/admin/logout", url.Values{"csrf": {csrf}})
		require.Equal(t, http.StatusSeeOther, r.StatusCode)
		r, _, _ = get(t, c, s, "/admin/jobs")
		require.Equal(t, http.StatusSeeOther, r.StatusCode, "signed out")
	})
}
