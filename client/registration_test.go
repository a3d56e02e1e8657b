package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/client"
	"github.com/vetlink/vetlink/webhook"
)

// goodRegistration is a registration as the catalogue posts it.
const goodRegistration = `{"provet_id":12345,"client_id":"vlc_herdsync","client_secret":"vlcs_s3cret","algorithm":"RS256",` +
	`"authorization_grant_type":"client_credentials","client_type":"confidential","redirect_uris":"",` +
	`"token_url":"https://vets.example.org/oauth/token","authorize_url":"https://vets.example.org/oauth/authorize",` +
	`"openid_autodiscovery_url":"https://vets.example.org/.well-known/openid-configuration"}`

func TestRegistrationHandler(t *testing.T) {
	t.Parallel()
	secret := webhook.NewSecret()
	key, err := webhook.ParseKey(secret)
	require.NoError(t, err)
	signer, err := webhook.NewSigner(key)
	require.NoError(t, err)
	otherKey, err := webhook.ParseKey(webhook.NewSecret())
	require.NoError(t, err)
	forger, err := webhook.NewSigner(otherKey)
	require.NoError(t, err)

	edit := func(f func(m map[string]any)) string {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(goodRegistration), &m))
		f(m)
		b, err := json.Marshal(m)
		require.NoError(t, err)
		return string(b)
	}
	tests := []struct {
		name    string
		method  string
		body    string
		signer  *webhook.Signer // nil: the hookup's own secret
		unsign  bool            // send no webhook headers
		sent    time.Time
		event   string
		accept  error
		status  int
		detail  string
		handled bool
	}{
		{name: "good", body: goodRegistration, status: http.StatusNoContent, handled: true},
		{name: "organisation as text", body: edit(func(m map[string]any) { m["provet_id"] = "org-7" }), status: http.StatusNoContent, handled: true},
		{name: "GET", method: http.MethodGet, body: "", status: http.StatusMethodNotAllowed, detail: "method GET: a registration is POSTed"},
		{name: "forged", body: goodRegistration, signer: forger, status: http.StatusUnauthorized, detail: "webhook: no matching signature"},
		{name: "unsigned", body: goodRegistration, unsign: true, status: http.StatusUnauthorized, detail: "webhook: missing header"},
		{name: "replayed an hour later", body: goodRegistration, sent: time.Now().Add(-time.Hour), status: http.StatusUnauthorized, detail: "webhook: timestamp too old"},
		{name: "another event", body: goodRegistration, event: "case.created", status: http.StatusBadRequest, detail: `event "case.created": a hookup URL receives integration.registered only`},
		{name: "not JSON", body: "client_id=x", status: http.StatusBadRequest, detail: "body is not a registration"},
		{name: "fractional organisation", body: edit(func(m map[string]any) { m["provet_id"] = 1.5 }), status: http.StatusBadRequest, detail: "provet_id 1.5: must be a string or a whole number"},
		{name: "no client id", body: edit(func(m map[string]any) { m["client_id"] = "" }), status: http.StatusUnprocessableEntity, detail: `registration client_id "": must not be empty`},
		{name: "confidential without secret", body: edit(func(m map[string]any) { m["client_secret"] = nil }), status: http.StatusUnprocessableEntity, detail: "a confidential client must be given its secret"},
		{name: "unknown grant", body: edit(func(m map[string]any) { m["authorization_grant_type"] = "password" }), status: http.StatusUnprocessableEntity, detail: `registration authorization_grant_type "password": must be client_credentials or authorization_code`},
		{name: "token URL over http", body: edit(func(m map[string]any) { m["token_url"] = "http://vets.example.org/oauth/token" }), status: http.StatusUnprocessableEntity, detail: "must be https (http only to a loopback host)"},
		{name: "code grant without redirect", body: edit(func(m map[string]any) {
			m["authorization_grant_type"], m["client_type"], m["client_secret"] = "authorization_code", "public", nil
		}), status: http.StatusUnprocessableEntity, detail: `registration redirect_uris "": the authorization_code grant needs at least one`},
		{name: "Accept fails", body: goodRegistration, accept: errors.New("disk full"), status: http.StatusInternalServerError, detail: "keeping the registration failed; send it again", handled: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []client.Registration
			h := &client.RegistrationHandler{Verifier: &webhook.Verifier{Keys: []webhook.Key{key}},
				Accept: func(_ context.Context, reg client.Registration) error { got = append(got, reg); return tc.accept }}
			method := tc.method
			if method == "" {
				method = http.MethodPost
			}
			req := httptest.NewRequest(method, "/hookup", bytes.NewReader([]byte(tc.body)))
			s, sent := signer, tc.sent
			if tc.signer != nil {
				s = tc.signer
			}
			if sent.IsZero() {
				sent = time.Now()
			}
			if !tc.unsign {
				s.SignHeader(req.Header, "msg_2Kxyz", sent, []byte(tc.body))
			}
			req.Header.Set("webhook-event", client.RegistrationEvent)
			if tc.event != "" {
				req.Header.Set("webhook-event", tc.event)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			require.Equal(t, tc.status, rec.Code, rec.Body.String())
			require.Equal(t, tc.handled, len(got) == 1)
			if tc.detail != "" {
				var p client.Problem
				require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
				require.Contains(t, p.Detail, tc.detail)
				require.NotContains(t, rec.Body.String(), "vlcs_s3cret", "the secret is never echoed")
			}
		})
	}
}

