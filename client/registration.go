package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/vetlink/vetlink/webhook"
)

// RegistrationEvent is the webhook-event header of a registration posted
// to a hookup URL.
const RegistrationEvent = "integration.registered"

// Registration is what a vetlink server tells an integration when an
// organisation adds it (package oauth's RegistrationDocument, the members
// the practice-management cloud's integrations already parse): the
// organisation, the client credentials made for it and the endpoints to
// use them at.
type Registration struct {
	// ProvetID is the organisation's ID; the server writes it as a JSON
	// number when it is all digits, else as a string.
	ProvetID OrganisationID `json:"provet_id"`
	ClientID string         `json:"client_id"`
	// ClientSecret is nil for a public client. It is sent once, here:
	// keep it as a secret.
	ClientSecret *string `json:"client_secret"`
	// Algorithm signs the server's ID tokens: RS256.
	Algorithm string `json:"algorithm"`
	// AuthorizationGrantType is "client_credentials" or
	// "authorization_code".
	AuthorizationGrantType string `json:"authorization_grant_type"`
	// ClientType is "confidential" or "public".
	ClientType string `json:"client_type"`
	// RedirectURIs are space-separated.
	RedirectURIs           string `json:"redirect_uris"`
	TokenURL               string `json:"token_url"`
	AuthorizeURL           string `json:"authorize_url"`
	OpenIDAutodiscoveryURL string `json:"openid_autodiscovery_url"`
}

// OrganisationID is an organisation's ID, read from a JSON number or
// string.
type OrganisationID string

// UnmarshalJSON implements json.Unmarshaler.
func (o *OrganisationID) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*o = OrganisationID(s)
		return nil
	}
	var n json.Number
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&n); err != nil || strings.ContainsAny(n.String(), ".eE-") {
		return fmt.Errorf("provet_id %s: must be a string or a whole number", b)
	}
	*o = OrganisationID(n.String())
	return nil
}

// Validate checks the registration as an integration will use it: an
// organisation and a client ID, a known grant and client type, a secret
// for a confidential client and none for a public one, redirect URIs for
// the authorization-code grant, and token and authorize URLs that are
// https (or http to a loopback host, for tests and development).
func (r Registration) Validate() error {
	var errs []error
	bad := func(member, value, rule string) {
		errs = append(errs, fmt.Errorf("registration %s %q: %s", member, value, rule))
	}
	if strings.TrimSpace(string(r.ProvetID)) == "" {
		bad("provet_id", string(r.ProvetID), "must not be empty")
	}
	if strings.TrimSpace(r.ClientID) == "" {
		bad("client_id", r.ClientID, "must not be empty")
	}
	switch r.AuthorizationGrantType {
	case "client_credentials", "authorization_code":
	default:
		bad("authorization_grant_type", r.AuthorizationGrantType, "must be client_credentials or authorization_code")
	}
	switch r.ClientType {
	case "confidential":
		if r.ClientSecret == nil || *r.ClientSecret == "" {
			bad("client_secret", "", "a confidential client must be given its secret")
		}
	case "public":
		if r.ClientSecret != nil {
			bad("client_secret", "…", "a public client has no secret")
		}
		if r.AuthorizationGrantType == "client_credentials" {
			bad("client_type", r.ClientType, "the client_credentials grant is for confidential clients only")
		}
	default:
		bad("client_type", r.ClientType, "must be confidential or public")
	}
	if r.AuthorizationGrantType == "authorization_code" {
		if strings.TrimSpace(r.RedirectURIs) == "" {
			bad("redirect_uris", r.RedirectURIs, "the authorization_code grant needs at least one")
		}
		if err := endpointURL(r.AuthorizeURL); err != nil {
			bad("authorize_url", r.AuthorizeURL, err.Error())
		}
	}
	if err := endpointURL(r.TokenURL); err != nil {
		bad("token_url", r.TokenURL, err.Error())
	}
	return errors.Join(errs...)
}

// endpointURL checks an OAuth endpoint: https, or http to loopback.
func endpointURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return errors.New("must be an absolute URL")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
			return nil
		}
		return errors.New("must be https (http only to a loopback host)")
	}
	return errors.New("must be https")
}

// BaseURL is the server's base URL, the TokenURL without /oauth/token:
// where the API of the registration's server is.
func (r Registration) BaseURL() string { return strings.TrimSuffix(r.TokenURL, TokenPath) }

