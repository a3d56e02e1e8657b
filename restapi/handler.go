package restapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vetlink/vetlink/oauth"
	"github.com/vetlink/vetlink/store"
)

// Lister reads pages of the collections; *store.RestStore implements it on
// SQLite and PostgreSQL.
type Lister interface {
	List(ctx context.Context, collection string, q store.RestQuery) (store.RestPage, error)
}

// Config is what the API needs. Store and Verifier are required.
type Config struct {
	// Store reads the collections.
	Store Lister
	// Verifier turns a bearer token into the principal whose permissions
	// each endpoint checks (the OAuth server of package oauth).
	Verifier oauth.Verifier
	// BaseURL, when set ("https://vetlink.example"), is the origin of the
	// URLs the API writes; otherwise they follow the request's Host (and
	// TLS).
	BaseURL string
	// Logger receives the errors answered as 500; nil discards them.
	Logger *slog.Logger
}

// DefaultLimit is the page size of a list that asks for none.
const DefaultLimit = 25

// Handler serves the integration API under [Prefix].
type Handler struct {
	cfg Config
	mux *http.ServeMux
}

// New returns the API's handler. Mount it at [Prefix] (or at "/": it only
// answers paths under Prefix).
func New(cfg Config) *Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{cfg: cfg, mux: http.NewServeMux()}
	h.mux.HandleFunc("GET "+Prefix+"{$}", h.index)
	h.mux.HandleFunc("GET "+Prefix+"openapi.yaml", serveOpenAPI)
	h.mux.HandleFunc("GET "+Prefix+"browse.css", serveCSS)
	for _, c := range Collections() {
		list := h.guard(c.Permission, func(w http.ResponseWriter, r *http.Request) { h.list(w, r, c) })
		h.mux.Handle("GET "+Prefix+c.Name+"/{$}", list)
		var item http.Handler
		if c.Name == "animals" {
			item = h.guard(c.Permission, func(w http.ResponseWriter, r *http.Request) {
				h.item(w, r, c, []store.FilterParam{{Param: "farm", Value: r.PathValue("farm")}, {Param: "animal_id", Value: r.PathValue("animal")}})
			})
			h.mux.Handle("GET "+Prefix+"farms/{farm}/animals/{animal}/{$}", item)
			continue
		}
		item = h.guard(c.Permission, func(w http.ResponseWriter, r *http.Request) {
			h.item(w, r, c, []store.FilterParam{{Param: "id", Value: r.PathValue("id")}})
		})
		h.mux.Handle("GET "+Prefix+c.Name+"/{id}/{$}", item)
	}
	h.mux.HandleFunc(Prefix, func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, r, problem(http.StatusNotFound, "not_found", "no endpoint of the integration API has this path; GET "+Prefix+" lists them"))
	})
	return h
}

// ServeHTTP serves the API.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Add("Vary", "Accept")
	h.mux.ServeHTTP(w, r)
}

// guard authenticates the request's bearer token and requires perm.
func (h *Handler) guard(perm oauth.Permission, fn http.HandlerFunc) http.Handler {
	return oauth.Middleware(h.cfg.Verifier, oauth.Require(perm, fn))
}

