package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/vetlink/vetlink/oauth"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/site"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
)

// TestRxOrganisations checks the catalogue's directory over the rx store
// on both engines: which IDs are organisations, their country, and who is
// an active member.
func TestRxOrganisations(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		mk := func(uname string, typ rx.UserType) rx.User {
			u := rx.User{Uname: uname, Type: typ, Firstname: "Test", Lastname: "User"}
			if err := db.Rx().CreateUser(ctx, &u); err != nil {
				t.Fatal(err)
			}
			return u
		}
		clinic, farm, vet, otherVet, manager, leftVet := mk("clinic_north", rx.CLINIC), mk("farm_group", rx.FARM),
			mk("vet_member", rx.VOR), mk("vet_outside", rx.VOR), mk("farm_manager", rx.MOR), mk("vet_unvor", rx.VOR)
		for _, r := range []rx.Relation{
			{Kind: rx.Member, Left: clinic.ID, Right: vet.ID},
			{Kind: rx.Member, Left: farm.ID, Right: manager.ID},
			{Kind: rx.Member, Left: clinic.ID, Right: leftVet.ID},
		} {
			if err := db.Rx().AddRelation(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		// A member whose account was withdrawn stays related but is no
		// longer active.
		leftVet.Type = rx.UnVOR
		if err := db.Rx().UpdateUser(ctx, leftVet); err != nil {
			t.Fatal(err)
		}
		if err := db.Site().SaveAddress(ctx, site.Address{UserID: clinic.ID, Address1: "1 Main St", Town: "Oulu", Country: " fi"}); err != nil {
			t.Fatal(err)
		}
		if err := db.Site().SaveAddress(ctx, site.Address{UserID: farm.ID, Address1: "Farm Road", Town: "Ames", Country: "USA"}); err != nil {
			t.Fatal(err)
		}
		id := func(u rx.User) string { return strconv.FormatInt(int64(u.ID), 10) }
		dir := rxOrganisations{rx: db.Rx(), site: db.Site()}

		orgs := []struct {
			name, id, country, err string
		}{
			{"clinic, country from its address", id(clinic), "FI", ""},
			{"farm whose address country is no ISO code", id(farm), "", ""},
			{"a VOR", id(vet), "", "is a VOR, not a CLINIC or FARM"},
			{"no such user", "987654321", "", "no user 987654321"},
			{"leading zero", "0" + id(clinic), "", "is not a user ID"},
			{"not a number", "north", "", `"north" is not a user ID`},
		}
		for _, tt := range orgs {
			got, err := dir.Organisation(ctx, tt.id)
			if tt.err != "" {
				if !errors.Is(err, oauth.ErrNoOrganisation) || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("%s: Organisation(%q) = %+v, %v; want ErrNoOrganisation with %q", tt.name, tt.id, got, err, tt.err)
				}
				continue
			}
			if err != nil || got != (oauth.Organisation{ID: tt.id, Country: tt.country}) {
				t.Errorf("%s: Organisation(%q) = %+v, %v; want country %q", tt.name, tt.id, got, err, tt.country)
			}
		}

		members := []struct {
			name string
			org  rx.User
			user rx.User
			want bool
		}{
			{"clinic's VOR", clinic, vet, true},
			{"a VOR of no clinic", clinic, otherVet, false},
			{"farm's MOR", farm, manager, true},
			{"farm's MOR at the clinic", clinic, manager, false},
			{"clinic's VOR at the farm", farm, vet, false},
			{"withdrawn member (UNVOR)", clinic, leftVet, false},
			{"the clinic itself", clinic, clinic, false},
		}
		for _, tt := range members {
			got, err := dir.HasMember(ctx, id(tt.org), tt.user.ID)
			if err != nil || got != tt.want {
				t.Errorf("%s: HasMember(%d, %d) = %v, %v; want %v", tt.name, tt.org.ID, tt.user.ID, got, err, tt.want)
			}
		}
		if _, err := dir.HasMember(ctx, id(vet), vet.ID); !errors.Is(err, oauth.ErrNoOrganisation) {
			t.Errorf("HasMember of a VOR's ID: %v, want ErrNoOrganisation", err)
		}
	})
}

// TestOrganisationIntegrations drives the organisations' self-service API
// through the real server on both engines: a clinic's VOR lists the
// catalogue, adds an integration (its hookup URL receives the signed
// registration, whose credentials work) and removes it (they stop
// working); another clinic's VOR is refused, and made-up organisation IDs
// are unknown.
func TestOrganisationIntegrations(t *testing.T) {
	onEachEngine(t, testOrganisationIntegrations)
}

// createUser has the administrator (session token admin) create the
// account uname of type typ, with the password e2ePassword, through the
// VCPR API, and returns its ID as the catalogue names organisations. The
// catalogue registers integrations for real CLINIC and FARM users only.
func createUser(t *testing.T, base, admin, uname string, typ rx.UserType) string {
	t.Helper()
	var out struct {
		User rx.User `json:"user"`
	}
	status, body := call(t, "POST", base+"/api/users", admin, fmt.Sprintf(
		`{"user":{"uname":%q,"userType":%q,"email":"%s@example.org","firstname":"Test","lastname":"User"},"password":%q}`,
		uname, typ, uname, e2ePassword))
	if status != 200 || json.Unmarshal(body, &out) != nil || out.User.ID == 0 {
		t.Fatalf("create %s: %d %s", uname, status, body)
	}
	return strconv.FormatInt(int64(out.User.ID), 10)
}

