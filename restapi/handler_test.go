package restapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/oauth"
	"github.com/vetlink/vetlink/oauth/storage"
	"github.com/vetlink/vetlink/restapi"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/rx/rxtest"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
)

// tokens is the test verifier: each token stands for a principal with
// the listed permissions.
type tokens map[string][]oauth.Permission

func (ts tokens) Verify(ctx context.Context, token string) (oauth.Principal, error) {
	// "user:<id>" acts for a vetlink user (an authorization_code token)
	// with every permission.
	if id, ok := strings.CutPrefix(token, "user:"); ok {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return oauth.Principal{}, fmt.Errorf("%w: bad test user token", oauth.ErrUnauthenticated)
		}
		return oauth.Principal{TokenID: token, ClientID: "app", User: rx.UserID(n), Permissions: oauth.Permissions()}, nil
	}
	// "org:<organisation>" is an integration's own token (client_credentials)
	// for the organisation that added it, with every permission.
	if org, ok := strings.CutPrefix(token, "org:"); ok {
		return oauth.Principal{TokenID: token, ClientID: "integration", VirtualUser: 1, Organisation: org, Permissions: oauth.Permissions()}, nil
	}
	perms, ok := ts[token]
	if !ok {
		return oauth.Principal{}, fmt.Errorf("%w: unknown test token", oauth.ErrUnauthenticated)
	}
	return oauth.Principal{TokenID: token, ClientID: "test", Permissions: perms}, nil
}

var testTokens = tokens{
	"all":       oauth.Permissions(),
	"casesonly": {oauth.ReadCases},
	"none":      nil,
}

// env is a loopback server of the API over a seeded herd.
type env struct {
	*httptest.Server
	herd *storetest.Herd
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	h := &storetest.Herd{Animals: 20, Cases: 40, Current: 4, Years: 1, Now: rxtest.Start}
	storetest.SeedHerd(t, db, h)
	in := storage.Integration{Name: "Herd Analytics", Description: "Reads cases and withholds", Visibility: storage.VisibleToAll,
		GrantType: storage.ClientCredentials, ClientType: storage.Confidential, Scopes: []string{"cases.read", "withholds.read"},
		Notify: storage.NotifyByEmail, Email: "partners@herd.example"}
	require.NoError(t, db.OAuth().CreateIntegration(context.Background(), &in))
	srv := httptest.NewServer(restapi.New(restapi.Config{Store: db.RestAPI(), Verifier: testTokens}))
	t.Cleanup(srv.Close)
	return &env{Server: srv, herd: h}
}

// get requests path (relative to the server, or a full URL) with token.
func (e *env) get(t *testing.T, token, path string, accept string) (int, http.Header, []byte) {
	t.Helper()
	u := path
	if !strings.HasPrefix(u, "http") {
		u = e.URL + path
	}
	req, err := http.NewRequest(http.MethodGet, u, nil)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	res, err := e.Client().Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, res.Header, body
}

func (e *env) getJSON(t *testing.T, token, path string) map[string]any {
	t.Helper()
	code, _, body := e.get(t, token, path, "")
	require.Equal(t, http.StatusOK, code, "%s: %s", path, body)
	var v map[string]any
	require.NoError(t, json.Unmarshal(body, &v))
	return v
}

