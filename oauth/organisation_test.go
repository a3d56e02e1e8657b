package oauth_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/vetlink/vetlink/oauth"
	"github.com/vetlink/vetlink/oauth/storage"
	"github.com/vetlink/vetlink/rx"
)

// directory is an embedding application's organisations: their countries
// and members.
type directory struct {
	orgs    map[string]oauth.Organisation
	members map[string][]rx.UserID
}

func (d directory) Organisation(_ context.Context, id string) (oauth.Organisation, error) {
	o, ok := d.orgs[id]
	if !ok {
		return oauth.Organisation{}, fmt.Errorf("%w: %q is not in the test directory", oauth.ErrNoOrganisation, id)
	}
	return o, nil
}

func (d directory) HasMember(_ context.Context, id string, user rx.UserID) (bool, error) {
	return slices.Contains(d.members[id], user), nil
}

// orgFixture is a catalogue with a directory of two organisations, 100
// (FI) and 200 (SE), each with one VOR member, and four integrations.
type orgFixture struct {
	cat                  *oauth.Catalogue
	mailer               *recordingMailer
	member, outsider     rx.User // members of 100 and of 200
	admin                rx.User // the SAOR
	all, fi, se, only200 oauth.Integration
}

func newOrgFixture(t *testing.T, b *bundle) *orgFixture {
	t.Helper()
	ctx := context.Background()
	f := &orgFixture{
		member:   rx.User{Uname: "vet_member", Type: rx.VOR, Firstname: "Mia", Lastname: "Member"},
		outsider: rx.User{Uname: "vet_outsider", Type: rx.VOR, Firstname: "Otto", Lastname: "Outsider"},
		admin:    rx.User{Uname: "site_admin", Type: rx.SAOR, Firstname: "Ada", Lastname: "Admin"},
	}
	for _, u := range []*rx.User{&f.member, &f.outsider, &f.admin} {
		if err := b.db.Rx().CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if err := b.auth.SetPassword(ctx, u.ID, testPassword); err != nil {
			t.Fatal(err)
		}
	}
	f.cat, f.mailer = b.catalogue(t)
	f.cat.Organisations = directory{
		orgs:    map[string]oauth.Organisation{"100": {ID: "100", Country: "FI"}, "200": {ID: "200", Country: "SE"}},
		members: map[string][]rx.UserID{"100": {f.member.ID}, "200": {f.outsider.ID}},
	}
	define := func(name string, vis storage.Visibility, to ...string) oauth.Integration {
		in, _, err := f.cat.Define(ctx, oauth.Integration{Name: name, Description: name + " integration", Visibility: vis, VisibleTo: to,
			GrantType: storage.ClientCredentials, ClientType: storage.Confidential, Scopes: []string{"cases.read"},
			Notify: storage.NotifyByEmail, Email: "dev@" + strings.ToLower(name) + ".example"})
		if err != nil {
			t.Fatal(err)
		}
		return in
	}
	f.all = define("Everywhere", storage.VisibleToAll)
	f.fi = define("Finland", storage.VisibleToCountries, "FI")
	f.se = define("Sweden", storage.VisibleToCountries, "SE")
	f.only200 = define("Private", storage.VisibleToOrganisations, "200")
	return f
}