// ClientCredentials is the configuration of the client-credentials grant
// with this registration's credentials, for WithClientCredentials. No
// scopes asks for every scope the integration was granted.
func (r Registration) ClientCredentials(scopes ...string) clientcredentials.Config {
	secret := ""
	if r.ClientSecret != nil {
		secret = *r.ClientSecret
	}
	return clientcredentials.Config{ClientID: r.ClientID, ClientSecret: secret, TokenURL: r.TokenURL,
		Scopes: scopes, AuthStyle: oauth2.AuthStyleInHeader}
}

// RegistrationHandler receives registrations at an integration's hookup
// URL: it verifies the webhook signature (Standard Webhooks, with the
// secret the vetlink administrator gave when defining the integration),
// decodes and validates the registration and hands it to Accept.
//
// It answers 204 when Accept returns nil; 405 to anything but POST; 401
// when the signature does not verify (a forgery, the wrong secret, or a
// timestamp outside the verifier's tolerance: a replay); 400 for a body
// that is not a registration or an event other than
// integration.registered; 422 when the registration is not valid
// (Registration.Validate); 500 when Accept fails, so the server's
// dispatcher delivers it again later. Delivery is at least once: Accept
// may see a registration again (the same webhook-id and client_id) and
// must keep it once.
type RegistrationHandler struct {
	// Verifier holds the hookup's signing secret (webhook.ParseKey of
	// the "whsec_…" string). A nil Verifier refuses every request.
	Verifier *webhook.Verifier
	// Accept keeps the registration: stores the credentials, starts
	// syncing the organisation.
	Accept func(ctx context.Context, reg Registration) error
	// Logger hears of refused requests and failures; nil means none.
	Logger *slog.Logger
}

// ServeHTTP implements http.Handler.
func (h *RegistrationHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.refuse(w, r, http.StatusMethodNotAllowed, fmt.Sprintf("method %s: a registration is POSTed", r.Method))
		return
	}
	if h.Verifier == nil {
		h.refuse(w, r, http.StatusUnauthorized, "no verifier: the handler trusts no signature")
		return
	}
	limit := h.Verifier.MaxBody
	if limit <= 0 {
		limit = webhook.DefaultMaxBody
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		h.refuse(w, r, http.StatusBadRequest, "read body: "+err.Error())
		return
	}
	if int64(len(body)) > limit {
		h.refuse(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("body over %d bytes", limit))
		return
	}
	if err := h.Verifier.Verify(r.Header, body); err != nil {
		h.refuse(w, r, http.StatusUnauthorized, err.Error())
		return
	}
	if ev := r.Header.Get("webhook-event"); ev != "" && ev != RegistrationEvent {
		h.refuse(w, r, http.StatusBadRequest, fmt.Sprintf("event %q: a hookup URL receives %s only", ev, RegistrationEvent))
		return
	}
	var reg Registration
	if err := json.Unmarshal(body, &reg); err != nil {
		h.refuse(w, r, http.StatusBadRequest, "body is not a registration: "+err.Error())
		return
	}
	if err := reg.Validate(); err != nil {
		h.refuse(w, r, http.StatusUnprocessableEntity, err.Error())
		return
	}
	if h.Accept == nil {
		h.refuse(w, r, http.StatusInternalServerError, "no Accept: the registration cannot be kept")
		return
	}
	if err := h.Accept(r.Context(), reg); err != nil {
		h.refuse(w, r, http.StatusInternalServerError, "keeping the registration failed; send it again")
		if h.Logger != nil {
			h.Logger.ErrorContext(r.Context(), "vetlink client: registration not kept", "client_id", reg.ClientID,
				"organisation", string(reg.ProvetID), "err", err)
		}
		return
	}
	if h.Logger != nil {
		h.Logger.InfoContext(r.Context(), "vetlink client: registration received", "client_id", reg.ClientID,
			"organisation", string(reg.ProvetID), "grant", reg.AuthorizationGrantType)
	}
	w.WriteHeader(http.StatusNoContent)
}

// refuse answers status with an RFC 9457 problem whose detail is the rule
// broken (never the secret or the body).
func (h *RegistrationHandler) refuse(w http.ResponseWriter, r *http.Request, status int, detail string) {
	if h.Logger != nil && status != http.StatusInternalServerError {
		h.Logger.WarnContext(r.Context(), "vetlink client: registration refused", "status", status, "detail", detail)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(Problem{Title: http.StatusText(status), Status: status, Detail: detail})
}
