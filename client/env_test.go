package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/auth"
	"github.com/vetlink/vetlink/openapi"
	"github.com/vetlink/vetlink/protocol"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/site"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/webhook"
)

// password is every test user's password.
const password = "correct horse battery"

// apiEnv is the reference API served over loopback on a real store (a
// trimmed copy of openapi's harness): an API key, and a server clock the
// test can move forward.
type apiEnv struct {
	DB     *store.DB
	URL    string
	APIKey string
	Auth   *auth.Service
	skew   atomic.Int64 // nanoseconds the server's clock is ahead
}

func newAPIEnv(t *testing.T, db *store.DB) *apiEnv {
	t.Helper()
	e := &apiEnv{DB: db}
	e.Auth = &auth.Service{Store: db.Auth(), Key: bytes.Repeat([]byte{7}, 32), TokenTTL: time.Hour,
		Now: func() time.Time { return time.Now().Add(time.Duration(e.skew.Load())) }}
	h, err := openapi.NewHandler(openapi.Config{
		DB:       db,
		Rx:       &rx.Service{Store: db.Rx()},
		Library:  &rx.Library{Store: db.Library()},
		Site:     &site.Service{Store: db.Site()},
		Auth:     e.Auth,
		Webhooks: &webhook.Service{Store: db.Webhooks()},
	})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	e.URL = srv.URL
	e.APIKey, _, err = e.Auth.CreateAPIKey(context.Background(), "client tests")
	require.NoError(t, err)
	return e
}

// advance moves the server's clock forward by d.
func (e *apiEnv) advance(d time.Duration) { e.skew.Add(int64(d)) }

// user creates a user of type typ with the test password and returns its
// uname.
func (e *apiEnv) user(t *testing.T, typ rx.UserType, uname string) rx.User {
	t.Helper()
	ctx := context.Background()
	u := rx.User{Uname: uname, Type: typ, Firstname: uname, Lastname: "Test", Email: uname + "@example.org"}
	require.NoError(t, e.DB.Rx().CreateUser(ctx, &u))
	require.NoError(t, e.Auth.SetPassword(ctx, u.ID, password))
	return u
}

// flunixin is the flunixin protocol of the protocol package's test data.
func flunixin(t *testing.T) protocol.Protocol {
	t.Helper()
	b, err := os.ReadFile("../protocol/testdata/protocol_flunixin.json")
	require.NoError(t, err)
	var p protocol.Protocol
	require.NoError(t, json.Unmarshal(b, &p))
	if p.Instructions == nil {
		p.Instructions = &protocol.Instructions{DoThis: "Weigh the cow; give the dose IV."}
	}
	return p
}