// TestAddChecksOrganisation: with a directory, Add refuses an ID that
// names no organisation and takes the country from the directory when
// none is given; the admin API answers 422 naming the ID.
func TestAddChecksOrganisation(t *testing.T) {
	engines(t, func(t *testing.T, b *bundle) {
		ctx := context.Background()
		f := newOrgFixture(t, b)
		tests := []struct {
			name        string
			integration int64
			org         oauth.Organisation
			err         error
			country     string
		}{
			{"unknown ID", f.all.ID, oauth.Organisation{ID: "999", Country: "FI"}, oauth.ErrNoOrganisation, ""},
			{"country from the directory", f.fi.ID, oauth.Organisation{ID: "100"}, nil, "FI"},
			{"directory's country decides visibility", f.se.ID, oauth.Organisation{ID: "100"}, oauth.ErrNotVisible, ""},
			{"given country kept", f.all.ID, oauth.Organisation{ID: "200", Country: "NO"}, nil, "NO"},
		}
		for _, tt := range tests {
			reg, err := f.cat.Add(ctx, tt.integration, tt.org)
			if !errors.Is(err, tt.err) || (tt.err == nil && reg.Country != tt.country) {
				t.Errorf("%s: Add(%d, %+v) = %+v, %v; want country %q, error %v", tt.name, tt.integration, tt.org, reg, err, tt.country, tt.err)
			}
		}

		srv := httptest.NewServer(f.cat.AdminHandler(b.auth, b.db.Rx()))
		t.Cleanup(srv.Close)
		s, err := b.auth.Login(ctx, b.apiKey, f.admin.Uname, testPassword)
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("POST", fmt.Sprintf("%s%s/%d/registrations", srv.URL, oauth.AdminPath, f.all.ID),
			strings.NewReader(`{"organisation":{"id":"4711","country":"FI"}}`))
		req.Header.Set("X-APIKEY", b.apiKey)
		req.Header.Set("X-Auth-Token", s.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 422 || !strings.Contains(string(body), `organisation \"4711\"`) || !strings.Contains(string(body), "no such organisation") {
			t.Errorf("admin adds for an unknown organisation: %d %s, want 422 naming it", resp.StatusCode, body)
		}
	})
}

// TestOrganisationAPI drives the self-service API: a member lists, adds
// and removes; an outsider, another user and an unknown organisation are
// refused; hidden integrations stay hidden; no client secret is answered.
func TestOrganisationAPI(t *testing.T) {
	engines(t, func(t *testing.T, b *bundle) {
		ctx := context.Background()
		f := newOrgFixture(t, b)
		srv := httptest.NewServer(f.cat.OrganisationHandler(b.auth, b.db.Rx()))
		t.Cleanup(srv.Close)
		session := func(uname string) string {
			s, err := b.auth.Login(ctx, b.apiKey, uname, testPassword)
			if err != nil {
				t.Fatal(err)
			}
			return s.Token
		}
		member, outsider, admin, farmer := session(f.member.Uname), session(f.outsider.Uname), session(f.admin.Uname), session(b.user.Uname)
		call := func(token, method, path string) (int, string) {
			t.Helper()
			req, _ := http.NewRequest(method, srv.URL+oauth.OrganisationsPath+path, nil)
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
		all, fi, se := itoa(f.all.ID), itoa(f.fi.ID), itoa(f.se.ID)

		tests := []struct {
			name, token, method, path string
			status                    int
			contains                  []string
			lacks                     []string
		}{
			{"no session", "", "GET", "/100/integrations", 401, []string{`"errorType":"unauthorized"`}, nil},
			{"another organisation's member", outsider, "GET", "/100/integrations", 403,
				[]string{fmt.Sprintf(`user %d (VOR) is not an active member of organisation \"100\"`, f.outsider.ID)}, nil},
			{"a farm manager of no organisation", farmer, "POST", "/100/integrations/" + all, 403, []string{"only its members and the system administrator"}, nil},
			{"unknown organisation", member, "GET", "/999/integrations", 404, []string{`organisation \"999\"`, "no such organisation"}, nil},
			{"member lists", member, "GET", "/100/integrations", 200,
				[]string{`"name":"Everywhere"`, `"name":"Finland"`, `"scopes":["cases.read"]`, `"registration":null`},
				[]string{`"name":"Sweden"`, `"name":"Private"`, "visible_to", "dev@"}},
			{"member adds", member, "POST", "/100/integrations/" + all, 201, []string{`"organisation":"100"`, `"country":"FI"`, `"client_id":"`}, nil},
			{"member adds twice", member, "POST", "/100/integrations/" + all, 409, []string{"conflict"}, nil},
			{"hidden integration", member, "POST", "/100/integrations/" + se, 404,
				[]string{fmt.Sprintf(`integration %s is not in the catalogue of organisation \"100\"`, se)}, []string{"Sweden"}},
			{"missing integration", member, "POST", "/100/integrations/999999", 404, []string{"is not in the catalogue"}, nil},
			{"not an ID", member, "POST", "/100/integrations/abc", 404, []string{`id \"abc\" is not an ID`}, nil},
			{"member sees it added", member, "GET", "/100/integrations", 200, []string{`"registration":{"id":`}, nil},
			{"the SAOR lists another", admin, "GET", "/200/integrations", 200,
				[]string{`"name":"Sweden"`, `"name":"Private"`, `"registration":null`}, []string{`"name":"Finland"`}},
			{"outsider removes", outsider, "DELETE", "/100/integrations/" + all, 403, []string{"forbidden"}, nil},
			{"remove one not added", member, "DELETE", "/100/integrations/" + fi, 404,
				[]string{fmt.Sprintf(`organisation \"100\" has not added integration %s`, fi)}, nil},
			{"member removes", member, "DELETE", "/100/integrations/" + all, 204, nil, nil},
			{"removed", member, "DELETE", "/100/integrations/" + all, 404, []string{"has not added"}, nil},
			{"listed as not added", member, "GET", "/100/integrations", 200, []string{`"registration":null`}, []string{`"registration":{`}},
		}
		for _, tt := range tests {
			status, body := call(tt.token, tt.method, tt.path)
			if status != tt.status {
				t.Errorf("%s: %d %s, want %d", tt.name, status, body, tt.status)
			}
			for _, s := range tt.contains {
				if !strings.Contains(body, s) {
					t.Errorf("%s: %s, want it to contain %s", tt.name, body, s)
				}
			}
			for _, s := range tt.lacks {
				if strings.Contains(body, s) {
					t.Errorf("%s: %s, want no %s", tt.name, body, s)
				}
			}
			if strings.Contains(body, "vlcs_") {
				t.Errorf("%s: a client secret in the answer: %s", tt.name, body)
			}
		}

		// The secret went to the integration by e-mail; its credentials
		// were revoked when the member removed it.
		f.mailer.mu.Lock()
		mails := slices.Clone(f.mailer.mails)
		f.mailer.mu.Unlock()
		if len(mails) != 1 || !strings.HasPrefix(mails[0], "dev@everywhere.example\n") {
			t.Fatalf("mails %q, want one to dev@everywhere.example", mails)
		}
		m := regexp.MustCompile(`"client_id": "([^"]+)",\s+"client_secret": "([^"]+)"`).FindStringSubmatch(mails[0])
		if m == nil {
			t.Fatalf("no credentials in the mail:\n%s", mails[0])
		}
		cc := clientcredentials.Config{ClientID: m[1], ClientSecret: m[2], TokenURL: b.issuer + oauth.TokenPath}
		if _, err := cc.Token(ctx); errorCode(t, err) != "invalid_client" {
			t.Errorf("credentials of the removed registration: %v, want invalid_client", err)
		}
	})
}

// TestOrganisationHandlerNeedsDirectory: without a directory there is no
// way to tell members, so the handler is not built.
func TestOrganisationHandlerNeedsDirectory(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "Catalogue.Organisations") {
			t.Errorf("OrganisationHandler without a directory: recovered %v, want a panic naming Catalogue.Organisations", r)
		}
	}()
	(&oauth.Catalogue{}).OrganisationHandler(nil, nil)
}
