package oauth_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vetlink/vetlink/oauth"
	"github.com/vetlink/vetlink/rx"
)

func TestAdminAPI(t *testing.T) {
	engines(t, func(t *testing.T, b *bundle) {
		ctx := context.Background()
		cat, _ := b.catalogue(t)
		srv := httptest.NewServer(cat.AdminHandler(b.auth, b.db.Rx()))
		t.Cleanup(srv.Close)

		admin := rx.User{Uname: "site_admin", Type: rx.SAOR, Firstname: "Ada", Lastname: "Admin"}
		if err := b.db.Rx().CreateUser(ctx, &admin); err != nil {
			t.Fatal(err)
		}
		if err := b.auth.SetPassword(ctx, admin.ID, testPassword); err != nil {
			t.Fatal(err)
		}
		session := func(uname string) string {
			s, err := b.auth.Login(ctx, b.apiKey, uname, testPassword)
			if err != nil {
				t.Fatal(err)
			}
			return s.Token
		}
		adminToken, farmerToken := session(admin.Uname), session(b.user.Uname)

		call := func(token, method, path, body string) (int, string) {
			t.Helper()
			req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
			req.Header.Set("X-APIKEY", b.apiKey)
			if token != "" {
				req.Header.Set("X-Auth-Token", token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			out, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(out)
		}

		def := `{"name":"HerdSync","description":"d","visibility":"all","grant_type":"client_credentials",
			"client_type":"confidential","scopes":["cases.read"],"notify":"email","email":"dev@herdsync.example"}`
		status, body := call(adminToken, "POST", oauth.AdminPath, def)
		if status != 201 {
			t.Fatalf("define: %d %s", status, body)
		}
		var created struct {
			Integration oauth.Integration `json:"integration"`
		}
		json.Unmarshal([]byte(body), &created)
		id := itoa(created.Integration.ID)

		tests := []struct {
			name, token, method, path, body string
			status                          int
			contains                        string
		}{
			{"no session", "", "GET", oauth.AdminPath, "", 401, `"errorType":"unauthorized"`},
			{"not the SAOR", farmerToken, "GET", oauth.AdminPath, "", 403, "only the system administrator (SAOR)"},
			{"not the SAOR adds", farmerToken, "POST", oauth.AdminPath + "/" + id + "/registrations", `{"organisation":{"id":"1"}}`, 403, "forbidden"},
			{"list", adminToken, "GET", oauth.AdminPath, "", 200, `"name":"HerdSync"`},
			{"get", adminToken, "GET", oauth.AdminPath + "/" + id, "", 200, `"email":"dev@herdsync.example"`},
			{"get missing", adminToken, "GET", oauth.AdminPath + "/999999", "", 404, "not_found"},
			{"name taken", adminToken, "POST", oauth.AdminPath, def, 409, "name taken"},
			{"invalid", adminToken, "POST", oauth.AdminPath, strings.Replace(def, `"all"`, `"friends"`, 1), 422, `visibility \"friends\": must be all, organisations or countries`},
			{"unknown member", adminToken, "POST", oauth.AdminPath, `{"nmae":"x"}`, 400, "unknown field"},
			{"update", adminToken, "PUT", oauth.AdminPath + "/" + id, strings.Replace(def, `"d"`, `"new words"`, 1), 200, `"description":"new words"`},
			{"add", adminToken, "POST", oauth.AdminPath + "/" + id + "/registrations", `{"organisation":{"id":"77","country":"FI"}}`, 201, `"organisation":"77"`},
			{"add twice", adminToken, "POST", oauth.AdminPath + "/" + id + "/registrations", `{"organisation":{"id":"77","country":"FI"}}`, 409, "exists"},
			{"registrations", adminToken, "GET", oauth.AdminPath + "/" + id + "/registrations", "", 200, `"country":"FI"`},
			{"remove from another integration", adminToken, "DELETE", oauth.AdminPath + "/999/registrations/1", "", 404, "not_found"},
			{"delete", adminToken, "DELETE", oauth.AdminPath + "/" + id, "", 204, ""},
			{"deleted", adminToken, "GET", oauth.AdminPath + "/" + id + "/registrations", "", 404, "not_found"},
		}
		for _, tt := range tests {
			status, body := call(tt.token, tt.method, tt.path, tt.body)
			if status != tt.status || !strings.Contains(body, tt.contains) {
				t.Errorf("%s: %d %s, want %d with %q", tt.name, status, body, tt.status, tt.contains)
			}
			if strings.Contains(body, "vlcs_") {
				t.Errorf("%s: a client secret in the admin API's answer: %s", tt.name, body)
			}
		}
	})
}