// TestReadCaseFoundByFilter is the integrator's path end to end: find a
// farm's cases of one animal by a filter, read the first case by its url,
// follow its links to the prescription and its tasks.
func TestReadCaseFoundByFilter(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		list := e.getJSON(t, "all", fmt.Sprintf("/api/0.1/cases/?farm=%d&animal_id=A00003&initiation__lte=%s", e.herd.MOR,
			url.QueryEscape(rxtest.Start.Format("2006-01-02 15:04-07:00"))))
		results := list["results"].([]any)
		require.NotEmpty(t, results)
		require.Equal(t, float64(len(results)), list["count"])
		first := results[0].(map[string]any)
		require.Equal(t, "A00003", first["animal_id"])
		caseURL := first["url"].(string)
		require.Equal(t, fmt.Sprintf("%s/api/0.1/cases/%v/", e.URL, first["id"]), caseURL)

		c := e.getJSON(t, "all", caseURL)
		require.Equal(t, first, c)
		require.Equal(t, e.URL+"/api/0.1/prescriptions/"+e.herd.RxID+"/", c["prescription"])
		require.Equal(t, fmt.Sprintf("%s/api/0.1/farms/%d/", e.URL, e.herd.MOR), c["farm"])
		require.Equal(t, fmt.Sprintf("%s/api/0.1/farms/%d/animals/A00003/", e.URL, e.herd.MOR), c["animal"])

		p := e.getJSON(t, "all", c["prescription"].(string))
		require.Equal(t, e.herd.RxID, p["id"])
		tasks := e.getJSON(t, "all", c["tasks"].(string))
		require.Equal(t, float64(5), tasks["count"], "a flunixin case has 3 doses and 2 checks")
		for _, task := range tasks["results"].([]any) {
			require.Equal(t, caseURL, task.(map[string]any)["case"])
		}
		animal := e.getJSON(t, "all", c["animal"].(string))
		require.Equal(t, "A00003", animal["animal_id"])
		require.Equal(t, "DairyCattle", animal["species"])
	})
}

func TestListsAndObjects(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		tests := []struct {
			name, path string
			count      float64
		}{
			{"every case", "/api/0.1/cases/", 44},
			{"open tasks", "/api/0.1/tasks/?status=REQUIRED", 20},
			{"open tasks through a related prescription", "/api/0.1/tasks/?status__in=REQUIRED&prescription.status__not_in=RECALLED,DECLINED", 20},
			{"farm by name", "/api/0.1/farms/?username__icontains=SEEDFARM", 1},
			{"users by type", "/api/0.1/users/?type__in=VOR,MOR", 2},
			{"animals of the farm", fmt.Sprintf("/api/0.1/animals/?farm=%d", e.herd.MOR), 20},
			{"withholds of one animal", fmt.Sprintf("/api/0.1/withholds/?farm=%d&animal_id=A00000", e.herd.MOR), -1},
			{"time with an unescaped +", "/api/0.1/cases/?created_at__gte=2000-01-01%2000:00+00:00", 44},
			{"time with an escaped +", "/api/0.1/cases/?created_at__lt=2000-01-01+00:00%2B00:00", 0},
			{"no subscription", "/api/0.1/webhook_subscriptions/", 0},
			{"no delivery", "/api/0.1/webhook_deliveries/", 0},
			{"no protocol", "/api/0.1/protocols/", 0},
			{"no organisation", "/api/0.1/organisations/", 0},
			{"no department", "/api/0.1/departments/", 0},
			{"integrations by scope", "/api/0.1/integrations/?name__icontains=herd&grant_type=client_credentials", 1},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				v := e.getJSON(t, "all", tc.path)
				if tc.count >= 0 {
					require.Equal(t, tc.count, v["count"])
				}
				for _, r := range v["results"].([]any) {
					obj := r.(map[string]any)
					code, _, _ := e.get(t, "all", obj["url"].(string), "")
					require.Equal(t, http.StatusOK, code, "GET %s", obj["url"])
				}
			})
		}

		// Paging: 44 cases by 20.
		p1 := e.getJSON(t, "all", "/api/0.1/cases/?limit=20")
		require.Nil(t, p1["previous"])
		require.Len(t, p1["results"], 20)
		p2 := e.getJSON(t, "all", p1["next"].(string))
		require.Equal(t, float64(21), p2["results"].([]any)[0].(map[string]any)["id"])
		p3 := e.getJSON(t, "all", p2["next"].(string))
		require.Len(t, p3["results"], 4)
		require.Nil(t, p3["next"])
		require.Equal(t, e.URL+"/api/0.1/cases/?limit=20&offset=20", p3["previous"])

		// expose_prescription inlines the prescription, with its own url.
		v := e.getJSON(t, "all", "/api/0.1/cases/?limit=2&expose_prescription=true&expose_farm")
		for _, r := range v["results"].([]any) {
			obj := r.(map[string]any)
			p := obj["prescription"].(map[string]any)
			require.Equal(t, e.herd.RxID, p["id"])
			require.Equal(t, e.URL+"/api/0.1/prescriptions/"+e.herd.RxID+"/", p["url"])
			require.Equal(t, "seedfarm01", obj["farm"].(map[string]any)["username"])
		}
		integ := e.getJSON(t, "all", "/api/0.1/integrations/?name=Herd%20Analytics")["results"].([]any)[0].(map[string]any)
		require.Equal(t, []any{"cases.read", "withholds.read"}, integ["scopes"])
		one := e.getJSON(t, "all", "/api/0.1/tasks/1/?expose_case=1")
		require.Equal(t, e.URL+"/api/0.1/cases/1/", one["case"].(map[string]any)["url"])
	})
}

