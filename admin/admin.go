package admin

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vetlink/vetlink/openapi"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// The cookies of the dashboard.
const (
	sessionCookie = "vetlink_admin"
	loginCookie   = "vetlink_admin_login"
)

// Config configures the dashboard. API, APIKey and Key are required.
type Config struct {
	// API is the vetlink API handler (openapi.NewHandler), called
	// in-process.
	API http.Handler
	// APIKey is the API key the dashboard sends (X-APIKEY).
	APIKey string
	// Key signs the CSRF tokens: at least 32 random bytes, kept secret.
	Key []byte
	// Refresh is how often the pages reload themselves; zero means 5s.
	Refresh time.Duration
	// InsecureCookies leaves the Secure flag off the cookies, for a server
	// reached over plain HTTP (tests, a loopback-only deployment).
	InsecureCookies bool
	// Logger receives the causes of failed pages; nil discards.
	Logger *slog.Logger
}

// Dashboard is the administrator's dashboard, an http.Handler for the
// paths under /admin/.
type Dashboard struct {
	cfg   Config
	pages map[string]*template.Template
	mux   *http.ServeMux
	log   *slog.Logger
}

// New returns the dashboard. It fails when Config lacks API, APIKey or a
// Key of at least 32 bytes.
func New(cfg Config) (*Dashboard, error) {
	switch {
	case cfg.API == nil:
		return nil, errors.New("admin: Config.API must be set")
	case cfg.APIKey == "":
		return nil, errors.New("admin: Config.APIKey must be set")
	case len(cfg.Key) < 32:
		return nil, fmt.Errorf("admin: Config.Key has %d bytes: it needs at least 32", len(cfg.Key))
	}
	if cfg.Refresh <= 0 {
		cfg.Refresh = 5 * time.Second
	}
	d := &Dashboard{cfg: cfg, pages: map[string]*template.Template{}, mux: http.NewServeMux(), log: cfg.Logger}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	funcs := template.FuncMap{"schedule": scheduleText, "percent": func(f *float32) string { return fmt.Sprintf("%.0f%%", *f*100) }}
	for _, page := range []string{"login", "jobs", "newjob", "webhooks", "delivery", "error"} {
		t, err := template.New(page).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+page+".html")
		if err != nil {
			return nil, fmt.Errorf("admin: template %s: %w", page, err)
		}
		d.pages[page] = t
	}
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	d.mux.Handle("GET /admin/static/", http.StripPrefix("/admin/static/", http.FileServerFS(static)))
	d.mux.HandleFunc("GET /admin/login", d.loginForm)
	d.mux.HandleFunc("POST /admin/login", d.login)
	d.mux.HandleFunc("POST /admin/logout", d.session(d.logout))
	d.mux.HandleFunc("GET /admin/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/admin/jobs", http.StatusSeeOther)
	})
	d.mux.HandleFunc("GET /admin/jobs", d.session(d.jobs))
	d.mux.HandleFunc("GET /admin/jobs/new", d.session(d.newJobForm))
	d.mux.HandleFunc("POST /admin/jobs/new", d.session(d.newJob))
	d.mux.HandleFunc("POST /admin/jobs/{id}/run", d.session(d.runJob))
	d.mux.HandleFunc("POST /admin/servers/{id}/delete", d.session(d.deleteServer))
	d.mux.HandleFunc("GET /admin/webhooks", d.session(d.webhooks))
	d.mux.HandleFunc("GET /admin/webhooks/deliveries/{id}", d.session(d.delivery))
	d.mux.HandleFunc("POST /admin/webhooks/deliveries/{id}/resend", d.session(d.resend))
	return d, nil
}

// ServeHTTP sets the security headers every answer carries and routes.
func (d *Dashboard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	d.mux.ServeHTTP(w, r)
}

// view is what every page template gets.
type view struct {
	Title    string
	Refresh  int // seconds; 0: no refresh
	LoggedIn bool
	CSRF     string
	Error    string
	Data     any
}

