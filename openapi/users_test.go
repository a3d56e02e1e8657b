package openapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/site"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
)

func TestUsers(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		vor := e.user(t, rx.VOR, "vor-one")
		vor2 := e.user(t, rx.VOR, "vor-two")
		mor := e.user(t, rx.MOR, "mor-one")
		mor2 := e.user(t, rx.MOR, "mor-two")
		tor := e.user(t, rx.TOR, "tor-one")
		e.relate(t, rx.Client, vor, mor)
		e.relate(t, rx.Client, vor2, mor2)
		e.relate(t, rx.Employee, mor, tor)

		t.Run("GetUser", func(t *testing.T) {
			tests := []struct {
				name   string
				as     *testUser
				id     rx.UserID
				status int
			}{
				{"self", mor, mor.ID, http.StatusOK},
				{"VOR reads its client", vor, mor.ID, http.StatusOK},
				{"SAOR reads anyone", e.Admin, mor2.ID, http.StatusOK},
				{"MOR reads its employee", mor, tor.ID, http.StatusOK},
				{"another VOR's client", vor, mor2.ID, http.StatusForbidden},
				{"MOR reads a VOR", mor, vor.ID, http.StatusForbidden},
				{"unknown", e.Admin, 999999, http.StatusNotFound},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					code, body := e.do(t, tt.as, http.MethodGet, fmt.Sprintf("/api/users/%d", tt.id), nil)
					require.Equal(t, tt.status, code, "%s", body)
					if code == http.StatusOK {
						var got struct{ User rx.User }
						require.NoError(t, json.Unmarshal(body, &got))
						require.Equal(t, tt.id, got.User.ID)
					}
				})
			}
			code, _ := e.do(t, vor, http.MethodGet, "/api/users/notanumber", nil)
			require.Equal(t, http.StatusBadRequest, code)
		})

		t.Run("CreateRightRelation", func(t *testing.T) {
			newUser := func(uname string) rx.User {
				return rx.User{Uname: uname, Type: rx.MOR, Firstname: "New", Lastname: "Farmer"}
			}
			code, body := e.do(t, vor, http.MethodPost, "/api/users/my-right-relations?relationship=CLIENT&usertype=MOR", newUser("newfarm1"))
			require.Equal(t, http.StatusOK, code, "%s", body)
			var got struct{ User rx.User }
			require.NoError(t, json.Unmarshal(body, &got))
			require.Equal(t, rx.MOR, got.User.Type)
			// The VOR now reads its new client.
			code, body = e.do(t, vor, http.MethodGet, fmt.Sprintf("/api/users/%d", got.User.ID), nil)
			require.Equal(t, http.StatusOK, code, "%s", body)

			tests := []struct {
				name   string
				as     *testUser
				query  string
				body   any
				status int
			}{
				{"MOR may not add a client", mor, "relationship=CLIENT&usertype=MOR", newUser("newfarm2"), http.StatusUnprocessableEntity},
				{"TOR may not add an employee", e.user(t, rx.TOR, "tor-adder"), "relationship=EMPLOYEE&usertype=TOR", newUser("newfarm5"), http.StatusUnprocessableEntity},
				{"VOR may not add a TOR client", vor, "relationship=CLIENT&usertype=TOR", newUser("newfarm3"), http.StatusUnprocessableEntity},
				{"uname taken", vor, "relationship=CLIENT&usertype=MOR", newUser("newfarm1"), http.StatusConflict},
				{"short uname", vor, "relationship=CLIENT&usertype=MOR", newUser("short"), http.StatusBadRequest},
				{"malformed body", vor, "relationship=CLIENT&usertype=MOR", `{"uname": 5}`, http.StatusBadRequest},
				{"unknown relationship", vor, "relationship=FRIEND&usertype=MOR", newUser("newfarm4"), http.StatusBadRequest},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					code, body := e.do(t, tt.as, http.MethodPost, "/api/users/my-right-relations?"+tt.query, tt.body)
					require.Equal(t, tt.status, code, "%s", body)
				})
			}
		})

		t.Run("GetRelationsAddsARelationship", func(t *testing.T) {
			lone := e.user(t, rx.MOR, "mor-lone")
			before := eventCount(t, e.DB, "user.created_or_updated", fmt.Sprint(lone.ID))
			code, body := e.do(t, vor2, http.MethodPost, "/api/users/relations", map[string]any{"right": lone.ID})
			require.Equal(t, http.StatusOK, code, "%s", body)
			require.JSONEq(t, `"mor-lone"`, string(body))
			require.Equal(t, before+1, eventCount(t, e.DB, "user.created_or_updated", fmt.Sprint(lone.ID)), "the new client's change is published")
			code, body = e.do(t, vor2, http.MethodPost, "/api/users/relations", map[string]any{"right": lone.ID})
			require.Equal(t, http.StatusConflict, code, "%s", body)
			require.Equal(t, before+1, eventCount(t, e.DB, "user.created_or_updated", fmt.Sprint(lone.ID)), "a refused relation publishes nothing")
			// For another VOR as left: forbidden.
			code, body = e.do(t, vor, http.MethodPost, "/api/users/relations", map[string]any{"name": "CLIENT", "left": vor2.ID, "right": mor.ID})
			require.Equal(t, http.StatusForbidden, code, "%s", body)
			code, body = e.do(t, mor, http.MethodPost, "/api/users/relations", map[string]any{"right": lone.ID})
			require.Equal(t, http.StatusUnprocessableEntity, code, "%s", body)
			code, body = e.do(t, vor2, http.MethodPost, "/api/users/relations", map[string]any{"right": 999999})
			require.Equal(t, http.StatusNotFound, code, "%s", body)
			code, body = e.do(t, vor2, http.MethodPost, "/api/users/relations", `"CLIENT"`)
			require.Equal(t, http.StatusBadRequest, code, "%s", body)
		})

		t.Run("MyRightRelations", func(t *testing.T) {
			code, body := e.do(t, vor, http.MethodGet, "/api/users/my-right-relations?relationship=CLIENT", nil)
			require.Equal(t, http.StatusOK, code, "%s", body)
			var got struct{ Prescriptions []rx.User }
			require.NoError(t, json.Unmarshal(body, &got))
			var names []string
			for _, u := range got.Prescriptions {
				names = append(names, u.Uname)
			}
			require.Contains(t, names, "mor-one")
			require.NotContains(t, names, "mor-two")
			code, body = e.do(t, mor, http.MethodGet, "/api/users/my-right-relations?relationship=EMPLOYEE&withAddress=true", nil)
			require.Equal(t, http.StatusOK, code, "%s", body)
			require.Contains(t, string(body), `"uname":"tor-one"`)
			require.Contains(t, string(body), `"userId"`)
			code, _ = e.do(t, vor, http.MethodGet, "/api/users/my-right-relations?relationship=FRIEND", nil)
			require.Equal(t, http.StatusBadRequest, code)
		})

		t.Run("GetUsersAndVORs", func(t *testing.T) {
			code, body := e.do(t, vor, http.MethodGet, "/api/users/vors", nil)
			require.Equal(t, http.StatusOK, code, "%s", body)
			require.Contains(t, string(body), `"name":"vor-one Test"`)
			code, body = e.do(t, vor, http.MethodGet, "/api/users", nil)
			require.Equal(t, http.StatusOK, code, "%s", body)
			require.Contains(t, string(body), fmt.Sprintf(`{"users":%d}`, vor2.ID))
			code, body = e.do(t, vor, http.MethodGet, "/api/users?usertypes=MOR", nil)
			require.Equal(t, http.StatusForbidden, code, "%s", body)
			code, body = e.do(t, e.Admin, http.MethodGet, "/api/users?usertypes=MOR", nil)
			require.Equal(t, http.StatusOK, code, "%s", body)
			require.Contains(t, string(body), fmt.Sprintf(`{"users":%d}`, mor2.ID))
			code, body = e.do(t, mor, http.MethodGet, "/api/users/vors", nil)
			require.Equal(t, http.StatusForbidden, code, "%s", body)
			code, body = e.do(t, e.Admin, http.MethodGet, "/api/users?usertypes=NOPE", nil)
			require.Equal(t, http.StatusUnprocessableEntity, code, "%s", body)
		})

		t.Run("UpdateUser", func(t *testing.T) {
			u := mor.User
			u.Phone = "555-0100"
			code, body := e.do(t, vor, http.MethodPut, "/api/users", map[string]any{"user": u})
			require.Equal(t, http.StatusOK, code, "%s", body)
			require.JSONEq(t, `{"updated-records":1}`, string(body))
			code, body = e.do(t, mor, http.MethodGet, fmt.Sprintf("/api/users/%d", mor.ID), nil)
			require.Equal(t, http.StatusOK, code)
			require.Contains(t, string(body), `"phone":"555-0100"`)
			code, body = e.do(t, vor, http.MethodPut, "/api/users", map[string]any{"user": mor2.User})
			require.Equal(t, http.StatusForbidden, code, "%s", body)
			code, body = e.do(t, tor, http.MethodPut, "/api/users", map[string]any{"user": mor.User})
			require.Equal(t, http.StatusForbidden, code, "%s", body)
			bad := mor.User
			bad.ID = 999999
			code, body = e.do(t, e.Admin, http.MethodPut, "/api/users", map[string]any{"user": bad})
			require.Equal(t, http.StatusNotFound, code, "%s", body)
			code, body = e.do(t, mor, http.MethodPut, "/api/users", `{"user": {"uname": 3}}`)
			require.Equal(t, http.StatusBadRequest, code, "%s", body)
		})

		t.Run("Sandbox", func(t *testing.T) {
			code, body := e.do(t, vor, http.MethodPost, "/api/users/sandboxClient", `"sandbox-vor-one"`)
			require.Equal(t, http.StatusOK, code, "%s", body)
			require.JSONEq(t, `{"sandboxClient":"sandbox-vor-one"}`, string(body))
			code, body = e.do(t, vor, http.MethodPost, "/api/users/sandboxClient", `"sandbox-vor-one"`)
			require.Equal(t, http.StatusConflict, code, "%s", body)
			code, body = e.do(t, mor, http.MethodPost, "/api/users/sandboxClient", `"sandbox-mor"`)
			require.Equal(t, http.StatusForbidden, code, "%s", body)
			code, body = e.do(t, vor, http.MethodPost, "/api/users/sandboxClient", `{"x":1}`)
			require.Equal(t, http.StatusBadRequest, code, "%s", body)
			code, body = e.do(t, vor2, http.MethodDelete, "/api/users/sandboxClient", nil)
			require.Equal(t, http.StatusOK, code, "%s", body)
			require.JSONEq(t, `{"deleted":0}`, string(body))
			code, body = e.do(t, vor, http.MethodDelete, "/api/users/sandboxClient", nil)
			require.Equal(t, http.StatusOK, code, "%s", body)
			require.JSONEq(t, `{"deleted":1}`, string(body))
			code, body = e.do(t, mor, http.MethodDelete, "/api/users/sandboxClient", nil)
			require.Equal(t, http.StatusForbidden, code, "%s", body)
		})

		t.Run("DeleteUser", func(t *testing.T) {
			gone := e.user(t, rx.MOR, "mor-gone")
			e.relate(t, rx.Client, vor, gone)
			code, body := e.do(t, vor2, http.MethodDelete, fmt.Sprintf("/api/users/%d", gone.ID), nil)
			require.Equal(t, http.StatusForbidden, code, "%s", body)
			code, body = e.do(t, mor, http.MethodDelete, fmt.Sprintf("/api/users/%d", tor.ID), nil)
			require.Equal(t, http.StatusForbidden, code, "%s", body)
			code, body = e.do(t, e.Admin, http.MethodDelete, "/api/users/999999", nil)
			require.Equal(t, http.StatusNotFound, code, "%s", body)
			code, body = e.do(t, gone, http.MethodGet, "/api/users/logins", nil)
			require.Equal(t, http.StatusOK, code, "%s", body)
			code, body = e.do(t, vor, http.MethodDelete, fmt.Sprintf("/api/users/%d", gone.ID), nil)
			require.Equal(t, http.StatusOK, code, "%s", body)
			require.JSONEq(t, `{"deleted":1}`, string(body))
			code, body = e.do(t, gone, http.MethodGet, fmt.Sprintf("/api/users/%d", gone.ID), nil)
			require.Equal(t, http.StatusUnauthorized, code, "%s", body)
		})

		t.Run("Visits", func(t *testing.T) {
			code, body := e.do(t, mor, http.MethodGet, fmt.Sprintf("/api/visits/%d", mor.ID), nil)
			require.Equal(t, http.StatusOK, code, "%s", body)
			require.Contains(t, string(body), `"message":"login"`)
			code, _ = e.do(t, vor, http.MethodGet, fmt.Sprintf("/api/visits/%d", mor.ID), nil)
			require.Equal(t, http.StatusForbidden, code)
			code, _ = e.do(t, e.Admin, http.MethodGet, fmt.Sprintf("/api/visits/%d", mor.ID), nil)
			require.Equal(t, http.StatusOK, code)
		})
	})
}

