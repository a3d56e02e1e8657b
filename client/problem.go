package client

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"github.com/vetlink/vetlink/auth"
	"github.com/vetlink/vetlink/rx"
)

// Problem is a failure the server answered: an RFC 9457 problem document
// (application/problem+json) with vetlink's errorType, or, for an answer
// that is not one (a proxy's 502 page), the status with the start of the
// body as Detail.
//
// A Problem matches, with errors.Is, the sentinels of the domain packages
// that the server maps to its errorType (see Is), so a client handles a
// remote failure as it would a local one:
//
//	if errors.Is(err, rx.ErrNotFound) { … }
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
	// ErrorType is the class of failure in one word: bad_request,
	// unauthorized, forbidden, not_found, conflict, expired, invalid,
	// prohibited, throttled, too_large, not_implemented or internal.
	ErrorType string `json:"errorType,omitempty"`
	// Errors lists every field a validation rejected.
	Errors []FieldProblem `json:"errors,omitempty"`
	// RetryAfter, in seconds, is set for throttled logins.
	RetryAfter int `json:"retryAfter,omitempty"`
	// RequestID is the X-Request-Id of the answer, to quote to the
	// server's operator.
	RequestID string `json:"-"`
}

// FieldProblem is one input a validation rejected: a JSON path such as
// treatments[0].wtMeatHrs, the value and the rule.
type FieldProblem struct {
	Field string `json:"field"`
	Value string `json:"value,omitempty"`
	Rule  string `json:"rule"`
}

// Error implements error: "vetlink: 404 not_found: <detail>".
func (p *Problem) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "vetlink: %d", p.Status)
	if p.ErrorType != "" {
		b.WriteString(" " + p.ErrorType)
	} else if p.Title != "" {
		b.WriteString(" " + p.Title)
	}
	if p.Detail != "" {
		b.WriteString(": " + p.Detail)
	}
	return b.String()
}

// Is reports whether the problem is the remote form of target, by its
// errorType (the status when there is none):
//
//   - not_found (404): rx.ErrNotFound, auth.ErrNotFound
//   - forbidden (403): rx.ErrForbidden
//   - conflict (409): rx.ErrConflict, auth.ErrConflict (the server also
//     answers an expired, used-up, recalled or declined prescription so;
//     the problem cannot tell which)
//   - invalid (422): rx.ErrInvalid
//   - prohibited (422): rx.ErrProhibited
//   - throttled (429): auth.ErrThrottled
//   - unauthorized (401): auth.ErrBadAPIKey, auth.ErrTokenExpired or
//     auth.ErrBadToken when the detail names the X-APIKEY header, an
//     expired token or the X-Auth-Token header; auth.ErrBadCredentials
//     otherwise (a wrong identifier or password).
func (p *Problem) Is(target error) bool {
	kind := p.ErrorType
	if kind == "" {
		kind = statusKinds[p.Status]
	}
	switch kind {
	case "not_found":
		return target == rx.ErrNotFound || target == auth.ErrNotFound
	case "forbidden":
		return target == rx.ErrForbidden
	case "conflict":
		return target == rx.ErrConflict || target == auth.ErrConflict
	case "invalid":
		return target == rx.ErrInvalid
	case "prohibited":
		return target == rx.ErrProhibited
	case "throttled":
		return target == auth.ErrThrottled
	case "unauthorized":
		switch {
		case strings.Contains(p.Detail, "X-APIKEY"):
			return target == auth.ErrBadAPIKey
		case strings.Contains(p.Detail, "expired"):
			return target == auth.ErrTokenExpired
		case strings.Contains(p.Detail, "X-Auth-Token"):
			return target == auth.ErrBadToken
		}
		return target == auth.ErrBadCredentials
	}
	return false
}

// statusKinds is the errorType a status stands for when a problem has
// none.
var statusKinds = map[int]string{
	http.StatusUnauthorized:    "unauthorized",
	http.StatusForbidden:       "forbidden",
	http.StatusNotFound:        "not_found",
	http.StatusConflict:        "conflict",
	http.StatusTooManyRequests: "throttled",
}

// ProblemOf returns the problem a generated response (any of the
// *…Response types, such as *GetProtocolResponse) carries, or nil when
// its status is 2xx or 3xx. It decodes the body as a problem document; a
// body that is not one gives a Problem with the status, its text as
// Title and the start of the body as Detail.
func ProblemOf(resp any) *Problem {
	body, hr := responseParts(resp)
	if hr == nil || hr.StatusCode < 400 {
		return nil
	}
	return problemFrom(hr, body)
}

// Check returns resp and, when the server answered a failure, its
// *Problem as the error, so a call and its check are one line:
//
//	r, err := client.Check(api.GetProtocolWithResponse(ctx, 42))
//
// An error of the call itself is returned unchanged.
func Check[R any](resp R, err error) (R, error) {
	if err != nil {
		return resp, err
	}
	if p := ProblemOf(resp); p != nil {
		return resp, p
	}
	return resp, nil
}

func problemFrom(hr *http.Response, body []byte) *Problem {
	p := &Problem{}
	mt, _, _ := mime.ParseMediaType(hr.Header.Get("Content-Type"))
	if mt == "application/problem+json" || mt == "application/json" {
		if err := json.Unmarshal(body, p); err != nil {
			p = &Problem{}
		}
	}
	if p.Status == 0 {
		p.Status = hr.StatusCode
	}
	if p.Title == "" {
		p.Title = http.StatusText(hr.StatusCode)
	}
	if p.Detail == "" && p.ErrorType == "" {
		const most = 200
		d := strings.TrimSpace(string(body))
		if len(d) > most {
			d = d[:most] + "…"
		}
		p.Detail = d
	}
	p.RequestID = hr.Header.Get("X-Request-Id")
	return p
}

// responseParts finds the Body and HTTPResponse fields of a generated
// response.
func responseParts(resp any) ([]byte, *http.Response) {
	v := reflect.ValueOf(resp)
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil, nil
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil, nil
	}
	var body []byte
	var hr *http.Response
	if f := v.FieldByName("Body"); f.IsValid() && f.Type() == reflect.TypeFor[[]byte]() {
		body = f.Bytes()
	}
	if f := v.FieldByName("HTTPResponse"); f.IsValid() && f.Type() == reflect.TypeFor[*http.Response]() {
		hr, _ = f.Interface().(*http.Response)
	}
	return body, hr
}

// compile-time check that Problem is an error.
var _ error = (*Problem)(nil)