func (d *Dashboard) render(w http.ResponseWriter, status int, page string, v view) {
	var buf bytes.Buffer
	// The parsed files are templates named after them; the set's own
	// (empty) template is named after the page.
	if err := d.pages[page].ExecuteTemplate(&buf, page+".html", v); err != nil {
		d.log.Error("admin: rendering", "page", page, "err", err)
		http.Error(w, "the page could not be rendered", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// ---- sessions and CSRF

// csrfFor is the CSRF token of a session: an HMAC of its token.
func (d *Dashboard) csrfFor(session string) string {
	m := hmac.New(sha256.New, d.cfg.Key)
	io.WriteString(m, "vetlink admin csrf\x00"+session)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (d *Dashboard) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/admin/", MaxAge: maxAge, HttpOnly: true,
		Secure: !d.cfg.InsecureCookies, SameSite: http.SameSiteStrictMode}
}

// session wraps a page that needs a signed-in administrator: without a
// session it redirects to the sign-in form; a POST must carry the
// session's CSRF token.
func (d *Dashboard) session(next func(w http.ResponseWriter, r *http.Request, token string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil || c.Value == "" {
			http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost && !hmac.Equal([]byte(r.PostFormValue("csrf")), []byte(d.csrfFor(c.Value))) {
			http.Error(w, "the form's CSRF token is missing or wrong: reload the page and try again", http.StatusForbidden)
			return
		}
		next(w, r, c.Value)
	}
}

func (d *Dashboard) loginForm(w http.ResponseWriter, r *http.Request) {
	d.renderLogin(w, http.StatusOK, "")
}

func (d *Dashboard) renderLogin(w http.ResponseWriter, status int, problem string) {
	b := make([]byte, 24)
	rand.Read(b)
	nonce := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, d.cookie(loginCookie, nonce, 600))
	d.render(w, status, "login", view{Title: "Sign in", CSRF: nonce, Error: problem})
}

func (d *Dashboard) login(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(loginCookie)
	if err != nil || c.Value == "" || !hmac.Equal([]byte(r.PostFormValue("csrf")), []byte(c.Value)) {
		d.renderLogin(w, http.StatusForbidden, "The sign-in form expired: please sign in again.")
		return
	}
	var out struct {
		Token *string `json:"token"`
	}
	body := map[string]string{"apikey": d.cfg.APIKey, "identifier": r.PostFormValue("uname"), "password": r.PostFormValue("password")}
	if err := d.call(r.Context(), "", http.MethodPost, "/api/users/logins", body, &out); err != nil || out.Token == nil {
		d.renderLogin(w, http.StatusUnauthorized, "The user name or the password is wrong.")
		return
	}
	// Only the administrator may use the dashboard: the admin API says.
	if err := d.call(r.Context(), *out.Token, http.MethodGet, "/api/admin/servers", nil, nil); err != nil {
		d.renderLogin(w, http.StatusForbidden, "This account is not the administrator's.")
		return
	}
	http.SetCookie(w, d.cookie(loginCookie, "", -1))
	http.SetCookie(w, d.cookie(sessionCookie, *out.Token, 0))
	http.Redirect(w, r, "/admin/jobs", http.StatusSeeOther)
}

func (d *Dashboard) logout(w http.ResponseWriter, r *http.Request, _ string) {
	http.SetCookie(w, d.cookie(sessionCookie, "", -1))
	http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
}

// ---- the API, in-process

// apiError is a problem the API answered.
type apiError struct {
	Status int
	Detail string
}

func (e *apiError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.Status, e.Detail) }

// call sends one request to the API with the session token and decodes
// a success into out (when not nil); a problem becomes an *apiError.
func (d *Dashboard) call(ctx context.Context, token, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req := httptest.NewRequestWithContext(ctx, method, path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set(openapi.APIKeyHeader, d.cfg.APIKey)
	if token != "" {
		req.Header.Set(openapi.AuthTokenHeader, token)
	}
	rec := httptest.NewRecorder()
	d.cfg.API.ServeHTTP(rec, req)
	if rec.Code >= 300 {
		var p openapi.Problem
		json.Unmarshal(rec.Body.Bytes(), &p)
		detail := p.Detail
		if detail == "" {
			detail = p.Title
		}
		return &apiError{Status: rec.Code, Detail: detail}
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(rec.Body.Bytes(), out)
}

// failed answers a page whose API call failed: back to sign-in when the
// session is no longer valid, else the problem on an error page.
func (d *Dashboard) failed(w http.ResponseWriter, r *http.Request, token string, err error) {
	var ae *apiError
	if errors.As(err, &ae) && ae.Status == http.StatusUnauthorized {
		http.SetCookie(w, d.cookie(sessionCookie, "", -1))
		http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
		return
	}
	status := http.StatusInternalServerError
	msg := "The server could not complete the request."
	if ae != nil {
		status, msg = ae.Status, ae.Detail
	} else {
		d.log.ErrorContext(r.Context(), "admin: page failed", "path", r.URL.Path, "err", err)
	}
	d.render(w, status, "error", view{Title: "Something went wrong", LoggedIn: true, CSRF: d.csrfFor(token), Error: msg})
}

// ---- Job & Interface Settings

type jobsData struct {
	Servers []openapi.AdminServer
	Kinds   []openapi.AdminJobKind
	Jobs    []openapi.AdminJob
}

func (d *Dashboard) jobs(w http.ResponseWriter, r *http.Request, token string) {
	var data jobsData
	ctx := r.Context()
	for _, c := range []struct {
		path string
		out  any
	}{
		{"/api/admin/servers", &data.Servers},
		{"/api/admin/job-kinds?unconfigured=true", &data.Kinds},
		{"/api/admin/jobs", &data.Jobs},
	} {
		if err := d.call(ctx, token, http.MethodGet, c.path, nil, c.out); err != nil {
			d.failed(w, r, token, err)
			return
		}
	}
	d.render(w, http.StatusOK, "jobs", view{Title: "Job & Interface Settings", Refresh: int(d.cfg.Refresh / time.Second),
		LoggedIn: true, CSRF: d.csrfFor(token), Error: r.URL.Query().Get("error"), Data: data})
}

// scheduleText is a schedule as the job list shows it.
func scheduleText(s openapi.AdminSchedule) string {
	if s.Cron != nil {
		tz := "UTC"
		if s.TimeZone != nil {
			tz = *s.TimeZone
		}
		return "cron " + *s.Cron + " (" + tz + ")"
	}
	if s.Every != nil {
		return "every " + *s.Every
	}
	return ""
}

// field is one input of a kind's settings form.
type field struct {
	Name, Type, Value string
	Required, Checked bool
}

type newJobData struct {
	Kind                 openapi.AdminJobKind
	Fields               []field
	Name, Every, Servers string
}

func (d *Dashboard) kindForm(r *http.Request, token string) (newJobData, error) {
	var data newJobData
	kind := r.URL.Query().Get("kind")
	if err := d.call(r.Context(), token, http.MethodGet, "/api/admin/job-kinds/"+url.PathEscape(kind), nil, &data.Kind); err != nil {
		return data, err
	}
	props, _ := data.Kind.SettingsSchema["properties"].(map[string]any)
	required := map[string]bool{}
	if req, ok := data.Kind.SettingsSchema["required"].([]any); ok {
		for _, n := range req {
			if s, ok := n.(string); ok {
				required[s] = true
			}
		}
	}
	for name, p := range props {
		typ, _ := p.(map[string]any)["type"].(string)
		if typ == "" || typ == "object" || typ == "array" {
			continue // not editable in a form: the kind's default stays
		}
		f := field{Name: name, Type: typ, Required: required[name]}
		switch v := data.Kind.Defaults[name].(type) {
		case bool:
			f.Checked = v
		case nil:
		case float64:
			f.Value = strconv.FormatFloat(v, 'f', -1, 64)
		default:
			f.Value = fmt.Sprint(v)
		}
		data.Fields = append(data.Fields, f)
	}
	slices.SortFunc(data.Fields, func(a, b field) int { return strings.Compare(a.Name, b.Name) })
	data.Name, data.Every = data.Kind.Title, "1"
	var servers []openapi.AdminServer
	if err := d.call(r.Context(), token, http.MethodGet, "/api/admin/servers", nil, &servers); err != nil {
		return data, err
	}
	var live []string
	for _, s := range servers {
		if s.Status == "live" && !slices.Contains(live, s.Name) {
			live = append(live, s.Name)
		}
	}
	data.Servers = strings.Join(live, ", ")
	return data, nil
}

func (d *Dashboard) newJobForm(w http.ResponseWriter, r *http.Request, token string) {
	data, err := d.kindForm(r, token)
	if err != nil {
		d.failed(w, r, token, err)
		return
	}
	d.render(w, http.StatusOK, "newjob", view{Title: "Add " + data.Kind.Title, LoggedIn: true, CSRF: d.csrfFor(token), Data: data})
}

func (d *Dashboard) newJob(w http.ResponseWriter, r *http.Request, token string) {
	data, err := d.kindForm(r, token)
	if err != nil {
		d.failed(w, r, token, err)
		return
	}
	data.Name, data.Every, data.Servers = r.PostFormValue("name"), r.PostFormValue("every"), r.PostFormValue("servers")
	settings := map[string]any{}
	for k, v := range data.Kind.Defaults {
		settings[k] = v
	}
	var problems []string
	for i, f := range data.Fields {
		v := strings.TrimSpace(r.PostFormValue("s." + f.Name))
		data.Fields[i].Value, data.Fields[i].Checked = v, v == "true"
		switch {
		case f.Type == "boolean":
			settings[f.Name] = v == "true"
		case v == "" && !f.Required:
			delete(settings, f.Name)
		case f.Type == "integer":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s %q: must be a whole number", f.Name, v))
			}
			settings[f.Name] = n
		case f.Type == "number":
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s %q: must be a number", f.Name, v))
			}
			settings[f.Name] = n
		default:
			settings[f.Name] = v
		}
	}
	minutes, err := strconv.Atoi(strings.TrimSpace(data.Every))
	if err != nil || minutes < 1 {
		problems = append(problems, fmt.Sprintf("runs every %q: must be a whole number of minutes, at least 1", data.Every))
	}
	var servers []string
	for _, s := range strings.Split(data.Servers, ",") {
		if s = strings.TrimSpace(s); s != "" {
			servers = append(servers, s)
		}
	}
	if len(problems) == 0 {
		spec := map[string]any{"name": data.Name, "kind": data.Kind.Name, "settings": settings,
			"schedule": map[string]any{"every": fmt.Sprintf("PT%dM", minutes)}, "servers": servers,
			"active": r.PostFormValue("active") == "true"}
		err := d.call(r.Context(), token, http.MethodPost, "/api/admin/jobs", spec, nil)
		if err == nil {
			http.Redirect(w, r, "/admin/jobs", http.StatusSeeOther)
			return
		}
		var ae *apiError
		if !errors.As(err, &ae) || ae.Status == http.StatusUnauthorized {
			d.failed(w, r, token, err)
			return
		}
		problems = append(problems, ae.Detail)
	}
	d.render(w, http.StatusUnprocessableEntity, "newjob", view{Title: "Add " + data.Kind.Title, LoggedIn: true,
		CSRF: d.csrfFor(token), Error: strings.Join(problems, "; "), Data: data})
}

// action posts to the API and goes back to the page, with the problem
// shown there when it failed.
func (d *Dashboard) action(w http.ResponseWriter, r *http.Request, token, method, apiPath, back string) {
	err := d.call(r.Context(), token, method, apiPath, nil, nil)
	var ae *apiError
	switch {
	case err == nil:
	case errors.As(err, &ae) && ae.Status != http.StatusUnauthorized:
		back += "?error=" + url.QueryEscape(ae.Detail)
	default:
		d.failed(w, r, token, err)
		return
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

func (d *Dashboard) runJob(w http.ResponseWriter, r *http.Request, token string) {
	d.action(w, r, token, http.MethodPost, "/api/admin/jobs/"+url.PathEscape(r.PathValue("id"))+"/runs", "/admin/jobs")
}

func (d *Dashboard) deleteServer(w http.ResponseWriter, r *http.Request, token string) {
	d.action(w, r, token, http.MethodDelete, "/api/admin/servers/"+url.PathEscape(r.PathValue("id")), "/admin/jobs")
}

// ---- Webhooks

type webhooksData struct {
	Subscriptions     []openapi.AdminSubscription
	Deliveries        []openapi.AdminDelivery
	States            []string
	Status, EventType string
}

func (d *Dashboard) webhooks(w http.ResponseWriter, r *http.Request, token string) {
	data := webhooksData{States: []string{"pending", "succeeded", "failed"}, Status: r.URL.Query().Get("status"), EventType: r.URL.Query().Get("eventType")}
	q := url.Values{"limit": {"100"}}
	if slices.Contains(data.States, data.Status) {
		q.Set("status", data.Status)
	}
	if data.EventType != "" {
		q.Set("eventType", data.EventType)
	}
	ctx := r.Context()
	if err := d.call(ctx, token, http.MethodGet, "/api/admin/webhooks/subscriptions", nil, &data.Subscriptions); err != nil {
		d.failed(w, r, token, err)
		return
	}
	if err := d.call(ctx, token, http.MethodGet, "/api/admin/webhooks/deliveries?"+q.Encode(), nil, &data.Deliveries); err != nil {
		d.failed(w, r, token, err)
		return
	}
	d.render(w, http.StatusOK, "webhooks", view{Title: "Webhooks", Refresh: int(d.cfg.Refresh / time.Second),
		LoggedIn: true, CSRF: d.csrfFor(token), Error: r.URL.Query().Get("error"), Data: data})
}

func (d *Dashboard) delivery(w http.ResponseWriter, r *http.Request, token string) {
	var data openapi.AdminDeliveryDetail
	if err := d.call(r.Context(), token, http.MethodGet, "/api/admin/webhooks/deliveries/"+url.PathEscape(r.PathValue("id")), nil, &data); err != nil {
		d.failed(w, r, token, err)
		return
	}
	d.render(w, http.StatusOK, "delivery", view{Title: "Delivery " + data.Delivery.Id.String(), Refresh: int(d.cfg.Refresh / time.Second),
		LoggedIn: true, CSRF: d.csrfFor(token), Error: r.URL.Query().Get("error"), Data: data})
}

func (d *Dashboard) resend(w http.ResponseWriter, r *http.Request, token string) {
	id := url.PathEscape(r.PathValue("id"))
	d.action(w, r, token, http.MethodPost, "/api/admin/webhooks/deliveries/"+id+"/resend", "/admin/webhooks/deliveries/"+id)
}
