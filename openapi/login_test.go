package openapi_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/client"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
)

func TestLogin(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		ctx := context.Background()
		vor := e.user(t, rx.VOR, "vor1")

		t.Run("RenewGivesAWorkingToken", func(t *testing.T) {
			resp, err := vor.Client.RenewUserTokenWithResponse(ctx)
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode(), "%s", resp.Body)
			require.Equal(t, vor.ID, resp.JSON200.User.ID)
			renewed := &testUser{User: vor.User, Token: *resp.JSON200.Token}
			code, body := e.do(t, renewed, http.MethodGet, "/api/users/logins", nil)
			require.Equal(t, http.StatusOK, code, "%s", body)
		})

		tests := []struct {
			name                string
			apikey, id, pw      string
			status              int
			errorType, inDetail string
		}{
			{"wrong password", e.APIKey, vor.Uname, "not the password", http.StatusUnauthorized, "unauthorized", "identifier or password"},
			{"unknown user", e.APIKey, "nobody", testPassword, http.StatusUnauthorized, "unauthorized", "identifier or password"},
			{"wrong API key", "vlk_nope", vor.Uname, testPassword, http.StatusUnauthorized, "unauthorized", "X-APIKEY"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				code, body := e.do(t, nil, http.MethodPost, "/api/users/logins",
					client.UserLoginJSONRequestBody{Apikey: tt.apikey, Identifier: tt.id, Password: tt.pw})
				require.Equal(t, tt.status, code, "%s", body)
				p := problem(t, body)
				require.Equal(t, tt.errorType, p.ErrorType)
				require.Contains(t, p.Detail, tt.inDetail)
			})
		}

		t.Run("MalformedBodyNamesTheMember", func(t *testing.T) {
			code, body := e.do(t, nil, http.MethodPost, "/api/users/logins", `{"apikey": 5}`)
			require.Equal(t, http.StatusBadRequest, code, "%s", body)
			require.Contains(t, problem(t, body).Detail, "apikey")
		})

		t.Run("TamperedTokenIsRefused", func(t *testing.T) {
			bad := &testUser{Token: vor.Token + "x"}
			code, body := e.do(t, bad, http.MethodGet, "/api/users/logins", nil)
			require.Equal(t, http.StatusUnauthorized, code, "%s", body)
		})

		t.Run("RepeatedFailuresAreThrottled", func(t *testing.T) {
			mor := e.user(t, rx.MOR, "mor-throttle")
			var last int
			for range 5 {
				last, _ = e.do(t, nil, http.MethodPost, "/api/users/logins",
					client.UserLoginJSONRequestBody{Apikey: e.APIKey, Identifier: mor.Uname, Password: "wrong password"})
			}
			require.Equal(t, http.StatusTooManyRequests, last)
		})
	})
}
