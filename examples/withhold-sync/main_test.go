package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/auth"
	"github.com/vetlink/vetlink/client"
	"github.com/vetlink/vetlink/oauth"
	"github.com/vetlink/vetlink/oauth/storage"
	"github.com/vetlink/vetlink/openapi"
	"github.com/vetlink/vetlink/protocol"
	"github.com/vetlink/vetlink/restapi"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/site"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
	"github.com/vetlink/vetlink/webhook"
)

const password = "correct horse battery"

// vetlink is the reference server wired as examples/server wires it, with
// a webhook dispatcher allowed to reach loopback receivers.
type vetlink struct {
	URL       string
	APIKey    string
	DB        *store.DB
	Auth      *auth.Service
	Hooks     *webhook.Service
	Catalogue *oauth.Catalogue
}

func startVetlink(t *testing.T, db *store.DB) *vetlink {
	t.Helper()
	ctx := context.Background()
	srv := httptest.NewServer(nil)
	t.Cleanup(srv.Close)
	v := &vetlink{URL: srv.URL, DB: db}
	v.Auth = &auth.Service{Store: db.Auth(), Key: bytes.Repeat([]byte{7}, 32), TokenTTL: time.Hour,
		Hashing: auth.PasswordParams{Memory: 1024, Time: 1, Threads: 1}}
	var err error
	v.APIKey, _, err = v.Auth.CreateAPIKey(ctx, "withhold-sync test")
	require.NoError(t, err)
	events, err := oauth.WithRegistrationEvent(webhook.DefaultCatalogue())
	require.NoError(t, err)
	guard := &webhook.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}}
	v.Hooks = &webhook.Service{Store: db.Webhooks(), Catalogue: events, Guard: guard}
	d := &webhook.Dispatcher{Store: db.Webhooks(), Catalogue: events, Guard: guard, PollInterval: 50 * time.Millisecond}
	dctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); d.Run(dctx) }()
	t.Cleanup(func() { cancel(); <-done })
	api, err := openapi.NewHandler(openapi.Config{DB: db, Rx: &rx.Service{Store: db.Rx()}, Library: &rx.Library{Store: db.Library()},
		Site: &site.Service{Store: db.Site()}, Auth: v.Auth, Webhooks: v.Hooks, Published: d.Wake})
	require.NoError(t, err)
	o, err := oauth.New(oauth.Config{Issuer: srv.URL, Store: db.OAuth(), Key: []byte("withhold-sync test oauth key, 32+ bytes"), Users: db.Rx(),
		Login: func(ctx context.Context, uname, pw string) (rx.UserID, error) {
			s, err := v.Auth.Login(ctx, v.APIKey, uname, pw)
			return s.User, err
		}})
	require.NoError(t, err)
	v.Catalogue = &oauth.Catalogue{Server: o, Store: db.OAuth(), Webhooks: v.Hooks, Published: d.Wake}
	mux := http.NewServeMux()
	mux.Handle("/oauth/", o.Handler())
	mux.Handle(restapi.Prefix, restapi.New(restapi.Config{Store: db.RestAPI(), Verifier: o}))
	mux.Handle("/", api)
	srv.Config.Handler = mux
	return v
}

func (v *vetlink) user(t *testing.T, typ rx.UserType, uname string) rx.User {
	t.Helper()
	ctx := context.Background()
	u := rx.User{Uname: uname, Type: typ, Firstname: uname, Lastname: "Test", Email: uname + "@example.org"}
	require.NoError(t, v.DB.Rx().CreateUser(ctx, &u))
	require.NoError(t, v.Auth.SetPassword(ctx, u.ID, password))
	return u
}

func (v *vetlink) login(t *testing.T, uname string) *client.API {
	t.Helper()
	api, err := client.New(context.Background(), v.URL, client.WithAPIKey(v.APIKey), client.WithLogin(uname, password))
	require.NoError(t, err)
	return api
}

type outcome struct {
	n   int
	err error
}

