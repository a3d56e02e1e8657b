package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/vetlink/vetlink/rx"
)

// Permission names one thing a caller of the integration API may do, such
// as reading cases. Each endpoint of /api/0.1/ names the one permission it
// needs; an integration's virtual user is granted permissions through its
// permission group, and a token carries them as scopes of the same name.
type Permission string

// The permissions of the integration API. A scope of the same name asks
// for the permission; an integration may be granted only the scopes the
// administrator listed for it in the catalogue. The API only reads in this
// version, so every permission is a read: a write permission no endpoint
// honoured would be granted and do nothing.
const (
	ReadOrganisations Permission = "organisations.read"
	ReadUsers         Permission = "users.read"
	ReadFarms         Permission = "farms.read"
	ReadAnimals       Permission = "animals.read"
	ReadProtocols     Permission = "protocols.read"
	ReadPrescriptions Permission = "prescriptions.read"
	ReadCases         Permission = "cases.read"
	ReadTasks         Permission = "tasks.read"
	ReadWithholds     Permission = "withholds.read"
	ReadWebhooks      Permission = "webhooks.read"
	ReadIntegrations  Permission = "integrations.read"
	// ReadLabResults reads the messages lab instruments sent over HL7.
	ReadLabResults Permission = "lab_results.read"
	// ReadNAHLNReports reads the NAHLN report queue and its outcomes.
	ReadNAHLNReports Permission = "nahln_reports.read"
	// ReadAudit reads the audit log of administrators' changes.
	ReadAudit Permission = "audit.read"
)

// Permissions lists every permission, in a fixed order (for documents and
// for the admin API's validation).
func Permissions() []Permission {
	return []Permission{
		ReadOrganisations, ReadUsers, ReadFarms, ReadAnimals, ReadProtocols,
		ReadPrescriptions, ReadCases, ReadTasks, ReadWithholds,
		ReadLabResults, ReadNAHLNReports, ReadWebhooks,
		ReadIntegrations, ReadAudit,
	}
}

// Valid reports whether p is one of [Permissions].
func (p Permission) Valid() bool { return slices.Contains(Permissions(), p) }

// Errors of token verification and authorization. Test them with
// errors.Is; the wrapping text names the rule that failed, never the token.
var (
	// ErrUnauthenticated reports a request without a bearer token, or with
	// one that is unknown, malformed, expired or revoked (RFC 6750 §3.1
	// invalid_token): answer 401.
	ErrUnauthenticated = errors.New("oauth: invalid or missing bearer token")
	// ErrForbidden reports a principal that lacks a permission: answer 403.
	// The error is a [*DeniedError] naming the permission.
	ErrForbidden = errors.New("oauth: permission denied")
)

// DeniedError is the error of [Principal.Require] for a permission the
// principal does not hold. It matches [ErrForbidden].
type DeniedError struct {
	// Permission is the missing permission.
	Permission Permission
}

func (e *DeniedError) Error() string {
	return fmt.Sprintf("oauth: permission %q is required and not granted to this token", e.Permission)
}

// Is makes errors.Is(err, ErrForbidden) true.
func (e *DeniedError) Is(target error) bool { return target == ErrForbidden }

// Principal is who calls the integration API with a bearer token: an
// integration acting on its own (client_credentials), as the virtual user
// "Integration <name>" an organisation created when it added the
// integration, or a vetlink user through an app they authorised
// (authorization_code).
type Principal struct {
	// TokenID identifies the access token (for logs and revocation).
	TokenID string `json:"tokenId"`
	// ClientID is the OAuth client the token was issued to.
	ClientID string `json:"clientId"`
	// Subject is the token's sub: "user-<id>" for a vetlink user,
	// "integration-user-<id>" for an integration's virtual user, the
	// client ID for a client not registered through the catalogue.
	Subject string `json:"sub"`
	// User is the vetlink user acting, for an authorization_code token;
	// zero for a token of an integration's virtual user.
	User rx.UserID `json:"user,omitempty"`
	// VirtualUser is the integration's virtual user acting, for a
	// client_credentials token; zero otherwise.
	VirtualUser int64 `json:"virtualUser,omitempty"`
	// Organisation is the organisation that added the integration, whose
	// data the token may reach; empty for a client not registered through
	// the catalogue.
	Organisation string `json:"organisation,omitempty"`
	// Scopes are the token's granted scopes.
	Scopes []string `json:"scopes"`
	// Permissions are what the token may do: its scopes that name a
	// permission, less any the virtual user's group no longer grants.
	// Sorted, without duplicates.
	Permissions []Permission `json:"permissions"`
	// Expires is when the token stops being accepted.
	Expires time.Time `json:"expires"`
}