func TestProblems(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		tests := []struct {
			name, token, path string
			status            int
			errorType, field  string
			detail            string
		}{
			{"no token", "", "/api/0.1/cases/", 401, "unauthorized", "", "Bearer"},
			{"unknown token", "forged", "/api/0.1/cases/", 401, "unauthorized", "", "unknown"},
			{"missing permission", "none", "/api/0.1/cases/", 403, "forbidden", "", `"cases.read"`},
			{"another collection's permission", "casesonly", "/api/0.1/withholds/", 403, "forbidden", "", `"withholds.read"`},
			{"exposing needs the linked collection's permission", "casesonly", "/api/0.1/cases/?expose_prescription=true", 403, "forbidden", "", `"prescriptions.read"`},
			{"unknown field", "all", "/api/0.1/cases/?colour=red", 400, "invalid_filter", "colour", `unknown field "colour"`},
			{"unknown method", "all", "/api/0.1/cases/?id__like=1", 400, "invalid_filter", "id__like", `unknown method "like"`},
			{"wrong type", "all", "/api/0.1/cases/?head__gt=many", 400, "invalid_filter", "head__gt", "not an integer"},
			{"bad time", "all", "/api/0.1/withholds/?release_at__gt=tomorrow", 400, "invalid_filter", "release_at__gt", "YYYY-MM-DD hh:mm+hh:mm"},
			{"the first bad parameter is named", "all", "/api/0.1/cases/?id=1&note__regex=x&colour=red", 400, "invalid_filter", "note__regex", `unknown method "regex"`},
			{"unknown expose", "all", "/api/0.1/cases/?expose_owner=true", 400, "invalid_parameter", "expose_owner", `no exposable field "owner"`},
			{"bad limit", "all", "/api/0.1/cases/?limit=1000", 400, "invalid_parameter", "limit", "limit 1 to 500"},
			{"filter on an object", "all", "/api/0.1/cases/1/?id=2", 400, "invalid_parameter", "id", "filter its list"},
			{"unknown object", "all", "/api/0.1/cases/999999/", 404, "not_found", "", "no object"},
			{"key of the wrong type", "all", "/api/0.1/cases/abc/", 404, "not_found", "", "no object"},
			{"unknown collection", "all", "/api/0.1/herds/", 404, "not_found", "", "GET /api/0.1/"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				code, hdr, body := e.get(t, tc.token, tc.path, "")
				require.Equal(t, tc.status, code, "%s", body)
				require.Equal(t, "application/problem+json", hdr.Get("Content-Type"))
				var p restapi.Problem
				require.NoError(t, json.Unmarshal(body, &p))
				require.Equal(t, tc.errorType, p.ErrorType)
				require.Contains(t, p.Detail, tc.detail)
				if tc.field != "" {
					require.Len(t, p.Errors, 1)
					require.Equal(t, tc.field, p.Errors[0].Field)
				}
			})
		}
	})
}

