package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/vetlink/vetlink/oauth"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/rx/rxtest"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
)

// TestRestAPIEndToEnd is an integrator's day against the real server, on
// both engines: added by a farm group (a FARM organisation whose member is
// the seeded farm) and registered by hookup, it gets a token by client
// credentials, finds the farm's case of one animal through a filter and
// reads it by its url, while another organisation's case is a 404 to it;
// then a webhook tells it user_id=<id> of a new technician, whom it reads
// once the farm employs them. What its scopes do not grant is a 403
// naming the permission.
func TestRestAPIEndToEnd(t *testing.T) {
	onEachEngine(t, testRestAPI)
}

func testRestAPI(t *testing.T, dsn string) {
	addr := startIntegrationServer(t, dsn, "restapi-e2e")
	ctx := t.Context()
	base := "http://" + addr

	// A farm's five years of history, written into the server's database.
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	herd := &storetest.Herd{Animals: 50, Cases: 100, Current: 5, Years: 5, Now: rxtest.Start}
	storetest.SeedHerd(t, db, herd)
	otherCase := otherOrganisationCase(t, db, herd)
	db.Close()

	var sess struct {
		Token string `json:"token"`
	}
	status, body := call(t, "POST", base+"/api/users/logins", "", fmt.Sprintf(`{"apikey":%q,"identifier":"administrator","password":%q}`, e2eAPIKey, e2eAdminPassword))
	if status != 200 || json.Unmarshal(body, &sess) != nil || sess.Token == "" {
		t.Fatalf("login: %d %s", status, body)
	}

	// The integration's receiver: its registration and its webhooks.
	got := map[string]chan []byte{"/hookup": make(chan []byte, 4), "/events": make(chan []byte, 16)}
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if ch, ok := got[r.URL.Path]; ok {
			ch <- b
		}
	}))
	defer recv.Close()
	receive := func(path string) []byte {
		select {
		case b := <-got[path]:
			return b
		case <-time.After(20 * time.Second):
			t.Fatalf("nothing reached %s", path)
			return nil
		}
	}

	status, body = call(t, "POST", base+oauth.AdminPath, sess.Token, `{"name":"CaseReader","description":"Reads cases",
		"visibility":"all","grant_type":"client_credentials","client_type":"confidential",
		"scopes":["cases.read","users.read"],"notify":"hookup","hookup_url":"`+recv.URL+`/hookup"}`)
	var defined struct {
		Integration oauth.Integration `json:"integration"`
	}
	if status != 201 || json.Unmarshal(body, &defined) != nil {
		t.Fatalf("define: %d %s", status, body)
	}
	org := createUser(t, base, sess.Token, "farm_group_e2e", rx.FARM) // only a real organisation adds one
	if status, body := call(t, "POST", base+"/api/users/relations", sess.Token, fmt.Sprintf(`{"name":"MEMBER","left":%s,"right":%d}`, org, herd.MOR)); status != 200 {
		t.Fatalf("the seeded farm joins the farm group: %d %s", status, body)
	}
	status, body = call(t, "POST", fmt.Sprintf("%s%s/%d/registrations", base, oauth.AdminPath, defined.Integration.ID), sess.Token,
		`{"organisation":{"id":"`+org+`","country":"US"}}`)
	if status != 201 {
		t.Fatalf("add: %d %s", status, body)
	}
	var reg oauth.RegistrationDocument // bare, as the practice-management cloud posts it
	if err := json.Unmarshal(receive("/hookup"), &reg); err != nil || reg.ClientSecret == nil {
		t.Fatalf("registration: %v %+v", err, reg)
	}
	cc := clientcredentials.Config{ClientID: reg.ClientID, ClientSecret: *reg.ClientSecret, TokenURL: reg.TokenURL,
		Scopes: []string{"cases.read", "users.read"}}
	tok, err := cc.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	get := func(u string) (int, map[string]any) {
		t.Helper()
		if !strings.HasPrefix(u, "http") {
			u = base + u
		}
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var v map[string]any
		if err := json.NewDecoder(res.Body).Decode(&v); err != nil {
			t.Fatalf("GET %s: %d, %v", u, res.StatusCode, err)
		}
		return res.StatusCode, v
	}

	// A case found through a filter, then read by its url.
	status, list := get(fmt.Sprintf("/api/0.1/cases/?farm=%d&animal_id=A00003&farm.username__icontains=SEEDFARM", herd.MOR))
	if status != 200 || list["count"].(float64) < 1 {
		t.Fatalf("filtered cases: %d %v", status, list)
	}
	first := list["results"].([]any)[0].(map[string]any)
	status, c := get(first["url"].(string))
	if status != 200 || c["id"] != first["id"] || c["animal_id"] != "A00003" || c["prescription"] != base+"/api/0.1/prescriptions/"+herd.RxID+"/" {
		t.Fatalf("case: %d %v", status, c)
	}
	// Another organisation's case is not the integration's to read: a
	// filter that names its farm finds nothing, its url is a 404.
	if status, list := get("/api/0.1/cases/?farm.username__icontains=otherfarm"); status != 200 || list["count"] != float64(0) {
		t.Errorf("another organisation's farm's cases: %d %v", status, list)
	}
	if status, p := get(fmt.Sprintf("/api/0.1/cases/%d/", otherCase)); status != 404 {
		t.Errorf("another organisation's case: %d %v, want 404", status, p)
	}
	// What the token's scopes do not grant.
	if status, p := get(c["prescription"].(string)); status != 403 || !strings.Contains(p["detail"].(string), `"prescriptions.read"`) {
		t.Errorf("prescription without prescriptions.read: %d %v", status, p)
	}
	if status, p := get("/api/0.1/cases/?colour=brown"); status != 400 || p["errors"].([]any)[0].(map[string]any)["field"] != "colour" {
		t.Errorf("unknown filter: %d %v", status, p)
	}

	// "Webhook, then GET the object": a farm technician (TOR) is created,
	// the webhook says user_id=<id>; once the farm employs the technician,
	// the integration reads /api/0.1/users/<id>/ (before, it is none of its
	// organisation's: a 404).
	status, body = call(t, "POST", base+"/api/admin/webhooks/subscriptions", sess.Token,
		`{"name":"CaseReader","url":"`+recv.URL+`/events","events":["user.created_or_updated"],"format":"form"}`)
	if status != 201 && status != 200 {
		t.Fatalf("subscribe: %d %s", status, body)
	}
	status, body = call(t, "POST", base+"/api/users", sess.Token,
		`{"user":{"uname":"newtech01","userType":"TOR","email":"newtech@example.com","firstname":"New","lastname":"Tech"},"password":"`+e2ePassword+`"}`)
	if status != 200 {
		t.Fatalf("create user: %d %s", status, body)
	}
	form, err := url.ParseQuery(string(receive("/events")))
	if err != nil || form.Get("user_id") == "" {
		t.Fatalf("webhook: %v %v", form, err)
	}
	if status, p := get("/api/0.1/users/" + form.Get("user_id") + "/"); status != 404 {
		t.Errorf("a technician of no farm: %d %v, want 404", status, p)
	}
	status, body = call(t, "POST", base+"/api/users/relations", sess.Token,
		fmt.Sprintf(`{"name":"EMPLOYEE","left":%d,"right":%s}`, herd.MOR, form.Get("user_id")))
	if status != 200 {
		t.Fatalf("the farm employs the technician: %d %s", status, body)
	}
	status, u := get("/api/0.1/users/" + form.Get("user_id") + "/")
	if status != 200 || u["username"] != "newtech01" || u["type"] != "TOR" {
		t.Fatalf("user of the webhook: %d %v", status, u)
	}
}

