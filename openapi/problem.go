package openapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/vetlink/vetlink/auth"
	"github.com/vetlink/vetlink/protocol"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/site"
	"github.com/vetlink/vetlink/webhook"
)

// ProblemContentType is the media type of every error this API answers
// (RFC 9457).
const ProblemContentType = "application/problem+json"

// problemBase is the URI prefix of the problem types this API defines; the
// suffix is the errorType, so clients may switch on either.
const problemBase = "https://vetlink.dev/problems/"

// Problem is an RFC 9457 problem detail with the members the VCPR API
// uses: errorType names the class of failure in one word, detail says
// what was wrong with this request in words a client developer can act
// on. No internal error text, stack or SQL is ever put in a Problem built
// by this package: an error it does not recognise becomes a 500 whose
// detail is only the request ID to quote.
type Problem struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Detail    string `json:"detail,omitempty"`
	Instance  string `json:"instance,omitempty"`
	ErrorType string `json:"errorType"`
	// Errors lists every field a validation rejected, when there were
	// several (protocol.Problems): field, value and rule.
	Errors []FieldProblem `json:"errors,omitempty"`
	// RetryAfter, in seconds, is set for throttled logins; it is also
	// sent as the Retry-After header.
	RetryAfter int `json:"retryAfter,omitempty"`
}

// FieldProblem is one rejected input of a Problem.
type FieldProblem struct {
	Field string `json:"field"`
	Value string `json:"value,omitempty"`
	Rule  string `json:"rule"`
}

// newProblem builds a Problem of status with its standard title.
func newProblem(status int, errorType, detail string) Problem {
	return Problem{
		Type:      problemBase + errorType,
		Title:     http.StatusText(status),
		Status:    status,
		Detail:    detail,
		ErrorType: errorType,
	}
}

// ProblemFor maps an error of the domain packages to the Problem a client
// sees. The rules, first match wins:
//
//   - rx.ErrProhibited → 422 "prohibited", naming the drug and the CFR
//     citation (the rx error's text says both);
//   - protocol.Problems / *protocol.FieldError → 422 "invalid", listing
//     every field;
//   - rx.ErrInvalid → 422 "invalid";
//   - auth failures → 401 (bad API key, credentials or token) or 429
//     (throttled, locked) with Retry-After;
//   - site.ErrExpired (a used-too-late token) → 410 "expired";
//   - rx.ErrNotFound → 404, rx.ErrForbidden → 403;
//   - rx.ErrConflict, ErrExpired, ErrUsedUp, ErrRecalled, ErrDeclined,
//     ErrNotActive → 409 "conflict" (the state of the resource forbids it);
//   - anything else → 500 "internal" with no detail of the cause.
//
// The detail of a recognised error is the domain error's own message,
// which names the input and the rule and never holds SQL or secrets.
func ProblemFor(err error) Problem {
	var (
		fields protocol.Problems
		field  *protocol.FieldError
		lock   *auth.LockError
	)
	switch {
	case err == nil:
		return newProblem(http.StatusInternalServerError, "internal", "")
	case errors.Is(err, errNotImplemented):
		return newProblem(http.StatusNotImplemented, "not_implemented", "this server does not carry out this operation")
	case errors.Is(err, rx.ErrProhibited):
		return newProblem(http.StatusUnprocessableEntity, "prohibited", publicText(err))
	case errors.As(err, &fields):
		p := newProblem(http.StatusUnprocessableEntity, "invalid", publicText(err))
		for _, f := range fields {
			p.Errors = append(p.Errors, FieldProblem{Field: f.Field, Value: f.Value, Rule: f.Rule})
		}
		return p
	case errors.As(err, &field):
		p := newProblem(http.StatusUnprocessableEntity, "invalid", publicText(err))
		p.Errors = []FieldProblem{{Field: field.Field, Value: field.Value, Rule: field.Rule}}
		return p
	case errors.Is(err, rx.ErrInvalid), errors.Is(err, auth.ErrWeakPassword):
		return newProblem(http.StatusUnprocessableEntity, "invalid", publicText(err))
	case errors.As(err, &lock):
		p := newProblem(http.StatusTooManyRequests, "throttled", "too many failed logins for this identifier; try again later")
		p.RetryAfter = max(1, int(lock.RetryAfter.Seconds()+0.999))
		return p
	case errors.Is(err, auth.ErrBadAPIKey):
		return newProblem(http.StatusUnauthorized, "unauthorized", "the X-APIKEY header is missing or names no active API key")
	case errors.Is(err, auth.ErrBadCredentials):
		return newProblem(http.StatusUnauthorized, "unauthorized", "identifier or password is wrong")
	case errors.Is(err, auth.ErrTokenExpired):
		return newProblem(http.StatusUnauthorized, "unauthorized", "the X-Auth-Token has expired; log in again")
	case errors.Is(err, auth.ErrBadToken):
		return newProblem(http.StatusUnauthorized, "unauthorized", "the X-Auth-Token header is missing, malformed or revoked")
	case errors.Is(err, site.ErrExpired):
		return newProblem(http.StatusGone, "expired", publicText(err))
	case errors.Is(err, rx.ErrNotFound), errors.Is(err, auth.ErrNotFound), errors.Is(err, webhook.ErrNotFound):
		return newProblem(http.StatusNotFound, "not_found", publicText(err))
	case errors.Is(err, rx.ErrForbidden):
		return newProblem(http.StatusForbidden, "forbidden", publicText(err))
	case errors.Is(err, rx.ErrConflict), errors.Is(err, auth.ErrConflict), errors.Is(err, webhook.ErrConflict),
		errors.Is(err, rx.ErrExpired), errors.Is(err, rx.ErrUsedUp),
		errors.Is(err, rx.ErrRecalled), errors.Is(err, rx.ErrDeclined), errors.Is(err, rx.ErrNotActive):
		return newProblem(http.StatusConflict, "conflict", publicText(err))
	}
	return newProblem(http.StatusInternalServerError, "internal", "the server could not complete the request; quote the request ID to its operator")
}

// publicText is the message of a recognised domain error. Domain errors
// name inputs and rules only; store errors that wrap a sentinel carry the
// store's prefix, which says nothing a client can use, so it is cut.
func publicText(err error) string {
	s := err.Error()
	if i := strings.Index(s, "store: "); i == 0 {
		s = s[len("store: "):]
	}
	return s
}

// WriteProblem writes p as application/problem+json, with Instance set to
// the request's path and a Retry-After header when p has one.
func WriteProblem(w http.ResponseWriter, r *http.Request, p Problem) {
	if p.Instance == "" && r != nil {
		p.Instance = r.URL.Path
		if id := RequestID(r.Context()); id != "" {
			p.Instance += "#" + id
		}
	}
	h := w.Header()
	h.Set("Content-Type", ProblemContentType)
	h.Set("Cache-Control", "no-store")
	if p.RetryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(p.RetryAfter))
	}
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// errNotImplemented answers an operation of the document that this server
// does not carry out yet, as a 501 problem rather than a bare 404.
var errNotImplemented = errors.New("openapi: operation not implemented by this server")