// TestIndex checks the endpoint table: every collection with its
// permission, and the URL of every event the reference server publishes.
func TestIndex(t *testing.T) {
	db := storetest.SQLite(t)
	e := newEnv(t, db)
	code, _, body := e.get(t, "", "/api/0.1/", "")
	require.Equal(t, http.StatusOK, code)
	var idx struct {
		Endpoints []restapi.Endpoint
		Events    []restapi.EventLink
	}
	require.NoError(t, json.Unmarshal(body, &idx))
	require.Len(t, idx.Endpoints, len(restapi.Collections()))
	for _, ep := range idx.Endpoints {
		require.True(t, ep.Permission.Valid(), "%s: %q", ep.Collection, ep.Permission)
		require.NotEmpty(t, ep.Fields, ep.Collection)
	}

	// Every event openapi/events.go publishes has its URL.
	src, err := os.ReadFile("../openapi/events.go")
	require.NoError(t, err)
	published := regexp.MustCompile(`webhook\.EventType = "([a-z_.]+)"`).FindAllStringSubmatch(string(src), -1)
	require.NotEmpty(t, published)
	linked := map[string]restapi.EventLink{}
	for _, l := range idx.Events {
		linked[l.Event] = l
	}
	for _, m := range published {
		require.Contains(t, linked, m[1], "event %s has no URL in restapi.EventLinks", m[1])
	}

	// "webhook, then GET the object": each event's URL reads a seeded object.
	ids := map[string]string{"case_id": "1", "task_id": "1", "withhold_id": "1", "prescription_id": e.herd.RxID, "user_id": fmt.Sprint(e.herd.VOR)}
	for _, l := range idx.Events {
		id, ok := ids[l.Param]
		if !ok || !strings.HasPrefix(l.Path, restapi.Prefix) {
			continue
		}
		v := e.getJSON(t, "all", strings.Replace(l.Path, "{id}", id, 1))
		require.Equal(t, e.URL+strings.Replace(l.Path, "{id}", id, 1), v["url"], l.Event)
	}
}

func TestBrowsableHTML(t *testing.T) {
	db := storetest.SQLite(t)
	e := newEnv(t, db)
	const browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	for _, path := range []string{"/api/0.1/", "/api/0.1/cases/?limit=3&farm.username=seedfarm01", "/api/0.1/cases/1/", "/api/0.1/farms/" + fmt.Sprint(e.herd.MOR) + "/animals/A00001/"} {
		code, hdr, body := e.get(t, "all", path, browser)
		require.Equal(t, http.StatusOK, code, "%s: %s", path, body)
		require.Equal(t, "text/html; charset=utf-8", hdr.Get("Content-Type"))
		csp := hdr.Get("Content-Security-Policy")
		require.Contains(t, csp, "default-src 'none'")
		require.NotContains(t, csp, "unsafe-inline")
		page := string(body)
		require.NotContains(t, page, "<script")
		require.NotContains(t, page, "style=")
		require.Contains(t, page, `<pre id="json">`)
	}
	_, _, body := e.get(t, "all", "/api/0.1/cases/?limit=3", browser)
	page := string(body)
	for _, want := range []string{"initiation", "icontains_not", "expose_prescription=true", "next →", "/api/0.1/cases/1/", "cases.read", "&#34;count&#34;: 44"} {
		require.Contains(t, page, want)
	}
	_, _, body = e.get(t, "all", "/api/0.1/cases/1/", browser)
	require.Contains(t, string(body), "<h1>case 1</h1>")
	_, _, body = e.get(t, "all", "/api/0.1/integrations/1/", browser)
	require.Contains(t, string(body), "<h1>integration 1</h1>")
	// The same URL with format=json, or a JSON Accept, is the JSON.
	code, hdr, _ := e.get(t, "all", "/api/0.1/cases/?limit=3&format=json", browser)
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "application/json", hdr.Get("Content-Type"))
	_, hdr, _ = e.get(t, "all", "/api/0.1/cases/?limit=3", "application/json, text/html")
	require.Equal(t, "application/json", hdr.Get("Content-Type"))
}