func testOrganisationIntegrations(t *testing.T, dsn string) {
	addr := startIntegrationServer(t, dsn, "org-integrations-e2e")
	ctx := t.Context()
	base := "http://" + addr
	login := func(uname, password string) string {
		t.Helper()
		var sess struct {
			Token string `json:"token"`
		}
		status, body := call(t, "POST", base+"/api/users/logins", "", fmt.Sprintf(`{"apikey":%q,"identifier":%q,"password":%q}`, e2eAPIKey, uname, password))
		if status != 200 || json.Unmarshal(body, &sess) != nil || sess.Token == "" {
			t.Fatalf("login %s: %d %s", uname, status, body)
		}
		return sess.Token
	}
	admin := login("administrator", e2eAdminPassword)

	// Two clinics, each with one veterinarian, made by the administrator
	// through the VCPR API.
	create := func(uname string, typ rx.UserType) string { return createUser(t, base, admin, uname, typ) }
	north, northVet, south, southVet := create("clinic_north", rx.CLINIC), create("vet_north", rx.VOR), create("clinic_south", rx.CLINIC), create("vet_south", rx.VOR)
	for _, m := range [][2]string{{north, northVet}, {south, southVet}} {
		if status, body := call(t, "POST", base+"/api/users/relations", admin, `{"name":"MEMBER","left":`+m[0]+`,"right":`+m[1]+`}`); status != 200 {
			t.Fatalf("relate %s: %d %s", m, status, body)
		}
	}
	vetN, vetS := login("vet_north", e2ePassword), login("vet_south", e2ePassword)

	integration, got := hookupIntegration(t, base, admin, func(hookup string) string {
		return `{"name":"HerdSync","description":"Herd records",
		"visibility":"all","grant_type":"client_credentials","client_type":"confidential",
		"scopes":["cases.read"],"notify":"hookup","hookup_url":"` + hookup + `"}`
	})
	id := strconv.FormatInt(integration.ID, 10)
	orgPath := func(org string) string { return base + oauth.OrganisationsPath + "/" + org + "/integrations" }

	refusals := []struct {
		name, token, method, url, body string
		status                         int
		contains                       string
	}{
		{"another clinic's VOR lists", vetS, "GET", orgPath(north), "", 403, `is not an active member of organisation \"` + north + `\"`},
		{"another clinic's VOR adds", vetS, "POST", orgPath(north) + "/" + id, "", 403, "forbidden"},
		{"a made-up organisation", vetN, "GET", orgPath("987654321"), "", 404, "no user 987654321"},
		{"a VOR is no organisation", vetN, "POST", orgPath(northVet) + "/" + id, "", 404, "is a VOR, not a CLINIC or FARM"},
		{"the admin API refuses a made-up organisation", admin, "POST", base + oauth.AdminPath + "/" + id + "/registrations",
			`{"organisation":{"id":"987654321","country":"FI"}}`, 422, "no such organisation"},
		{"without a session", "", "GET", orgPath(north), "", 401, "unauthorized"},
	}
	for _, tt := range refusals {
		status, body := call(t, tt.method, tt.url, tt.token, tt.body)
		if status != tt.status || !strings.Contains(string(body), tt.contains) {
			t.Errorf("%s: %d %s, want %d with %q", tt.name, status, body, tt.status, tt.contains)
		}
	}

	var entries []oauth.CatalogueEntry
	status, body := call(t, "GET", orgPath(north), vetN, "")
	if status != 200 || json.Unmarshal(body, &entries) != nil || len(entries) != 1 || entries[0].Name != "HerdSync" || entries[0].Registration != nil {
		t.Fatalf("the VOR lists: %d %s, want HerdSync not added", status, body)
	}

	status, body = call(t, "POST", orgPath(north)+"/"+id, vetN, "")
	var reg oauth.Registration
	if status != 201 || json.Unmarshal(body, &reg) != nil || reg.Organisation != north || strings.Contains(string(body), "vlcs_") {
		t.Fatalf("the VOR adds: %d %s", status, body)
	}
	var doc oauth.RegistrationDocument
	select {
	case b := <-got:
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the registration did not reach the hookup URL")
	}
	if doc.ClientID != reg.ClientID || doc.ClientSecret == nil || string(doc.ProvetID) != north {
		t.Fatalf("registration document %+v, want client %s of organisation %s", doc, reg.ClientID, north)
	}
	cc := clientcredentials.Config{ClientID: doc.ClientID, ClientSecret: *doc.ClientSecret, TokenURL: doc.TokenURL}
	if _, err := cc.Token(ctx); err != nil {
		t.Fatalf("the new credentials: %v", err)
	}

	status, body = call(t, "GET", orgPath(north), vetN, "")
	if status != 200 || json.Unmarshal(body, &entries) != nil || len(entries) != 1 || entries[0].Registration == nil || entries[0].Registration.ID != reg.ID {
		t.Fatalf("the VOR lists after adding: %d %s, want registration %d", status, body, reg.ID)
	}
	if status, body := call(t, "DELETE", orgPath(north)+"/"+id, vetS, ""); status != 403 {
		t.Errorf("another clinic's VOR removes: %d %s, want 403", status, body)
	}
	if status, body := call(t, "DELETE", orgPath(north)+"/"+id, vetN, ""); status != 204 {
		t.Fatalf("the VOR removes: %d %s", status, body)
	}
	if _, err := cc.Token(ctx); err == nil {
		t.Error("removed credentials still get a token")
	}
}
