package restapi

import (
	"encoding/json"
	"net/http"

	"github.com/vetlink/vetlink/oauth"
	"github.com/vetlink/vetlink/store"
)

// Endpoint describes one collection for the index at GET /api/0.1/ and for
// the OpenAPI document: its paths, the permission it needs, what its lists
// filter on and which fields may be exposed inline.
type Endpoint struct {
	Collection string           `json:"collection"`
	Title      string           `json:"title"`
	List       string           `json:"list"`
	Object     string           `json:"object"`
	Permission oauth.Permission `json:"permission"`
	Fields     []FieldDoc       `json:"fields"`
	Exposable  []ExposeDoc      `json:"exposable"`
	Related    []string         `json:"related,omitempty"`
}

// FieldDoc is one field of a collection's objects: its type, and the
// filter methods its lists accept on it (none when it is not filterable).
type FieldDoc struct {
	Name    string   `json:"name"`
	Type    string   `json:"type"`
	Methods []string `json:"methods,omitempty"`
	// Link names the collection the field links to by URL.
	Link string `json:"link,omitempty"`
}

// ExposeDoc is a field expose_<field>=true inlines: the related object of
// Collection, which the token must also have Permission to read.
type ExposeDoc struct {
	Field      string           `json:"field"`
	Collection string           `json:"collection"`
	Permission oauth.Permission `json:"permission"`
}

// Endpoints describes every collection of the API, in index order.
func Endpoints() []Endpoint {
	var out []Endpoint
	for _, c := range Collections() {
		_, res, _ := collection(c.Name)
		e := Endpoint{Collection: c.Name, Title: c.Title, List: Prefix + c.Name + "/", Object: Prefix + c.Name + "/{id}/", Permission: c.Permission}
		if c.Name == "animals" {
			e.Object = Prefix + "farms/{farm}/animals/{animal_id}/"
		}
		for _, f := range res.Fields {
			d := FieldDoc{Name: f.Name, Type: f.Type.String()}
			if f.Filterable() {
				d.Methods = f.Type.Methods()
			}
			if rel, ok := res.Relation(f.Name); ok {
				d.Link = rel.Resource
			}
			e.Fields = append(e.Fields, d)
		}
		for _, rel := range res.Relations {
			target, _, _ := collection(rel.Resource)
			e.Exposable = append(e.Exposable, ExposeDoc{Field: rel.Name, Collection: rel.Resource, Permission: target.Permission})
		}
		for _, rl := range c.Related {
			e.Related = append(e.Related, rl.Member)
		}
		out = append(out, e)
	}
	return out
}

// indexBody is the document of GET /api/0.1/.
type indexBody struct {
	OpenAPI   string        `json:"openapi"`
	Filters   string        `json:"filters"`
	Endpoints []Endpoint    `json:"endpoints"`
	Events    []EventLink   `json:"events"`
	Methods   []string      `json:"filterMethods"`
	Types     []typeMethods `json:"fieldTypes"`
}

type typeMethods struct {
	Type    string   `json:"type"`
	Methods []string `json:"methods"`
}

// filterHelp is the filter syntax in one paragraph, for the index.
const filterHelp = "A list's query takes field__method=value and related.field__method=value (a bare field means eq), " +
	"limit (1-500, default 25) and offset, and expose_<field>=true to inline a linked object. " +
	"Times are written YYYY-MM-DD hh:mm+hh:mm (escape + as %2B); in, not_in, range and not_in_range take comma-separated values. " +
	"An unknown field or method, or a value of the wrong type, is a 400 problem naming the parameter."

func (h *Handler) index(w http.ResponseWriter, r *http.Request) {
	body := indexBody{OpenAPI: h.origin(r) + Prefix + "openapi.yaml", Filters: filterHelp, Endpoints: Endpoints(), Events: EventLinks(), Methods: store.FilterMethodNames()}
	for _, t := range []store.FieldType{store.FieldText, store.FieldInt, store.FieldTime, store.FieldBool} {
		body.Types = append(body.Types, typeMethods{Type: t.String(), Methods: t.Methods()})
	}
	if wantsHTML(r) && r.URL.Query().Get("format") != "json" {
		h.indexPage(w, r, body)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(body)
}