// TestUserTokens checks that a token acting for a vetlink user reads what
// rx lets that user read: the farm and its veterinarian the farm's cases,
// another veterinarian none of them (an empty list, a 404 for one case,
// and nothing to expose).
func TestUserTokens(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		other := rx.User{Uname: "othervet01", Type: rx.VOR, Firstname: "Other", Lastname: "Vet"}
		require.NoError(t, db.Rx().CreateUser(context.Background(), &other))
		token := func(id rx.UserID) string { return fmt.Sprintf("user:%d", id) }

		require.Equal(t, float64(44), e.getJSON(t, token(e.herd.MOR), "/api/0.1/cases/")["count"])
		require.Equal(t, float64(44), e.getJSON(t, token(e.herd.VOR), "/api/0.1/cases/?limit=1")["count"])
		require.Equal(t, float64(0), e.getJSON(t, token(other.ID), "/api/0.1/cases/")["count"])
		require.Equal(t, float64(0), e.getJSON(t, token(other.ID), "/api/0.1/withholds/?release_at__gt=2000-01-01")["count"])
		code, _, _ := e.get(t, token(other.ID), "/api/0.1/cases/1/", "")
		require.Equal(t, http.StatusNotFound, code)
		// Exposing reads the linked object with the same user's rights.
		v := e.getJSON(t, token(e.herd.MOR), "/api/0.1/tasks/1/?expose_case=true")
		require.Equal(t, e.URL+"/api/0.1/cases/1/", v["case"].(map[string]any)["url"])
		// A client made outside the catalogue (no user, no organisation)
		// reads the whole collection.
		require.Equal(t, float64(44), e.getJSON(t, "all", "/api/0.1/cases/?limit=1")["count"])
	})
}