// origin is the scheme and host URLs are written with.
func (h *Handler) origin(r *http.Request) string {
	if h.cfg.BaseURL != "" {
		return strings.TrimSuffix(h.cfg.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// pageQuery is a list request's query string, read.
type pageQuery struct {
	store.RestQuery
	expose []string
	html   bool
}

// readQuery splits the query string into the window (limit, offset), the
// exposed fields (expose_<field>), the format and the filters (everything
// else), in the order the client wrote them.
func readQuery(r *http.Request, res store.RestResource, list bool) (pageQuery, *Problem) {
	q := pageQuery{RestQuery: store.RestQuery{Limit: DefaultLimit}, html: wantsHTML(r)}
	params, err := orderedQuery(r.URL.RawQuery)
	if err != nil {
		p := problem(http.StatusBadRequest, "invalid", "the query string does not parse: "+err.Error())
		return q, &p
	}
	bad := func(name, value, rule string) *Problem {
		p := problem(http.StatusBadRequest, "invalid_parameter", fmt.Sprintf("%s=%q: %s", name, value, rule))
		p.Errors = []FieldProblem{{Field: name, Value: value, Rule: rule}}
		return &p
	}
	for _, kv := range params {
		name, value := kv[0], kv[1]
		switch {
		case name == "format":
			switch value {
			case "json":
				q.html = false
			case "html", "api":
				q.html = true
			default:
				return q, bad(name, value, "want json or html")
			}
		case name == "limit" || name == "offset":
			if !list {
				return q, bad(name, value, "an object is not paged")
			}
			n, err := strconv.Atoi(value)
			if err != nil || n < 0 || (name == "limit" && (n < 1 || n > store.MaxRestLimit)) {
				return q, bad(name, value, fmt.Sprintf("want an integer (limit 1 to %d, offset 0 or more)", store.MaxRestLimit))
			}
			if name == "limit" {
				q.Limit = n
			} else {
				q.Offset = n
			}
		case strings.HasPrefix(name, "expose_"):
			field := strings.TrimPrefix(name, "expose_")
			if _, ok := res.Relation(field); !ok {
				return q, bad(name, value, fmt.Sprintf("%s has no exposable field %q (want one of %s)", res.Name, field, strings.Join(exposable(res), ", ")))
			}
			on, err := strconv.ParseBool(value)
			if value == "" {
				on, err = true, nil
			}
			if err != nil {
				return q, bad(name, value, "want true or false")
			}
			if on && !slices.Contains(q.expose, field) {
				q.expose = append(q.expose, field)
			}
		default:
			if !list {
				return q, bad(name, value, "an object takes no filter; filter its list")
			}
			q.Filters = append(q.Filters, store.FilterParam{Param: name, Value: value})
		}
	}
	return q, nil
}

// orderedQuery parses a query string keeping the order of its parameters,
// so errors name the first bad one.
func orderedQuery(raw string) ([][2]string, error) {
	var out [][2]string
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return nil, err
		}
		value, err := url.QueryUnescape(v)
		if err != nil {
			return nil, err
		}
		out = append(out, [2]string{key, value})
	}
	return out, nil
}

// exposable lists the fields expose_<field> may name.
func exposable(res store.RestResource) []string {
	var out []string
	for _, rel := range res.Relations {
		out = append(out, rel.Name)
	}
	return out
}

// wantsHTML reports whether the client asked for a page: a browser's
// Accept lists text/html before any JSON type.
func wantsHTML(r *http.Request) bool {
	accept := r.Header.Get("Accept")
	html := strings.Index(accept, "text/html")
	if html < 0 {
		return false
	}
	json := strings.Index(accept, "json")
	return json < 0 || html < json
}

// listBody is a list's JSON document.
type listBody struct {
	Count    int              `json:"count"`
	Next     *string          `json:"next"`
	Previous *string          `json:"previous"`
	Results  []map[string]any `json:"results"`
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request, c Collection) {
	_, res, _ := collection(c.Name)
	q, p := readQuery(r, res, true)
	if p != nil {
		writeProblem(w, r, *p)
		return
	}
	page, err := h.read(r.Context(), readerOf(r), c.Name, q.RestQuery)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	origin := h.origin(r)
	objs, err := h.objects(r, origin, res, page.Records, q.expose)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	body := listBody{Count: page.Total, Results: objs}
	if q.Offset+len(page.Records) < page.Total {
		body.Next = pageURL(origin, r, q.Limit, q.Offset+q.Limit)
	}
	if q.Offset > 0 {
		body.Previous = pageURL(origin, r, q.Limit, max(0, q.Offset-q.Limit))
	}
	h.answer(w, r, q.html, c, res, body)
}

// pageURL is the request's URL with another window.
func pageURL(origin string, r *http.Request, limit, offset int) *string {
	params, _ := orderedQuery(r.URL.RawQuery)
	v := []string{}
	for _, kv := range params {
		if kv[0] != "limit" && kv[0] != "offset" {
			v = append(v, url.QueryEscape(kv[0])+"="+url.QueryEscape(kv[1]))
		}
	}
	v = append(v, "limit="+strconv.Itoa(limit), "offset="+strconv.Itoa(offset))
	s := origin + r.URL.EscapedPath() + "?" + strings.Join(v, "&")
	return &s
}

func (h *Handler) item(w http.ResponseWriter, r *http.Request, c Collection, key []store.FilterParam) {
	_, res, _ := collection(c.Name)
	q, p := readQuery(r, res, false)
	if p != nil {
		writeProblem(w, r, *p)
		return
	}
	notFound := problem(http.StatusNotFound, "not_found", fmt.Sprintf("%s has no object at %s", c.Name, r.URL.Path))
	page, err := h.read(r.Context(), readerOf(r), c.Name, store.RestQuery{Filters: key, Limit: 1})
	if errors.Is(err, store.ErrBadFilter) {
		// A key of the wrong type names no object.
		writeProblem(w, r, notFound)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if len(page.Records) == 0 {
		writeProblem(w, r, notFound)
		return
	}
	objs, err := h.objects(r, h.origin(r), res, page.Records, q.expose)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.answer(w, r, q.html, c, res, objs[0])
}

// reader is whose rows a token reads: those of the vetlink user it acts
// for, those of the organisation that added its integration, none, or
// (all zero) every row of the collections its permissions name.
type reader struct {
	user, organisation int64
	// nothing is set for a token whose organisation is not a decimal ID:
	// it reads no row rather than every row.
	nothing bool
}

// readerOf is whose rows the request's token reads. A token acting for a
// vetlink user (authorization_code) reads what rx lets that user read; an
// integration's own token (client_credentials of a catalogue
// registration: no user, an organisation) reads its organisation's rows,
// and none when the organisation is not a positive decimal ID; a client
// the operator made outside the catalogue (neither) reads every row.
func readerOf(r *http.Request) reader {
	p, _ := oauth.PrincipalFromContext(r.Context())
	switch {
	case p.User != 0:
		return reader{user: int64(p.User)}
	case p.Organisation != "":
		id, err := strconv.ParseInt(p.Organisation, 10, 64)
		if err != nil || id <= 0 {
			return reader{nothing: true}
		}
		return reader{organisation: id}
	}
	return reader{}
}

// read lists collection for who: q limited to who's rows.
func (h *Handler) read(ctx context.Context, who reader, collection string, q store.RestQuery) (store.RestPage, error) {
	if who.nothing {
		return store.RestPage{}, nil
	}
	q.ActingUser, q.ActingOrganisation = who.user, who.organisation
	return h.cfg.Store.List(ctx, collection, q)
}

// errDenied carries a permission an exposed field needs.
type errDenied struct{ perm oauth.Permission }

func (e errDenied) Error() string { return "restapi: denied " + string(e.perm) }

// fail answers an error of the store or of exposure.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var fe *store.FilterError
	var denied errDenied
	switch {
	case errors.As(err, &fe):
		p := problem(http.StatusBadRequest, "invalid_filter", strings.TrimPrefix(fe.Error(), "store: "))
		p.Errors = []FieldProblem{{Field: fe.Param, Value: fe.Value, Rule: fe.Rule}}
		writeProblem(w, r, p)
	case errors.As(err, &denied):
		oauth.WriteDenied(w, r, denied.perm)
	default:
		h.cfg.Logger.ErrorContext(r.Context(), "restapi", "path", r.URL.Path, "err", err)
		writeProblem(w, r, problem(http.StatusInternalServerError, "internal", "the request failed on the server"))
	}
}

// objects turns records into the API's objects: each with its own url,
// its links as URLs (or, for the exposed fields, as the related objects
// themselves) and its related lists.
func (h *Handler) objects(r *http.Request, origin string, res store.RestResource, recs []store.Record, expose []string) ([]map[string]any, error) {
	out := make([]map[string]any, len(recs))
	for i, rec := range recs {
		out[i] = object(origin, res, rec)
	}
	for _, field := range expose {
		rel, _ := res.Relation(field)
		target, _, _ := collection(rel.Resource)
		if p, ok := oauth.PrincipalFromContext(r.Context()); !ok || !p.Has(target.Permission) {
			return nil, errDenied{target.Permission}
		}
		byKey, err := h.fetch(r.Context(), readerOf(r), origin, rel.Resource, recs, field)
		if err != nil {
			return nil, err
		}
		for i, rec := range recs {
			if v := rec[field]; v != nil {
				if obj, ok := byKey[fmt.Sprint(v)]; ok {
					out[i][field] = obj
				}
			}
		}
	}
	return out, nil
}

// fetch reads the objects of collection whose keys recs hold in field,
// those who may read.
func (h *Handler) fetch(ctx context.Context, who reader, origin, collName string, recs []store.Record, field string) (map[string]map[string]any, error) {
	_, target, _ := collection(collName)
	var keys []string
	for _, rec := range recs {
		if v := rec[field]; v != nil && !slices.Contains(keys, fmt.Sprint(v)) {
			keys = append(keys, fmt.Sprint(v))
		}
	}
	out := map[string]map[string]any{}
	for chunk := range slices.Chunk(keys, 200) {
		page, err := h.read(ctx, who, collName, store.RestQuery{
			Filters: []store.FilterParam{{Param: target.Key + "__in", Value: strings.Join(chunk, ",")}}, Limit: store.MaxRestLimit})
		if err != nil {
			return nil, err
		}
		for _, rec := range page.Records {
			out[fmt.Sprint(rec[target.Key])] = object(origin, target, rec)
		}
	}
	return out, nil
}

// object is one record as the API shows it.
func object(origin string, res store.RestResource, rec store.Record) map[string]any {
	obj := make(map[string]any, len(rec)+4)
	for k, v := range rec {
		if t, ok := v.(time.Time); ok {
			v = t.Format(time.RFC3339Nano)
		}
		obj[k] = v
	}
	obj["url"] = origin + ObjectPath(res.Name, rec)
	for _, rel := range res.Relations {
		if v := rec[rel.Name]; v != nil {
			obj[rel.Name] = origin + Prefix + rel.Resource + "/" + url.PathEscape(fmt.Sprint(v)) + "/"
		}
	}
	if farm, animal := rec["farm"], rec["animal_id"]; farm != nil && animal != nil && res.Name != "animals" {
		obj["animal"] = origin + animalPath(farm, animal)
	}
	c, _, _ := collection(res.Name)
	for _, rl := range c.Related {
		v := url.Values{}
		for _, f := range rl.Filters {
			v.Set(f[0], fmt.Sprint(rec[f[1]]))
		}
		obj[rl.Member] = origin + Prefix + rl.Collection + "/?" + v.Encode()
	}
	return obj
}

// ObjectPath is the path of the object rec of collection name.
func ObjectPath(name string, rec store.Record) string {
	if name == "animals" {
		return animalPath(rec["farm"], rec["animal_id"])
	}
	_, res, _ := collection(name)
	return Prefix + name + "/" + url.PathEscape(fmt.Sprint(rec[res.Key])) + "/"
}

func animalPath(farm, animal any) string {
	return Prefix + "farms/" + url.PathEscape(fmt.Sprint(farm)) + "/animals/" + url.PathEscape(fmt.Sprint(animal)) + "/"
}

// answer writes body as JSON, or as the browsable page.
func (h *Handler) answer(w http.ResponseWriter, r *http.Request, html bool, c Collection, res store.RestResource, body any) {
	if html {
		h.page(w, r, c, res, body)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(body)
}
