package openapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/site"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
)

// tokenLink finds the link of a mail.
var tokenLink = regexp.MustCompile(`(http://[^\s]+)/api/users/token/([A-Za-z0-9_-]+)`)

// mailedToken returns the token of the one mail sent to address, and
// checks that its link points at the server that sent it.
func (e *testEnv) mailedToken(t *testing.T, address string) string {
	t.Helper()
	mails := e.Mail.to(address)
	require.Len(t, mails, 1, "mails to %s", address)
	m := tokenLink.FindStringSubmatch(mails[0].Body)
	require.NotNil(t, m, "no link in the mail to %s:\n%s", address, mails[0].Body)
	require.Equal(t, e.URL, m[1], "the link is the server's own (the request's Host)")
	return m[2]
}

// login logs uname in through the API and returns the status, and the
// user with its client on success.
func (e *testEnv) login(t *testing.T, uname, password string) (int, *testUser) {
	t.Helper()
	code, body := e.do(t, nil, http.MethodPost, "/api/users/logins", map[string]any{"apikey": e.APIKey, "identifier": uname, "password": password})
	if code != http.StatusOK {
		return code, nil
	}
	var got struct {
		User  rx.User
		Token string
	}
	require.NoError(t, json.Unmarshal(body, &got))
	u := &testUser{User: got.User, Token: got.Token, env: e}
	u.Client = e.client(t, u)
	return code, u
}