// Has reports whether p holds perm.
func (p Principal) Has(perm Permission) bool {
	return slices.Contains(p.Permissions, perm)
}

// Require returns nil when p holds perm and a [*DeniedError] naming perm
// otherwise.
func (p Principal) Require(perm Permission) error {
	if p.Has(perm) {
		return nil
	}
	return &DeniedError{Permission: perm}
}

// Verifier turns a bearer token into the [Principal] it stands for. *Server
// implements it: the token must be one it issued, unexpired and not
// revoked, and its client and registration still active. Errors match
// [ErrUnauthenticated]; any other error is the server's own failure (a
// database error) and deserves a 500.
type Verifier interface {
	Verify(ctx context.Context, token string) (Principal, error)
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p, as [Middleware] does.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFromContext returns the principal [Middleware] authenticated.
func PrincipalFromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// BearerToken returns the token of an "Authorization: Bearer <token>"
// header (RFC 6750 §2.1; the scheme is case-insensitive), or "" when the
// request has none.
func BearerToken(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// Middleware authenticates every request by its bearer token with v and
// passes it on with the [Principal] in its context. A request without a
// valid token gets a 401 problem with "WWW-Authenticate: Bearer
// error=\"invalid_token\"" (RFC 6750 §3); a failure of v itself a 500.
func Middleware(v Verifier, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := BearerToken(r)
		if tok == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="vetlink"`)
			WriteProblem(w, r, http.StatusUnauthorized, "unauthorized", "an Authorization: Bearer header with an access token is required")
			return
		}
		p, err := v.Verify(r.Context(), tok)
		switch {
		case errors.Is(err, ErrUnauthenticated):
			w.Header().Set("WWW-Authenticate", `Bearer realm="vetlink", error="invalid_token"`)
			WriteProblem(w, r, http.StatusUnauthorized, "unauthorized", "the access token is unknown, expired or revoked")
			return
		case err != nil:
			WriteProblem(w, r, http.StatusInternalServerError, "internal", "the token could not be checked")
			return
		}
		next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
	})
}

// Require wraps next so that it runs only for a principal holding perm;
// others get a 403 problem naming the missing permission, with
// "WWW-Authenticate: Bearer error=\"insufficient_scope\", scope=\"<perm>\""
// (RFC 6750 §3.1). It must run inside [Middleware].
func Require(perm Permission, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := PrincipalFromContext(r.Context())
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="vetlink"`)
			WriteProblem(w, r, http.StatusUnauthorized, "unauthorized", "an Authorization: Bearer header with an access token is required")
			return
		}
		if err := p.Require(perm); err != nil {
			w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="vetlink", error="insufficient_scope", scope=%q`, perm))
			WriteDenied(w, r, perm)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// WriteDenied answers 403 with a problem naming the missing permission.
func WriteDenied(w http.ResponseWriter, r *http.Request, perm Permission) {
	WriteProblem(w, r, http.StatusForbidden, "forbidden", fmt.Sprintf("this token lacks the permission %q", perm))
}

// Problem is the RFC 9457 problem document this package answers with, in
// the shape of the rest of vetlink's API (errorType beside type).
type Problem struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Detail    string `json:"detail,omitempty"`
	Instance  string `json:"instance,omitempty"`
	ErrorType string `json:"errorType"`
}

// WriteProblem writes an RFC 9457 problem of status with errorType and
// detail, for the request r.
func WriteProblem(w http.ResponseWriter, r *http.Request, status int, errorType, detail string) {
	p := Problem{
		Type:      "https://vetlink.dev/problems/" + errorType,
		Title:     http.StatusText(status),
		Status:    status,
		Detail:    detail,
		ErrorType: errorType,
	}
	if r != nil {
		p.Instance = r.URL.Path
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p)
}
