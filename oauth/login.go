package oauth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/vetlink/vetlink/auth"
)

// csrfCookie holds the browser's half of the login form's CSRF token.
const csrfCookie = "vetlink_oauth_csrf"

// scopeText says in words what a scope lets an app do, for the consent
// page.
var scopeText = map[string]string{
	oidc.ScopeOpenID:          "Know who you are (your vetlink user ID)",
	oidc.ScopeProfile:         "See your name and user name",
	oidc.ScopeEmail:           "See your e-mail address",
	oidc.ScopeOfflineAccess:   "Keep access while you are away (a refresh token)",
	string(ReadOrganisations): "Read organisations and departments",
	string(ReadUsers):         "Read users",
	string(ReadFarms):         "Read farms",
	string(ReadAnimals):       "Read animals",
	string(ReadProtocols):     "Read treatment protocols",
	string(ReadPrescriptions): "Read prescriptions",
	string(ReadCases):         "Read cases",
	string(ReadTasks):         "Read dose tasks",
	string(ReadWithholds):     "Read withdrawal periods",
	string(ReadWebhooks):      "Read webhook subscriptions and deliveries",
	string(ReadIntegrations):  "Read integrations",
	string(ReadLabResults):    "Read lab results received over HL7",
	string(ReadNAHLNReports):  "Read NAHLN reports",
	string(ReadAudit):         "Read the administrators' audit log",
}

var loginPage = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in to vetlink</title>
</head>
<body>
<main>
<h1>Sign in to vetlink</h1>
<p><strong>{{.Client}}</strong> asks to:</p>
<ul id="scopes">
{{range .Scopes}}<li><code>{{.Name}}</code> {{.Text}}</li>
{{end}}</ul>
{{if .Error}}<p role="alert" id="error">{{.Error}}</p>{{end}}
<form method="post" action="{{.Action}}">
<input type="hidden" name="id" value="{{.ID}}">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<p><label>User name <input id="uname" name="uname" autocomplete="username" value="{{.Uname}}" required></label></p>
<p><label>Password <input id="password" name="password" type="password" autocomplete="current-password"></label></p>
<p><button id="allow" name="action" value="allow" type="submit">Sign in and allow</button>
<button id="deny" name="action" value="deny" type="submit" formnovalidate>Deny</button></p>
</form>
</main>
</body>
</html>
`))

type scopeLine struct{ Name, Text string }

type loginData struct {
	Client, ID, CSRF, Action, Uname, Error string
	Scopes                                 []scopeLine
}

// csrfToken binds the form to the browser's cookie and to the request.
func (s *Server) csrfToken(cookie, id string) string {
	m := hmac.New(sha256.New, s.csrfKey)
	m.Write([]byte(cookie + "\x00" + id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// pageHeaders forbid framing (clickjacking of the consent button) and any
// script or outside resource: the page has none.
func pageHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, id, cookie, uname, msg string) {
	ar, err := s.store.liveAuthRequest(r.Context(), id)
	if err != nil {
		s.pageError(w, http.StatusBadRequest, "This sign-in link has expired or is not valid. Go back to the app and start again.")
		return
	}
	c, err := s.cfg.Store.Client(r.Context(), ar.ClientID)
	if err != nil {
		s.pageError(w, http.StatusBadRequest, "The app asking to sign you in is not registered.")
		return
	}
	d := loginData{Client: c.Name, ID: id, CSRF: s.csrfToken(cookie, id), Action: LoginPath, Uname: uname, Error: msg}
	for _, sc := range ar.Scopes {
		d.Scopes = append(d.Scopes, scopeLine{Name: sc, Text: scopeText[sc]})
	}
	pageHeaders(w)
	w.WriteHeader(status)
	if err := loginPage.Execute(w, d); err != nil {
		s.logger.ErrorContext(r.Context(), "oauth: login page", "err", err)
	}
}

func (s *Server) pageError(w http.ResponseWriter, status int, msg string) {
	pageHeaders(w)
	w.WriteHeader(status)
	template.Must(template.New("e").Parse(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>vetlink sign-in</title></head><body><main><h1>vetlink sign-in</h1><p role="alert">{{.}}</p></main></body></html>`)).Execute(w, msg)
}

// serveLogin shows the login and consent page of authorization request
// ?id=, setting the CSRF cookie when the browser has none.
func (s *Server) serveLogin(w http.ResponseWriter, r *http.Request) {
	cookie := ""
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 {
		cookie = c.Value
	} else {
		b := make([]byte, 32)
		rand.Read(b)
		cookie = base64.RawURLEncoding.EncodeToString(b)
		http.SetCookie(w, &http.Cookie{
			Name: csrfCookie, Value: cookie, Path: "/oauth/", HttpOnly: true,
			Secure: strings.HasPrefix(s.cfg.Issuer, "https://"), SameSite: http.SameSiteStrictMode,
		})
	}
	s.renderLogin(w, r, http.StatusOK, r.URL.Query().Get("id"), cookie, "", "")
}

// submitLogin checks the CSRF token, then either denies (access_denied to
// the client, RFC 6749 §4.1.2.1) or checks the password and, when it is
// right, records the user's consent and hands back to op, which issues
// the code.
func (s *Server) submitLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		s.pageError(w, http.StatusBadRequest, "The form could not be read.")
		return
	}
	id := r.PostForm.Get("id")
	c, err := r.Cookie(csrfCookie)
	if err != nil || !hmac.Equal([]byte(r.PostForm.Get("csrf")), []byte(s.csrfToken(c.Value, id))) {
		s.pageError(w, http.StatusForbidden, "The form is stale or was not sent by this page (CSRF check failed). Go back to the app and start again.")
		return
	}
	ctx := op.ContextWithIssuer(r.Context(), s.cfg.Issuer)
	ar, err := s.store.liveAuthRequest(ctx, id)
	if err != nil || ar.Done {
		s.pageError(w, http.StatusBadRequest, "This sign-in link has expired or was used. Go back to the app and start again.")
		return
	}
	if r.PostForm.Get("action") != "allow" {
		op.AuthRequestError(w, r.WithContext(ctx), &authRequest{ar}, oidc.ErrAccessDenied().WithDescription("the user denied the request"), s.provider)
		return
	}
	uname := r.PostForm.Get("uname")
	user, err := s.cfg.Login(ctx, uname, r.PostForm.Get("password"))
	var lock *auth.LockError
	switch {
	case errors.As(err, &lock):
		s.renderLogin(w, r, http.StatusTooManyRequests, id, c.Value, uname, "Too many failed sign-ins for this user name. Wait a while and try again.")
		return
	case err != nil:
		s.renderLogin(w, r, http.StatusUnauthorized, id, c.Value, uname, "The user name or password is wrong.")
		return
	}
	if err := s.cfg.Store.CompleteAuthRequest(ctx, id, int64(user), s.store.now()); err != nil {
		s.logger.ErrorContext(ctx, "oauth: completing an authorization request", "err", err)
		s.pageError(w, http.StatusInternalServerError, "Signing in failed on the server. Try again.")
		return
	}
	http.Redirect(w, r, s.cfg.Issuer+AuthorizePath+"/callback?id="+url.QueryEscape(id), http.StatusFound)
}