func TestProfiles(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		ctx := context.Background()
		mor := e.user(t, rx.MOR, "mor-one")
		mor2 := e.user(t, rx.MOR, "mor-two")
		addr := map[string]any{"userId": 0, "address1": "1 Main St", "address2": "", "town": "Ames", "state": "IA", "zip": "50010"}

		t.Run("Address", func(t *testing.T) {
			code, body := e.do(t, mor, http.MethodGet, fmt.Sprintf("/api/users/addresses/%d", mor.ID), nil)
			require.Equal(t, http.StatusNotFound, code, "%s", body)
			code, body = e.do(t, mor, http.MethodPut, "/api/users/addresses", map[string]any{"user": addr})
			require.Equal(t, http.StatusOK, code, "%s", body)
			code, body = e.do(t, mor, http.MethodGet, fmt.Sprintf("/api/users/addresses/%d", mor.ID), nil)
			require.Equal(t, http.StatusOK, code, "%s", body)
			require.Contains(t, string(body), `"town":"Ames"`)
			code, _ = e.do(t, mor2, http.MethodGet, fmt.Sprintf("/api/users/addresses/%d", mor.ID), nil)
			require.Equal(t, http.StatusForbidden, code)
			other := map[string]any{"userId": mor.ID, "address1": "2 Main St", "address2": "", "town": "Ames", "state": "IA", "zip": "50010"}
			code, _ = e.do(t, mor2, http.MethodPut, "/api/users/addresses", map[string]any{"user": other})
			require.Equal(t, http.StatusForbidden, code)
			code, _ = e.do(t, mor, http.MethodPut, "/api/users/addresses", `{"user": {"town": 1}}`)
			require.Equal(t, http.StatusBadRequest, code)
			code, _ = e.do(t, e.Admin, http.MethodGet, "/api/users/addresses/999999", nil)
			require.Equal(t, http.StatusNotFound, code)
		})

		t.Run("SignUpConfirmAndApprove", func(t *testing.T) {
			p := map[string]any{"id": 0, "uname": "newvet01", "userType": "VOR", "email": "newvet01@example.org",
				"firstname": "New", "lastname": "Vet", "suffix": "DVM", "userId": 0, "address1": "3 Elm", "address2": "",
				"town": "Ames", "state": "IA", "zip": "50010", "sandboxName": "", "emailTips": true, "emailNews": false, "rxHeader": ""}
			code, body := e.do(t, nil, http.MethodPost, "/api/users/profiles", map[string]any{"user": p, "password": testPassword})
			require.Equal(t, http.StatusOK, code, "%s", body)
			require.NotContains(t, string(body), testPassword)
			var got struct {
				ID       rx.UserID   `json:"id"`
				UserType rx.UserType `json:"userType"`
			}
			require.NoError(t, json.Unmarshal(body, &got))
			require.Equal(t, rx.UnVOR, got.UserType)
			code, body = e.do(t, nil, http.MethodPost, "/api/users/profiles", map[string]any{"user": p, "password": testPassword})
			require.Equal(t, http.StatusConflict, code, "%s", body)
			p2 := map[string]any{}
			for k, v := range p {
				p2[k] = v
			}
			p2["uname"], p2["userType"] = "newsaor1", "SAOR"
			code, body = e.do(t, nil, http.MethodPost, "/api/users/profiles", map[string]any{"user": p2, "password": testPassword})
			require.Equal(t, http.StatusUnprocessableEntity, code, "%s", body)
			code, body = e.do(t, nil, http.MethodPost, "/api/users/profiles", map[string]any{"user": p})
			require.Equal(t, http.StatusBadRequest, code, "%s", body)

			// Confirm the e-mail address with a token issued as the mailer would.
			u := rx.User{ID: got.ID, Type: rx.UnVOR}
			ss := &site.Service{Store: db.Site()}
			_, token, err := ss.IssueEmailToken(ctx, rx.Actor{User: u}, got.ID)
			require.NoError(t, err)
			code, body = e.do(t, nil, http.MethodGet, "/api/users/token/"+token, nil)
			require.Equal(t, http.StatusOK, code, "%s", body)
			require.Contains(t, string(body), "confirmed")
			code, _ = e.do(t, nil, http.MethodGet, "/api/users/token/"+token, nil)
			require.Equal(t, http.StatusConflict, code)
			code, _ = e.do(t, nil, http.MethodGet, "/api/users/token/short", nil)
			require.Equal(t, http.StatusUnprocessableEntity, code)

			code, body = e.do(t, mor, http.MethodPut, fmt.Sprintf("/api/admin/ConfirmVOR?id=%d", got.ID), nil)
			require.Equal(t, http.StatusForbidden, code, "%s", body)
			code, body = e.do(t, e.Admin, http.MethodPut, "/api/admin/ConfirmVOR?id=999999", nil)
			require.Equal(t, http.StatusNotFound, code, "%s", body)
			code, body = e.do(t, e.Admin, http.MethodPut, fmt.Sprintf("/api/admin/ConfirmVOR?id=%d", mor.ID), nil)
			require.Equal(t, http.StatusConflict, code, "%s", body)
			code, body = e.do(t, e.Admin, http.MethodPut, fmt.Sprintf("/api/admin/ConfirmVOR?id=%d", got.ID), nil)
			require.Equal(t, http.StatusOK, code, "%s", body)
			require.Contains(t, string(body), `"userType":"VOR"`)
			e.user(t, rx.VOR, "placeholder") // the harness logs users in; the new VOR logs in too:
			code, body = e.do(t, nil, http.MethodPost, "/api/users/logins", map[string]any{"apikey": e.APIKey, "identifier": "newvet01", "password": testPassword})
			require.Equal(t, http.StatusOK, code, "%s", body)
		})

		t.Run("Profile", func(t *testing.T) {
			p := map[string]any{"id": 0, "uname": "mor-one", "userType": "MOR", "email": "a@example.org",
				"firstname": "Renamed", "lastname": "Farmer", "suffix": "", "userId": 0, "address1": "9 Oak", "address2": "",
				"town": "Ames", "state": "IA", "zip": "50010", "sandboxName": "", "emailTips": false, "emailNews": true, "rxHeader": ""}
			code, body := e.do(t, mor, http.MethodPut, "/api/users/profiles", map[string]any{"user": p})
			require.Equal(t, http.StatusOK, code, "%s", body)
			require.Contains(t, string(body), `"firstname":"Renamed"`)
			require.Contains(t, string(body), `"uname":"mor-one"`)
			code, body = e.do(t, mor, http.MethodGet, fmt.Sprintf("/api/users/profiles/%d", mor.ID), nil)
			require.Equal(t, http.StatusOK, code, "%s", body)
			require.Contains(t, string(body), `"address1":"9 Oak"`)
			code, _ = e.do(t, mor2, http.MethodGet, fmt.Sprintf("/api/users/profiles/%d", mor.ID), nil)
			require.Equal(t, http.StatusForbidden, code)
			p["id"], p["userId"] = mor.ID, mor.ID
			code, _ = e.do(t, mor2, http.MethodPut, "/api/users/profiles", map[string]any{"user": p})
			require.Equal(t, http.StatusForbidden, code)
			code, _ = e.do(t, mor, http.MethodPut, "/api/users/profiles", `{"user": {"zip": 5}}`)
			require.Equal(t, http.StatusBadRequest, code)
			code, _ = e.do(t, e.Admin, http.MethodGet, "/api/users/profiles/999999", nil)
			require.Equal(t, http.StatusNotFound, code)
		})
	})
}

