package openapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/vetlink/vetlink/rx"
)

// Authenticator checks the credentials a request carries. *auth.Service
// implements it.
type Authenticator interface {
	// CheckAPIKey reports whether key (the X-APIKEY header) names an
	// active API key.
	CheckAPIKey(ctx context.Context, key string) error
	// Authenticate returns the user whose token (the X-Auth-Token header)
	// it is, after checking the API key too.
	Authenticate(ctx context.Context, apiKey, token string) (rx.UserID, error)
}

// The header names of the document's two security schemes.
const (
	APIKeyHeader    = "X-APIKEY"
	AuthTokenHeader = "X-Auth-Token"
)

// authUserKey carries the authenticated user's ID in a request's context.
type authUserKey struct{}

// authTokenKey carries the request's X-Auth-Token, for renewing it.
type authTokenKey struct{}

// UserFromContext returns the user a request was authenticated as.
func UserFromContext(ctx context.Context) (rx.UserID, bool) {
	id, ok := ctx.Value(authUserKey{}).(rx.UserID)
	return id, ok
}

// gate is the step between the outside and the generated handler: it finds
// the operation in the document, bounds the body, authenticates as the
// operation's security requires, and validates the request against the
// document before any handler runs.
type gate struct {
	router   routers.Router
	auth     Authenticator
	validate bool
	maxBody  int64
	next     http.Handler
}

// newGate builds the gate over doc. Validation may be switched off (for
// the benchmark that measures its cost); authentication may not.
func newGate(doc *openapi3.T, a Authenticator, validate bool, maxBody int64, next http.Handler) (*gate, error) {
	router, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("openapi: routing the document: %w", err)
	}
	return &gate{router: router, auth: a, validate: validate, maxBody: maxBody, next: next}, nil
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	route, params, err := g.router.FindRoute(r)
	if err != nil {
		var re *routers.RouteError
		if errors.As(err, &re) && errors.Is(err, routers.ErrMethodNotAllowed) {
			WriteProblem(w, r, newProblem(http.StatusMethodNotAllowed, "method_not_allowed",
				fmt.Sprintf("%s is not an operation of %s", r.Method, r.URL.Path)))
			return
		}
		WriteProblem(w, r, newProblem(http.StatusNotFound, "not_found",
			fmt.Sprintf("no operation of this API has the path %s", r.URL.Path)))
		return
	}
	if r.Body != nil && g.maxBody > 0 {
		r.Body = http.MaxBytesReader(w, r.Body, g.maxBody)
	}

	ctx := r.Context()
	noteRoute(ctx, route.Path)
	reqs := route.Operation.Security
	if reqs == nil {
		reqs = &route.Spec.Security
	}
	if needs(*reqs, "authToken") {
		id, err := g.auth.Authenticate(ctx, r.Header.Get(APIKeyHeader), r.Header.Get(AuthTokenHeader))
		if err != nil {
			WriteProblem(w, r, ProblemFor(err))
			return
		}
		noteUser(ctx, int64(id))
		ctx = context.WithValue(ctx, authUserKey{}, id)
		ctx = context.WithValue(ctx, authTokenKey{}, r.Header.Get(AuthTokenHeader))
		r = r.WithContext(ctx)
	} else if needs(*reqs, "apiKey") {
		if err := g.auth.CheckAPIKey(ctx, r.Header.Get(APIKeyHeader)); err != nil {
			WriteProblem(w, r, ProblemFor(err))
			return
		}
	}

	if g.validate {
		in := &openapi3filter.RequestValidationInput{
			Request:    r,
			PathParams: params,
			Route:      route,
			Options: &openapi3filter.Options{
				AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
				// The handler gets the bytes the client sent: kin-openapi re-encodes
				// a body it set defaults in (keys sorted, numbers through float64),
				// and a protocol's numbers and members must arrive as written.
				// Absent members are the domain's zero values, which the defaults
				// of the document describe.
				SkipSettingDefaults: true,
				MultiError:          true,
			},
		}
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				WriteProblem(w, r, newProblem(http.StatusRequestEntityTooLarge, "too_large",
					fmt.Sprintf("the request body exceeds %d bytes", mbe.Limit)))
				return
			}
			WriteProblem(w, r, newProblem(http.StatusBadRequest, "bad_request", validationText(err)))
			return
		}
	}
	g.next.ServeHTTP(w, r)
}

// needs reports whether every alternative of reqs names scheme, i.e.
// whether the operation can only be called with it. An operation with
// no requirement (security: []) or with an empty alternative needs none.
func needs(reqs openapi3.SecurityRequirements, scheme string) bool {
	if len(reqs) == 0 {
		return false
	}
	for _, alt := range reqs {
		if _, ok := alt[scheme]; !ok {
			return false
		}
	}
	return true
}

// validationText turns kin-openapi's validation error into one line per
// problem, each naming the parameter or body member at fault, capped so a
// hostile body cannot make the answer large.
func validationText(err error) string {
	var lines []string
	var me openapi3.MultiError
	if errors.As(err, &me) {
		for _, e := range me {
			lines = append(lines, oneValidation(e))
		}
	} else {
		lines = append(lines, oneValidation(err))
	}
	s := strings.Join(lines, "; ")
	if len(s) > 2000 {
		s = s[:2000] + "…"
	}
	return s
}

func oneValidation(err error) string {
	var re *openapi3filter.RequestError
	if errors.As(err, &re) {
		var se *openapi3.SchemaError
		where := "request"
		switch {
		case re.Parameter != nil:
			where = fmt.Sprintf("%s parameter %q", re.Parameter.In, re.Parameter.Name)
		case re.RequestBody != nil:
			where = "body"
		}
		if errors.As(re.Err, &se) {
			path := strings.Join(se.JSONPointer(), ".")
			if path != "" {
				where += " member " + path
			}
			return where + ": " + se.Reason
		}
		if re.Err != nil {
			return where + ": " + firstLine(re.Err.Error())
		}
		return where + ": " + re.Reason
	}
	var se *openapi3filter.SecurityRequirementsError
	if errors.As(err, &se) {
		return "missing credentials"
	}
	return firstLine(err.Error())
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