// TestOnboarding makes accounts usable through the API alone: an invited
// user sets a password from the mailed link, a signed-up one confirms the
// address, users change their own password, the SAOR resets anyone's and
// creates accounts.
func TestOnboarding(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		ctx := context.Background()
		vet := e.user(t, rx.VOR, "vet-onb")

		t.Run("InvitedClientSetsPasswordAndLogsIn", func(t *testing.T) {
			code, body := e.do(t, vet, http.MethodPost, "/api/users/my-right-relations?relationship=CLIENT&usertype=MOR",
				rx.User{Uname: "birchfarm", Type: rx.MOR, Firstname: "Bea", Lastname: "Birch", Email: "birch@example.org"})
			require.Equal(t, http.StatusOK, code, "%s", body)
			mails := e.Mail.to("birch@example.org")
			require.Len(t, mails, 1)
			require.Equal(t, "Your vetlink account", mails[0].Subject)
			require.Contains(t, mails[0].Body, "birchfarm")
			token := e.mailedToken(t, "birch@example.org")

			code, _ = e.login(t, "birchfarm", "pasture-gate-42")
			require.Equal(t, http.StatusUnauthorized, code, "no password before the link is used")

			code, body = e.do(t, nil, http.MethodPost, "/api/users/token/"+token, map[string]any{"password": "short"})
			require.Equal(t, http.StatusBadRequest, code, "a password under 8 characters: %s", body)
			code, body = e.do(t, nil, http.MethodPost, "/api/users/token/"+token, map[string]any{"password": "pasture-gate-42"})
			require.Equal(t, http.StatusOK, code, "%s", body)
			var got struct{ User rx.User }
			require.NoError(t, json.Unmarshal(body, &got))
			require.Equal(t, rx.MOR, got.User.Type)

			code, farm := e.login(t, "birchfarm", "pasture-gate-42")
			require.Equal(t, http.StatusOK, code)
			require.Equal(t, rx.MOR, farm.Type)

			// Used once: a second use, to set or to confirm, is refused.
			code, body = e.do(t, nil, http.MethodPost, "/api/users/token/"+token, map[string]any{"password": "someone-elses-pw"})
			require.Equal(t, http.StatusConflict, code, "%s", body)
			code, body = e.do(t, nil, http.MethodGet, "/api/users/token/"+token, nil)
			require.Equal(t, http.StatusConflict, code, "%s", body)
			code, _ = e.login(t, "birchfarm", "pasture-gate-42")
			require.Equal(t, http.StatusOK, code, "the password stands")

			// The farm invites its hand the same way.
			code, body = e.do(t, farm, http.MethodPost, "/api/users/my-right-relations?relationship=EMPLOYEE&usertype=TOR",
				rx.User{Uname: "handbirch", Type: rx.TOR, Firstname: "Hal", Lastname: "Birch", Email: "hal@example.org"})
			require.Equal(t, http.StatusOK, code, "%s", body)
			code, body = e.do(t, nil, http.MethodPost, "/api/users/token/"+e.mailedToken(t, "hal@example.org"), map[string]any{"password": "milking-parlour"})
			require.Equal(t, http.StatusOK, code, "%s", body)
			code, hand := e.login(t, "handbirch", "milking-parlour")
			require.Equal(t, http.StatusOK, code)
			require.Equal(t, rx.TOR, hand.Type)
		})

		t.Run("InvitationWithoutAddressOrMail", func(t *testing.T) {
			code, body := e.do(t, vet, http.MethodPost, "/api/users/my-right-relations?relationship=CLIENT&usertype=MOR",
				rx.User{Uname: "nomailfarm", Type: rx.MOR, Firstname: "No", Lastname: "Mail"})
			require.Equal(t, http.StatusOK, code, "no address, no mail, no refusal: %s", body)

			// A mail that fails after the commit is logged; the user stays.
			e.Mail.mu.Lock()
			e.Mail.fail = errors.New("smtp: connection refused")
			e.Mail.mu.Unlock()
			code, body = e.do(t, vet, http.MethodPost, "/api/users/my-right-relations?relationship=CLIENT&usertype=MOR",
				rx.User{Uname: "lostmailfarm", Type: rx.MOR, Firstname: "Lost", Lastname: "Mail", Email: "lost@example.org"})
			e.Mail.mu.Lock()
			e.Mail.fail = nil
			e.Mail.mu.Unlock()
			require.Equal(t, http.StatusOK, code, "%s", body)
			var got struct{ User rx.User }
			require.NoError(t, json.Unmarshal(body, &got))
			code, body = e.do(t, vet, http.MethodGet, fmt.Sprintf("/api/users/%d", got.User.ID), nil)
			require.Equal(t, http.StatusOK, code, "%s", body)
		})

		t.Run("SignUpMailsTheConfirmation", func(t *testing.T) {
			signUp := func(uname, typ string) {
				p := map[string]any{"id": 0, "uname": uname, "userType": typ, "email": uname + "@example.org",
					"firstname": "New", "lastname": "Comer", "suffix": "", "userId": 0, "address1": "3 Elm", "address2": "",
					"town": "Ames", "state": "IA", "zip": "50010", "sandboxName": "", "emailTips": false, "emailNews": false, "rxHeader": ""}
				code, body := e.do(t, nil, http.MethodPost, "/api/users/profiles", map[string]any{"user": p, "password": "signed-up-pw"})
				require.Equal(t, http.StatusOK, code, "%s", body)
			}
			// The plain link confirms the address: an UNMOR becomes an MOR.
			signUp("elmfarm01", "MOR")
			require.Equal(t, "Confirm your e-mail address for vetlink", e.Mail.to("elmfarm01@example.org")[0].Subject)
			code, body := e.do(t, nil, http.MethodGet, "/api/users/token/"+e.mailedToken(t, "elmfarm01@example.org"), nil)
			require.Equal(t, http.StatusOK, code, "%s", body)
			code, farm := e.login(t, "elmfarm01", "signed-up-pw")
			require.Equal(t, http.StatusOK, code)
			require.Equal(t, rx.MOR, farm.Type)

			// Setting a password through it confirms too: an UNVOR becomes a
			// PREVOR, for the SAOR to approve.
			signUp("drelm0001", "VOR")
			code, body = e.do(t, nil, http.MethodPost, "/api/users/token/"+e.mailedToken(t, "drelm0001@example.org"), map[string]any{"password": "another-pw-1"})
			require.Equal(t, http.StatusOK, code, "%s", body)
			var got struct{ User rx.User }
			require.NoError(t, json.Unmarshal(body, &got))
			require.Equal(t, rx.PreVOR, got.User.Type)
			code, _ = e.login(t, "drelm0001", "signed-up-pw")
			require.Equal(t, http.StatusUnauthorized, code, "the new password replaced the sign-up's")
			code, _ = e.login(t, "drelm0001", "another-pw-1")
			require.Equal(t, http.StatusOK, code)
		})

		t.Run("UnknownExpiredAndMalformedTokens", func(t *testing.T) {
			unknown, _ := site.NewToken()
			code, body := e.do(t, nil, http.MethodPost, "/api/users/token/"+unknown, map[string]any{"password": "pasture-gate-42"})
			require.Equal(t, http.StatusNotFound, code, "%s", body)

			// A token issued 49 hours ago, past the 48 hours a link works.
			u := rx.User{Uname: "latefarm", Type: rx.MOR, Firstname: "Late", Lastname: "Farm", Email: "late@example.org"}
			require.NoError(t, db.Rx().CreateUser(ctx, &u))
			token, hash := site.NewToken()
			issued := time.Now().UTC().Add(-49 * time.Hour)
			require.NoError(t, db.Site().AddEmailToken(ctx, site.EmailToken{UserID: u.ID, Email: u.Email, Created: issued, Expires: issued.Add(site.DefaultEmailTokenTTL), Hash: hash}))
			code, body = e.do(t, nil, http.MethodPost, "/api/users/token/"+token, map[string]any{"password": "pasture-gate-42"})
			require.Equal(t, http.StatusGone, code, "%s", body)
			code, _ = e.login(t, "latefarm", "pasture-gate-42")
			require.Equal(t, http.StatusUnauthorized, code, "an expired link sets nothing")

			for _, body := range []string{`{}`, `{"password": 12345678}`, `not json`} {
				code, out := e.do(t, nil, http.MethodPost, "/api/users/token/"+unknown, body)
				require.Equal(t, http.StatusBadRequest, code, "%s: %s", body, out)
			}
			code, body = e.do(t, nil, http.MethodPost, "/api/users/token/"+unknown, nil)
			require.Equal(t, http.StatusBadRequest, code, "no body: %s", body)
		})

		t.Run("UserChangesOwnPassword", func(t *testing.T) {
			farm := e.user(t, rx.MOR, "oakfarm")
			path := fmt.Sprintf("/api/users/%d/password", farm.ID)
			code, body := e.do(t, farm, http.MethodPut, path, map[string]any{"password": "new-password-1"})
			require.Equal(t, http.StatusForbidden, code, "their own without the current one: %s", body)
			for i := range 3 {
				code, body = e.do(t, farm, http.MethodPut, path, map[string]any{"password": "new-password-1", "currentPassword": "wrong-password"})
				require.Equal(t, http.StatusUnauthorized, code, "wrong current password %d: %s", i+1, body)
			}
			// Three failures: throttled for a second, right or wrong, and
			// the login of the same name with it.
			code, body = e.do(t, farm, http.MethodPut, path, map[string]any{"password": "new-password-1", "currentPassword": testPassword})
			require.Equal(t, http.StatusTooManyRequests, code, "%s", body)
			require.Equal(t, "throttled", problem(t, body).ErrorType)
			code, _ = e.login(t, farm.Uname, testPassword)
			require.Equal(t, http.StatusTooManyRequests, code)

			time.Sleep(1100 * time.Millisecond)
			code, body = e.do(t, farm, http.MethodPut, path, map[string]any{"password": "new-password-1", "currentPassword": testPassword})
			require.Equal(t, http.StatusOK, code, "%s", body)
			code, body = e.do(t, farm, http.MethodGet, fmt.Sprintf("/api/users/%d", farm.ID), nil)
			require.Equal(t, http.StatusUnauthorized, code, "the token from before the change: %s", body)
			code, _ = e.login(t, farm.Uname, testPassword)
			require.Equal(t, http.StatusUnauthorized, code)
			code, _ = e.login(t, farm.Uname, "new-password-1")
			require.Equal(t, http.StatusOK, code)

			// Another user's password, current one or not, is the SAOR's.
			other := e.user(t, rx.MOR, "ashfarm")
			e.relate(t, rx.Client, vet, other)
			code, body = e.do(t, vet, http.MethodPut, fmt.Sprintf("/api/users/%d/password", other.ID), map[string]any{"password": "new-password-1", "currentPassword": testPassword})
			require.Equal(t, http.StatusForbidden, code, "a VOR for its client: %s", body)

			for _, body := range []string{`{}`, `{"password": "new-password-1", "currentPassword": 5}`, `{"password": "short", "currentPassword": "x"}`} {
				code, out := e.do(t, other, http.MethodPut, fmt.Sprintf("/api/users/%d/password", other.ID), body)
				require.Equal(t, http.StatusBadRequest, code, "%s: %s", body, out)
			}
		})

		t.Run("SAORResetsAPassword", func(t *testing.T) {
			farm := e.user(t, rx.MOR, "pinefarm")
			code, body := e.do(t, e.Admin, http.MethodPut, fmt.Sprintf("/api/users/%d/password", farm.ID), map[string]any{"password": "reset-by-admin"})
			require.Equal(t, http.StatusOK, code, "%s", body)
			code, body = e.do(t, farm, http.MethodGet, fmt.Sprintf("/api/users/%d", farm.ID), nil)
			require.Equal(t, http.StatusUnauthorized, code, "the user's old token: %s", body)
			code, _ = e.login(t, farm.Uname, "reset-by-admin")
			require.Equal(t, http.StatusOK, code)

			code, body = e.do(t, e.Admin, http.MethodPut, "/api/users/999999/password", map[string]any{"password": "reset-by-admin"})
			require.Equal(t, http.StatusNotFound, code, "%s", body)
		})

		t.Run("SAORCreatesAnAccount", func(t *testing.T) {
			newVet := map[string]any{"password": "first-vet-pw", "user": rx.User{Uname: "drfirst01", Type: rx.VOR, Firstname: "Fay", Lastname: "First", Email: "fay@example.org"}}
			code, body := e.do(t, vet, http.MethodPost, "/api/users", newVet)
			require.Equal(t, http.StatusForbidden, code, "a VOR: %s", body)
			code, body = e.do(t, e.Admin, http.MethodPost, "/api/users", newVet)
			require.Equal(t, http.StatusOK, code, "%s", body)
			var got struct{ User rx.User }
			require.NoError(t, json.Unmarshal(body, &got))
			require.Equal(t, rx.VOR, got.User.Type)
			require.NotZero(t, got.User.ID)
			code, first := e.login(t, "drfirst01", "first-vet-pw")
			require.Equal(t, http.StatusOK, code)
			require.Equal(t, rx.VOR, first.Type, "active at once: the administrator vouches for it")

			code, body = e.do(t, e.Admin, http.MethodPost, "/api/users", newVet)
			require.Equal(t, http.StatusConflict, code, "the uname is taken: %s", body)
			for _, body := range []string{
				`{"user": {"uname": "drsecond1", "userType": "VOR", "firstname": "Sam", "lastname": "Second"}}`,
				`{"user": {"uname": "drsecond1", "userType": "VOR", "firstname": "Sam", "lastname": "Second"}, "password": "short"}`,
				`{"password": "first-vet-pw"}`,
				`{"user": "drsecond1", "password": "first-vet-pw"}`,
			} {
				code, out := e.do(t, e.Admin, http.MethodPost, "/api/users", body)
				require.Equal(t, http.StatusBadRequest, code, "%s: %s", body, out)
			}
		})
	})
}