func TestSitePages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		ctx := context.Background()
		vor := e.user(t, rx.VOR, "vor-one")
		mor := e.user(t, rx.MOR, "mor-one")
		mor2 := e.user(t, rx.MOR, "mor-two")
		e.relate(t, rx.Client, vor, mor)

		t.Run("Comment", func(t *testing.T) {
			code, body := e.do(t, mor, http.MethodPost, "/api/users/comments", map[string]any{"comment": "nice", "public": true})
			require.Equal(t, http.StatusOK, code, "%s", body)
			require.JSONEq(t, `{"recorded":1}`, string(body))
			code, _ = e.do(t, mor, http.MethodPost, "/api/users/comments", map[string]any{"comment": "as another", "userId": vor.ID})
			require.Equal(t, http.StatusUnprocessableEntity, code)
			code, _ = e.do(t, mor, http.MethodPost, "/api/users/comments", map[string]any{"comment": ""})
			require.Equal(t, http.StatusUnprocessableEntity, code)
			code, _ = e.do(t, mor, http.MethodPost, "/api/users/comments", `{"comment": 1}`)
			require.Equal(t, http.StatusBadRequest, code)
		})

		t.Run("Messages", func(t *testing.T) {
			m := map[string]any{"_type": "models.SimpleMessage", "from": 0, "to": mor.ID, "subject": "hello", "message": "Hi"}
			code, body := e.do(t, vor, http.MethodPost, "/api/messages", m)
			require.Equal(t, http.StatusOK, code, "%s", body)
			require.Contains(t, string(body), `"subject":"hello"`)
			m["to"] = mor2.ID
			code, _ = e.do(t, vor, http.MethodPost, "/api/messages", m)
			require.Equal(t, http.StatusForbidden, code)
			code, _ = e.do(t, vor, http.MethodPost, "/api/messages", `{"_type": "models.Nope"}`)
			require.Equal(t, http.StatusBadRequest, code)
			rr := map[string]any{"_type": "models.RenewRequest", "from": 0, "to": vor.ID, "subject": "renew", "message": "please", "prescription": "Vi1y9kbpEj7Upqy7", "extend": "PT4392H"}
			code, body = e.do(t, mor, http.MethodPost, "/api/messages", rr)
			require.Equal(t, http.StatusNotFound, code, "%s", body)

			// Answer a question once, through its token.
			ss := &site.Service{Store: db.Site()}
			a, err := (&rx.Service{Store: db.Rx()}).Actor(ctx, vor.ID)
			require.NoError(t, err)
			_, token, err := ss.Send(ctx, a, site.Message{To: mor.ID, Subject: "ok?", Message: "Agree?"}, true)
			require.NoError(t, err)
			code, body = e.do(t, nil, http.MethodGet, "/messages/ok/"+token+"/?response=true", nil)
			require.Equal(t, http.StatusOK, code, "%s", body)
			require.Contains(t, string(body), "yes")
			code, _ = e.do(t, nil, http.MethodGet, "/messages/ok/"+token+"/?response=false", nil)
			require.Equal(t, http.StatusConflict, code)
			unknown, _ := site.NewToken()
			code, _ = e.do(t, nil, http.MethodGet, "/messages/ok/"+unknown+"/", nil)
			require.Equal(t, http.StatusNotFound, code)
		})

		t.Run("Help", func(t *testing.T) {
			code, body := e.do(t, e.Admin, http.MethodPost, "/api/help/intro", map[string]any{"key": "ignored", "msg": "<p>Hi</p>"})
			require.Equal(t, http.StatusOK, code, "%s", body)
			code, _ = e.do(t, vor, http.MethodPost, "/api/help/intro", map[string]any{"key": "intro", "msg": "x"})
			require.Equal(t, http.StatusForbidden, code)
			code, _ = e.do(t, e.Admin, http.MethodPost, "/api/help/intro", `{"msg": 1}`)
			require.Equal(t, http.StatusBadRequest, code)
			code, body = e.do(t, mor, http.MethodGet, "/api/help/intro", nil)
			require.Equal(t, http.StatusOK, code, "%s", body)
			require.JSONEq(t, `{"help":"<p>Hi</p>"}`, string(body))
			code, body = e.do(t, mor, http.MethodGet, "/api/helpkeys", nil)
			require.Equal(t, http.StatusOK, code)
			require.JSONEq(t, `{"keys":["intro"]}`, string(body))
			code, _ = e.do(t, vor, http.MethodDelete, "/api/help/intro", nil)
			require.Equal(t, http.StatusForbidden, code)
			code, _ = e.do(t, e.Admin, http.MethodDelete, "/api/help/intro", nil)
			require.Equal(t, http.StatusOK, code)
			code, _ = e.do(t, e.Admin, http.MethodDelete, "/api/help/intro", nil)
			require.Equal(t, http.StatusNotFound, code)
		})

		t.Run("LogAndPages", func(t *testing.T) {
			code, body := e.do(t, mor, http.MethodPost, "/api/logging?severity=WARN", nil)
			require.Equal(t, http.StatusOK, code, "%s", body)
			code, _ = e.do(t, mor, http.MethodPost, "/api/logging?severity=LOUD", nil)
			require.Equal(t, http.StatusBadRequest, code)
			for _, path := range []string{"/editor", "/farm", "/admin"} {
				code, body = e.do(t, vor, http.MethodGet, path, nil)
				require.Equal(t, http.StatusOK, code, "%s %s", path, body)
				require.Contains(t, string(body), "/docs")
			}
			code, body = e.do(t, vor, http.MethodGet, "/signin", nil)
			require.Equal(t, http.StatusSeeOther, code, "%s", body)
			require.Contains(t, string(body), `type="password"`)
			code, body = e.do(t, vor, http.MethodGet, "/api/imagestores", nil)
			require.Equal(t, http.StatusNotImplemented, code, "%s", body)
		})
	})
}
