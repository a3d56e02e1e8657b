package openapi

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/auth"
	"github.com/vetlink/vetlink/protocol"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/site"
	"github.com/vetlink/vetlink/webhook"
)

func TestProblemFor(t *testing.T) {
	prohibited := &rx.Error{Op: "prescribe", Input: "treatment 0 (chloramphenicol)", Rule: "extra-label use prohibited in food animals (21 CFR 530.41(a)(1))", Err: rx.ErrProhibited}
	fields := protocol.Problems{
		{Field: "name", Value: `" "`, Rule: "must not be blank", Err: protocol.ErrInvalid},
		{Field: "treatments[0].wtMeatHrs", Value: "-1", Rule: "must be between 0 and 87600", Err: protocol.ErrInvalid},
	}
	tests := []struct {
		name      string
		err       error
		status    int
		errorType string
		detail    string // a part the detail must hold
	}{
		{"prohibited drug names drug and citation", prohibited, 422, "prohibited", "530.41(a)(1)"},
		{"every field of a validation", fmt.Errorf("rx: prescribe: %w", fields), 422, "invalid", "wtMeatHrs"},
		{"rx invalid", &rx.Error{Op: "enroll", Input: "animalId", Rule: "is required", Err: rx.ErrInvalid}, 422, "invalid", "animalId"},
		{"weak password", auth.ErrWeakPassword, 422, "invalid", ""},
		{"not found from the store", fmt.Errorf("store: prescription Vi1y9: %w", rx.ErrNotFound), 404, "not_found", "prescription Vi1y9"},
		{"auth not found", fmt.Errorf("store: user 9: %w", auth.ErrNotFound), 404, "not_found", ""},
		{"webhook not found", fmt.Errorf("%w: webhook subscription 1", webhook.ErrNotFound), 404, "not_found", ""},
		{"forbidden", &rx.Error{Op: "read", Rule: "not your farm", Err: rx.ErrForbidden}, 403, "forbidden", "not your farm"},
		{"conflict", rx.ErrConflict, 409, "conflict", ""},
		{"recalled prescription", rx.ErrRecalled, 409, "conflict", "recalled"},
		{"used up", rx.ErrUsedUp, 409, "conflict", "used up"},
		{"expired token", site.ErrExpired, 410, "expired", ""},
		{"bad API key", auth.ErrBadAPIKey, 401, "unauthorized", "X-APIKEY"},
		{"bad credentials", auth.ErrBadCredentials, 401, "unauthorized", "identifier or password"},
		{"expired session", auth.ErrTokenExpired, 401, "unauthorized", "expired"},
		{"bad token", auth.ErrBadToken, 401, "unauthorized", "X-Auth-Token"},
		{"locked", &auth.LockError{Locked: true, RetryAfter: 90 * time.Second}, 429, "throttled", "try again"},
		{"not implemented", errNotImplemented, 501, "not_implemented", ""},
		{"anything else", errors.New(`pq: duplicate key value violates unique constraint "rx_users_uname_key"`), 500, "internal", "request ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ProblemFor(tt.err)
			require.Equal(t, tt.status, p.Status)
			require.Equal(t, tt.errorType, p.ErrorType)
			require.Equal(t, problemBase+tt.errorType, p.Type)
			require.Equal(t, http.StatusText(tt.status), p.Title)
			require.Contains(t, p.Detail, tt.detail)
			require.NotContains(t, p.Detail, "store: ", "the store's prefix says nothing to a client")
		})
	}
	t.Run("a 500 says nothing of its cause", func(t *testing.T) {
		p := ProblemFor(errors.New(`SELECT * FROM rx_users WHERE uname = 'x': connection refused at 10.0.0.5`))
		require.NotContains(t, p.Detail, "SELECT")
		require.NotContains(t, p.Detail, "10.0.0.5")
	})
	t.Run("fields are listed", func(t *testing.T) {
		p := ProblemFor(fields)
		require.Equal(t, []FieldProblem{
			{Field: "name", Value: `" "`, Rule: "must not be blank"},
			{Field: "treatments[0].wtMeatHrs", Value: "-1", Rule: "must be between 0 and 87600"},
		}, p.Errors)
	})
}

func TestWriteProblem(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/api/cases/7", nil)
	w := httptest.NewRecorder()
	WriteProblem(w, r, ProblemFor(&auth.LockError{RetryAfter: 1500 * time.Millisecond}))
	require.Equal(t, http.StatusTooManyRequests, w.Code)
	require.Equal(t, ProblemContentType, w.Header().Get("Content-Type"))
	require.Equal(t, "2", w.Header().Get("Retry-After"), "rounded up to whole seconds")
	require.True(t, strings.HasPrefix(w.Body.String(), `{"type":"https://vetlink.dev/problems/throttled","title":"Too Many Requests","status":429,`), w.Body.String())
	require.Contains(t, w.Body.String(), `"instance":"/api/cases/7"`)
}
