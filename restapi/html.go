package restapi

import (
	"bytes"
	"embed"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/vetlink/vetlink/store"
)

//go:embed web/page.html web/browse.css
var web embed.FS

var pageTemplate = template.Must(template.ParseFS(web, "web/page.html"))

// contentSecurityPolicy allows the page its own style sheet and nothing
// else: no script at all, no inline style, no frames, no form posts.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// link is an anchor on the page.
type link struct{ Text, URL string }

// pageData is what web/page.html shows.
type pageData struct {
	Title, Lead, Permission string
	Request, JSONURL        string
	Home, CSS, Origin       string
	JSON                    string
	Pager, Links, Exposable []link
	Fields                  []FieldDoc
	Endpoints               []Endpoint
}

func serveCSS(w http.ResponseWriter, r *http.Request) {
	b, _ := web.ReadFile("web/browse.css")
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(b)
}

// page answers body as the browsable HTML page of collection c.
func (h *Handler) page(w http.ResponseWriter, r *http.Request, c Collection, res store.RestResource, body any) {
	origin := h.origin(r)
	d := pageData{Title: c.Name, Lead: c.Title, Permission: string(c.Permission)}
	if _, ok := body.(map[string]any); ok {
		d.Title = singular(c.Name) + " " + strings.TrimPrefix(r.URL.Path, Prefix+c.Name+"/")
		if c.Name == "animals" {
			d.Title = "animal " + strings.TrimPrefix(r.URL.Path, Prefix)
		}
		d.Title = strings.TrimSuffix(d.Title, "/")
	}
	if lb, ok := body.(listBody); ok {
		if lb.Previous != nil {
			d.Pager = append(d.Pager, link{"← previous", *lb.Previous})
		}
		if lb.Next != nil {
			d.Pager = append(d.Pager, link{"next →", *lb.Next})
		}
	}
	for _, e := range Endpoints() {
		if e.Collection == c.Name {
			d.Fields = e.Fields
		}
	}
	for _, rel := range res.Relations {
		d.Exposable = append(d.Exposable, link{rel.Name, withParam(origin, r, "expose_"+rel.Name, "true")})
	}
	d.Links = linksIn(body, origin+Prefix)
	h.render(w, r, d, body)
}

// indexPage answers the index as HTML.
func (h *Handler) indexPage(w http.ResponseWriter, r *http.Request, body indexBody) {
	d := pageData{Title: "vetlink integration API 0.1", Lead: filterHelp, Endpoints: body.Endpoints}
	d.Links = []link{{"OpenAPI document", body.OpenAPI}}
	h.render(w, r, d, body)
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, d pageData, body any) {
	origin := h.origin(r)
	d.Origin, d.Home, d.CSS = origin, origin+Prefix, origin+Prefix+"browse.css"
	d.Request = r.URL.RequestURI()
	d.JSONURL = withParam(origin, r, "format", "json")
	var js bytes.Buffer
	enc := json.NewEncoder(&js)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(body)
	d.JSON = js.String()
	var out bytes.Buffer
	if err := pageTemplate.Execute(&out, d); err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", contentSecurityPolicy)
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("X-Frame-Options", "DENY")
	_, _ = w.Write(out.Bytes())
}

// withParam is the request's URL with one parameter set.
func withParam(origin string, r *http.Request, name, value string) string {
	q := r.URL.Query()
	q.Set(name, value)
	return origin + r.URL.EscapedPath() + "?" + q.Encode()
}

// linksIn collects the API URLs in body, named by the member holding them
// (in a list, prefixed by the result's index), sorted by name.
func linksIn(body any, prefix string) []link {
	var raw any
	b, _ := json.Marshal(body)
	_ = json.Unmarshal(b, &raw)
	var out []link
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				walk(strings.TrimPrefix(path+"."+k, "."), x)
			}
		case []any:
			for i, x := range v {
				walk(path+"["+strconv.Itoa(i)+"]", x)
			}
		case string:
			if strings.HasPrefix(v, prefix) {
				if _, err := url.Parse(v); err == nil {
					out = append(out, link{path, v})
				}
			}
		}
	}
	walk("", raw)
	sort.Slice(out, func(i, j int) bool { return out[i].Text < out[j].Text })
	const most = 200
	if len(out) > most {
		out = out[:most]
	}
	return out
}

// singular names one object of a collection: "cases" → "case",
// "webhook_deliveries" → "webhook_delivery".
func singular(name string) string {
	if base, ok := strings.CutSuffix(name, "ies"); ok {
		return base + "y"
	}
	return strings.TrimSuffix(name, "s")
}