// TestSyncsOnRegistrationAndWithholdEvents runs the integration against
// the real server on both engines: the catalogue's registration reaches
// /hookup and starts the first sync; each enrollment's withhold.started
// webhook reaches /events and the file follows.
func TestSyncsOnRegistrationAndWithholdEvents(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		v := startVetlink(t, db)
		ctx := context.Background()

		var handler atomic.Pointer[http.Handler]
		recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if h := handler.Load(); h != nil {
				(*h).ServeHTTP(w, r)
				return
			}
			http.Error(w, "starting", http.StatusServiceUnavailable)
		}))
		t.Cleanup(recv.Close)

		in, hookupSecret, err := v.Catalogue.Define(ctx, oauth.Integration{Name: "WithholdSync", Description: "Withholds in the herd program",
			Visibility: storage.VisibleToAll, GrantType: storage.ClientCredentials, ClientType: storage.Confidential,
			Scopes: []string{"withholds.read"}, Notify: storage.NotifyByHookup, HookupURL: recv.URL + "/hookup"})
		require.NoError(t, err)
		eventsSecret := webhook.NewSecret()
		_, err = v.Hooks.CreateSubscription(ctx, webhook.Subscription{Name: "withhold-sync", URL: recv.URL + "/events",
			Events: []webhook.EventType{"withhold.*"}, Secrets: []webhook.Secret{{Key: eventsSecret}}, Active: true})
		require.NoError(t, err)

		out := filepath.Join(t.TempDir(), "withholds.json")
		s, err := newSyncer(hookupSecret, eventsSecret, out, 0, slog.New(slog.DiscardHandler))
		require.NoError(t, err)
		synced := make(chan outcome, 16)
		s.synced = func(n int, err error) { synced <- outcome{n, err} }
		h := s.Handler()
		handler.Store(&h)
		runCtx, cancel := context.WithCancel(ctx)
		t.Cleanup(cancel)
		go s.Run(runCtx)
		next := func(want int) []Withhold {
			t.Helper()
			deadline := time.After(20 * time.Second)
			for {
				select {
				case o := <-synced:
					require.NoError(t, o.err)
					if o.n != want {
						continue // a sync before the last change reached the server's list
					}
					b, err := os.ReadFile(out)
					require.NoError(t, err)
					var ws []Withhold
					require.NoError(t, json.Unmarshal(b, &ws))
					return ws
				case <-deadline:
					t.Fatalf("no sync with %d withholds", want)
				}
			}
		}

		// Before any registration there is nothing to sync with.
		_, err = s.sync(ctx)
		require.ErrorContains(t, err, "not registered yet")

		// The farm group that adds the integration; its token reads its
		// member farms' withholds.
		group := v.user(t, rx.FARM, "group-sync")
		_, err = v.Catalogue.Add(ctx, in.ID, oauth.Organisation{ID: strconv.FormatInt(int64(group.ID), 10), Country: "FI"})
		require.NoError(t, err)
		require.Empty(t, next(0))

		vetU, farmU := v.user(t, rx.VOR, "vet-sync"), v.user(t, rx.MOR, "farm-sync")
		require.NoError(t, db.Rx().AddRelation(ctx, rx.Relation{Kind: rx.Client, Left: vetU.ID, Right: farmU.ID}))
		require.NoError(t, db.Rx().AddRelation(ctx, rx.Relation{Kind: rx.Member, Left: group.ID, Right: farmU.ID}))
		created, err := client.Check(v.login(t, "vet-sync").CreatePrescriptionWithResponse(ctx,
			rx.PrescriptionRequest{Protocol: flunixin(t), MOR: farmU.ID, Refills: 5}))
		require.NoError(t, err)
		p := created.JSON201.Prescription
		farm := v.login(t, "farm-sync")
		enroll := func(animal string) {
			_, err := client.Check(farm.EnrollCaseWithResponse(ctx, nil, rx.Case{RxID: p.ID, AnimalID: animal, Initiation: p.Created,
				Species: protocol.DairyCattle, Data: &protocol.WeightData{Weight: protocol.Q(protocol.Int(600), protocol.Kilogram)}}))
			require.NoError(t, err)
		}
		enroll("Bossie34")
		ws := next(1)
		require.Equal(t, "Bossie34", ws[0].AnimalID)
		require.True(t, ws[0].ReleaseAt.After(time.Now()), "in force: released at %s", ws[0].ReleaseAt)
		enroll("Clover")
		ws = next(2)
		require.ElementsMatch(t, []string{"Bossie34", "Clover"}, []string{ws[0].AnimalID, ws[1].AnimalID})

		// An unsigned event is refused and starts no sync.
		resp, err := http.Post(recv.URL+"/events", "application/json", bytes.NewReader([]byte(`{"type":"withhold.started"}`)))
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	})
}

func flunixin(t *testing.T) protocol.Protocol {
	t.Helper()
	b, err := os.ReadFile("../../protocol/testdata/protocol_flunixin.json")
	require.NoError(t, err)
	var p protocol.Protocol
	require.NoError(t, json.Unmarshal(b, &p))
	if p.Instructions == nil {
		p.Instructions = &protocol.Instructions{DoThis: "Weigh the cow; give the dose IV."}
	}
	return p
}
