package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/vetlink/vetlink/client"
	"github.com/vetlink/vetlink/webhook"
)

// fakeIntegrationAPI answers a client-credentials token and a list of
// five withholds of farm 7, two a page, as /api/0.1/ does.
func fakeIntegrationAPI() *httptest.Server {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/oauth/token":
			fmt.Fprint(w, `{"access_token":"opaque","token_type":"Bearer","expires_in":3600}`)
		case "/api/0.1/withholds/":
			if r.Header.Get("Authorization") != "Bearer opaque" || r.URL.Query().Get("farm__eq") != "7" {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			off, _ := strconv.Atoi(r.URL.Query().Get("offset"))
			var results []map[string]any
			for i := off; i < min(off+2, 5); i++ {
				results = append(results, map[string]any{"id": i + 1, "animal_id": fmt.Sprintf("cow-%d", i+1)})
			}
			var next *string
			if off+2 < 5 {
				q := r.URL.Query()
				q.Set("offset", strconv.Itoa(off+2))
				n := srv.URL + r.URL.Path + "?" + q.Encode()
				next = &n
			}
			_ = json.NewEncoder(w).Encode(map[string]any{"count": 5, "next": next, "results": results})
		}
	}))
	return srv
}

func ExampleFilter() {
	admitted := time.Date(2026, 3, 1, 6, 0, 0, 0, time.FixedZone("CET", 3600))
	q, err := client.Query(
		client.Filter("admitted_time").Gte(admitted),
		client.Filter("animal_id").In("Bossie34", "Clover"),
		client.Filter("prescription.status").Eq("ACTIVE"))
	fmt.Println(q, err)
	unescaped, _ := url.QueryUnescape(q)
	fmt.Println(unescaped)

	// A bad field or value is an error, never a query string.
	_, err = client.Query(client.Filter("admitted_time&limit").Gte(admitted))
	fmt.Println(err)
	// Output:
	// admitted_time__gte=2026-03-01+06%3A00%2B01%3A00&animal_id__in=Bossie34%2CClover&prescription.status__eq=ACTIVE <nil>
	// admitted_time__gte=2026-03-01 06:00+01:00&animal_id__in=Bossie34,Clover&prescription.status__eq=ACTIVE
	// client: filter field "admitted_time&limit": must be lowercase letters, digits and underscores, with no "__", optionally related.field
}

func ExampleList() {
	srv := fakeIntegrationAPI()
	defer srv.Close()
	ctx := context.Background()
	api, err := client.New(ctx, srv.URL, client.WithClientCredentials(clientCredentials("vlc_example", "vlcs_example")))
	if err != nil {
		fmt.Println(err)
		return
	}
	type withhold struct {
		ID       int64  `json:"id"`
		AnimalID string `json:"animal_id"`
	}
	for w, err := range client.List[withhold](ctx, api, "withholds", nil, client.Filter("farm").Eq(7)) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(w.ID, w.AnimalID)
	}
	// Output:
	// 1 cow-1
	// 2 cow-2
	// 3 cow-3
	// 4 cow-4
	// 5 cow-5
}

func ExampleNewAuthorizationRequest() {
	cfg := &oauth2.Config{
		ClientID:    "vlc_herdapp",
		Endpoint:    client.Endpoint("https://vets.example.org"),
		RedirectURL: "http://127.0.0.1:8765/callback",
		Scopes:      []string{"cases.read", "withholds.read"},
	}
	ar := client.NewAuthorizationRequest(cfg)
	// Send the browser to ar.URL; keep ar until the server redirects to
	// the callback, then: tok, err := ar.Exchange(ctx, callbackURL).
	u, _ := url.Parse(ar.URL)
	q := u.Query()
	fmt.Println(u.Host + u.Path)
	fmt.Println(q.Get("response_type"), q.Get("code_challenge_method"), q.Get("scope"))
	fmt.Println(q.Get("state") == ar.State, q.Get("code_challenge") == oauth2.S256ChallengeFromVerifier(ar.Verifier))
	// Output:
	// vets.example.org/oauth/authorize
	// code S256 cases.read withholds.read
	// true true
}

func ExampleRegistrationHandler() {
	// The secret the vetlink administrator gave for the hookup URL.
	secret := "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	key, err := webhook.ParseKey(secret)
	if err != nil {
		fmt.Println(err)
		return
	}
	h := &client.RegistrationHandler{
		Verifier: &webhook.Verifier{Keys: []webhook.Key{key}},
		Accept: func(ctx context.Context, reg client.Registration) error {
			fmt.Println("organisation", reg.ProvetID, "client", reg.ClientID, "server", reg.BaseURL())
			return nil // keep reg.ClientCredentials() for client.WithClientCredentials
		},
	}

	// What the server's catalogue posts when organisation 12345 adds the
	// integration, signed with the same secret.
	body := []byte(goodRegistration)
	signer, _ := webhook.NewSigner(key)
	req := httptest.NewRequest(http.MethodPost, "/hookup", bytes.NewReader(body))
	signer.SignHeader(req.Header, "msg_1", time.Now(), body)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println(rec.Code)

	// A forgery does not reach Accept.
	req = httptest.NewRequest(http.MethodPost, "/hookup", bytes.NewReader(body))
	req.Header.Set("webhook-id", "msg_1")
	req.Header.Set("webhook-timestamp", strconv.FormatInt(time.Now().Unix(), 10))
	req.Header.Set("webhook-signature", "v1,Zm9yZ2Vk")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println(rec.Code)
	// Output:
	// organisation 12345 client vlc_herdsync server https://vets.example.org
	// 204
	// 401
}

func clientCredentials(id, secret string) clientcredentials.Config {
	return clientcredentials.Config{ClientID: id, ClientSecret: secret}
}