// otherOrganisationCase writes, beside the herd h, another organisation's
// case: a FARM organisation whose member is another farm, that farm's vet
// and prescription, and a copy of the herd's case 1 under it. It returns
// the case's ID.
func otherOrganisationCase(t *testing.T, db *store.DB, h *storetest.Herd) int64 {
	t.Helper()
	ctx := t.Context()
	rs := db.Rx()
	var users [3]rx.User
	for i, u := range []rx.User{
		{Uname: "othergroup01", Type: rx.FARM, Firstname: "Other", Lastname: "Group"},
		{Uname: "othervet01", Type: rx.VOR, Firstname: "Other", Lastname: "Vet"},
		{Uname: "otherfarm01", Type: rx.MOR, Firstname: "Other", Lastname: "Farm"},
	} {
		if err := rs.CreateUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
		users[i] = u
	}
	group, vet, farm := users[0].ID, users[1].ID, users[2].ID
	for _, r := range []rx.Relation{{Kind: rx.Member, Left: group, Right: farm}, {Kind: rx.Client, Left: vet, Right: farm}} {
		if err := rs.AddRelation(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	p := rx.Prescription{ID: rx.NewID(), Protocol: rxtest.Flunixin(), VOR: vet, MOR: farm, Refills: 10,
		Created: h.Now.AddDate(-1, 0, 0), Status: rx.Initiated}
	if err := rs.CreatePrescription(ctx, &p); err != nil {
		t.Fatal(err)
	}
	const id = 1_000_001
	if _, err := db.SQL().ExecContext(ctx, `INSERT INTO rx_cases (id, rx_id, animal_id, initiation, note, mor_id, vor_id, case_data, species, head, enrolled_by, created_at)
		SELECT $1, $2, animal_id, initiation, note, $3, $4, case_data, species, head, $3, created_at FROM rx_cases WHERE id = 1`,
		int64(id), p.ID, int64(farm), int64(vet)); err != nil {
		t.Fatal(err)
	}
	return id
}
