package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// IntegrationPrefix is where the integration API (package restapi) lives
// under a server's base URL.
const IntegrationPrefix = "/api/0.1/"

// collectionName is a collection of the integration API ("cases",
// "webhook_subscriptions").
var collectionName = regexp.MustCompile(`^[a-z][a-z_]*$`)

// ListOptions page a list of the integration API.
type ListOptions struct {
	// PageSize is how many objects each request asks for (limit, 1 to
	// 500); 0 means the server's default, 25.
	PageSize int
	// Expose names linked fields to receive as objects rather than URLs
	// (expose_<field>=true; the token needs the permission of their
	// collection too).
	Expose []string
}

// page is a list of the integration API.
type page[T any] struct {
	Count   int     `json:"count"`
	Next    *string `json:"next"`
	Results []T     `json:"results"`
}

// List returns the objects of a collection of the integration API
// (GET /api/0.1/<collection>/) that match every condition, as an
// iterator that asks for the next page when the last is used up. T is
// what an object decodes into: a struct of the fields wanted,
// map[string]any, or json.RawMessage.
//
// The API needs a bearer token (WithClientCredentials or
// WithTokenSource) with the collection's permission. A bad collection
// name, a Condition carrying an error or bad options end the iteration
// with that error before any request; a refusal of the server with a
// *Problem (400 naming the filter parameter, 403 naming the permission).
// Pages follow "next" by its query only, on the API's own base URL, so
// the token never goes to a host the server's answer names.
func List[T any](ctx context.Context, api *API, collection string, opts *ListOptions, conds ...Condition) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		q, err := listQuery(collection, opts, conds)
		if err != nil {
			yield(zero, err)
			return
		}
		base := strings.TrimRight(api.base, "/") + IntegrationPrefix + collection + "/"
		for {
			p, err := getPage[T](ctx, api, base, q)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, o := range p.Results {
				if !yield(o, nil) {
					return
				}
			}
			if p.Next == nil || *p.Next == "" || len(p.Results) == 0 {
				return
			}
			next, err := url.Parse(*p.Next)
			if err != nil {
				yield(zero, fmt.Errorf("client: list %s: next page %q: %w", collection, *p.Next, err))
				return
			}
			q = next.RawQuery
		}
	}
}

func listQuery(collection string, opts *ListOptions, conds []Condition) (string, error) {
	if !collectionName.MatchString(collection) {
		return "", fmt.Errorf("client: collection %q: must be lowercase letters and underscores (cases, webhook_subscriptions)", collection)
	}
	q, err := Query(conds...)
	if err != nil {
		return "", err
	}
	var extra []string
	if opts != nil {
		if opts.PageSize < 0 || opts.PageSize > 500 {
			return "", fmt.Errorf("client: list %s: page size %d: must be between 1 and 500, or 0 for the server's default", collection, opts.PageSize)
		}
		if opts.PageSize > 0 {
			extra = append(extra, "limit="+strconv.Itoa(opts.PageSize))
		}
		for _, f := range opts.Expose {
			if !fieldName.MatchString(f) || strings.Contains(f, ".") {
				return "", fmt.Errorf("client: list %s: expose %q: must be a field name", collection, f)
			}
			extra = append(extra, "expose_"+f+"=true")
		}
	}
	if q != "" {
		extra = append(extra, q)
	}
	return strings.Join(extra, "&"), nil
}

func getPage[T any](ctx context.Context, api *API, base, query string) (page[T], error) {
	var p page[T]
	u := base
	if query != "" {
		u += "?" + query
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return p, fmt.Errorf("client: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := api.http.Do(req)
	if err != nil {
		return p, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return p, fmt.Errorf("client: GET %s: %w", req.URL.Path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return p, problemFrom(resp, body)
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return p, fmt.Errorf("client: GET %s: the page does not decode: %w", req.URL.Path, err)
	}
	return p, nil
}