func TestRegistrationHelpers(t *testing.T) {
	t.Parallel()
	var reg client.Registration
	require.NoError(t, json.Unmarshal([]byte(goodRegistration), &reg))
	require.NoError(t, reg.Validate())
	require.Equal(t, client.OrganisationID("12345"), reg.ProvetID)
	require.Equal(t, "https://vets.example.org", reg.BaseURL())
	cc := reg.ClientCredentials("cases.read")
	require.Equal(t, "vlc_herdsync", cc.ClientID)
	require.Equal(t, "vlcs_s3cret", cc.ClientSecret)
	require.Equal(t, "https://vets.example.org/oauth/token", cc.TokenURL)
	require.Equal(t, []string{"cases.read"}, cc.Scopes)
}

// FuzzRegistrationHandler: whatever a correctly signed body holds, the
// handler answers without panicking, and hands over only registrations
// that validate.
func FuzzRegistrationHandler(f *testing.F) {
	f.Add([]byte(goodRegistration))
	f.Add([]byte(`{"provet_id":"12345","client_id":"x","client_type":"public","authorization_grant_type":"authorization_code"}`))
	f.Add([]byte(`{"provet_id":1e3}`))
	f.Add([]byte(`{"provet_id":-1,"client_secret":null}`))
	f.Add([]byte(`[]`))
	key, err := webhook.ParseKey(webhook.NewSecret())
	require.NoError(f, err)
	signer, err := webhook.NewSigner(key)
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, body []byte) {
		handled := false
		h := &client.RegistrationHandler{Verifier: &webhook.Verifier{Keys: []webhook.Key{key}},
			Accept: func(_ context.Context, reg client.Registration) error {
				handled = true
				require.NoError(t, reg.Validate())
				require.NotEmpty(t, reg.ProvetID)
				return nil
			}}
		req := httptest.NewRequest(http.MethodPost, "/hookup", bytes.NewReader(body))
		signer.SignHeader(req.Header, "msg_fuzz", time.Now(), body)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		require.Equal(t, handled, rec.Code == http.StatusNoContent, "%d %s", rec.Code, rec.Body)
		require.Contains(t, []int{http.StatusNoContent, http.StatusBadRequest, http.StatusUnprocessableEntity}, rec.Code, rec.Body.String())
	})
}