// TestOrganisationTokens checks that an integration's own token reads the
// rows of the organisation that added it: clinic A (the herd's vet) its
// vet's cases and not clinic B's case, in a list, as an object (404) and
// through expose_; a token whose organisation is no CLINIC or FARM ID
// reads nothing, never everything.
func TestOrganisationTokens(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		rs := db.Rx()
		mk := func(uname string, typ rx.UserType) rx.UserID {
			u := rx.User{Uname: uname, Type: typ, Firstname: "Org", Lastname: "User"}
			require.NoError(t, rs.CreateUser(ctx, &u))
			return u.ID
		}
		relate := func(kind rx.RelationKind, left, right rx.UserID) {
			require.NoError(t, rs.AddRelation(ctx, rx.Relation{Kind: kind, Left: left, Right: right}))
		}
		clinicA, clinicB, farmOrg := mk("clinic-a", rx.CLINIC), mk("clinic-b", rx.CLINIC), mk("farm-org-b", rx.FARM)
		vetB, farmB := mk("vet-b01", rx.VOR), mk("farm-b01", rx.MOR)
		relate(rx.Member, clinicA, e.herd.VOR)
		relate(rx.Client, vetB, farmB)
		relate(rx.Member, clinicB, vetB)
		relate(rx.Member, farmOrg, farmB)
		// Clinic B's one case: the herd's case 1 copied to vet B's
		// prescription of farm B, as case 1000001.
		pB := rx.Prescription{ID: rx.NewID(), Protocol: rxtest.Flunixin(), VOR: vetB, MOR: farmB, Refills: 10,
			Created: rxtest.Start.AddDate(-1, 0, 0), Status: rx.Initiated}
		require.NoError(t, rs.CreatePrescription(ctx, &pB))
		_, err := db.SQL().ExecContext(ctx, `INSERT INTO rx_cases (id, rx_id, animal_id, initiation, note, mor_id, vor_id, case_data, species, head, enrolled_by, created_at)
			SELECT 1000001, $1, animal_id, initiation, note, $2, $3, case_data, species, head, $2, created_at FROM rx_cases WHERE id = 1`,
			pB.ID, int64(farmB), int64(vetB))
		require.NoError(t, err)
		org := func(id rx.UserID) string { return fmt.Sprintf("org:%d", id) }

		lists := []struct {
			name, token, path string
			count             float64
		}{
			{"clinic A: its vet's cases", org(clinicA), "/api/0.1/cases/", 44},
			{"clinic A: not clinic B's case", org(clinicA), fmt.Sprintf("/api/0.1/cases/?farm=%d", farmB), 0},
			{"clinic A: itself among organisations", org(clinicA), "/api/0.1/organisations/", 1},
			{"clinic B: its vet's case", org(clinicB), "/api/0.1/cases/", 1},
			{"clinic B: not clinic A's cases", org(clinicB), fmt.Sprintf("/api/0.1/cases/?farm=%d", e.herd.MOR), 0},
			{"farm organisation: its manager's case", org(farmOrg), "/api/0.1/cases/", 1},
			{"an organisation that is not a number", "org:clinic-a", "/api/0.1/cases/", 0},
			{"organisation 0", "org:0", "/api/0.1/cases/", 0},
			{"a vet is no organisation", org(e.herd.VOR), "/api/0.1/cases/", 0},
			{"an unknown organisation", "org:999999", "/api/0.1/users/", 0},
		}
		for _, tc := range lists {
			t.Run(tc.name, func(t *testing.T) {
				require.Equal(t, tc.count, e.getJSON(t, tc.token, tc.path)["count"])
			})
		}

		objects := []struct {
			name, token, path string
			status            int
		}{
			{"clinic A reads its vet's case", org(clinicA), "/api/0.1/cases/1/", http.StatusOK},
			{"clinic A does not read clinic B's case", org(clinicA), "/api/0.1/cases/1000001/", http.StatusNotFound},
			{"clinic B reads its case", org(clinicB), "/api/0.1/cases/1000001/", http.StatusOK},
			{"clinic B does not read clinic A's case", org(clinicB), "/api/0.1/cases/1/", http.StatusNotFound},
			{"an organisation that is not a number reads no case", "org:clinic-a", "/api/0.1/cases/1/", http.StatusNotFound},
		}
		for _, tc := range objects {
			t.Run(tc.name, func(t *testing.T) {
				code, _, body := e.get(t, tc.token, tc.path, "")
				require.Equal(t, tc.status, code, "%s", body)
			})
		}

		// expose_ reads the linked objects with the organisation's rights:
		// clinic A's cases all inline the herd's prescription; the farm
		// organisation reads its manager's farm, but not clinic B's vet,
		// whose URL stays in place of the object.
		v := e.getJSON(t, org(clinicA), "/api/0.1/cases/?limit=50&expose_prescription=true")
		require.Len(t, v["results"], 44)
		for _, r := range v["results"].([]any) {
			require.Equal(t, e.herd.RxID, r.(map[string]any)["prescription"].(map[string]any)["id"])
		}
		c := e.getJSON(t, org(farmOrg), "/api/0.1/cases/1000001/?expose_farm=true&expose_vet=true")
		require.Equal(t, "farm-b01", c["farm"].(map[string]any)["username"])
		require.Equal(t, fmt.Sprintf("%s/api/0.1/users/%d/", e.URL, vetB), c["vet"])
		// The same case read by a client made outside the catalogue inlines the vet.
		c = e.getJSON(t, "all", "/api/0.1/cases/1000001/?expose_vet=true")
		require.Equal(t, "vet-b01", c["vet"].(map[string]any)["username"])
	})
}
