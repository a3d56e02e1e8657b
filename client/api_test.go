package client_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/auth"
	"github.com/vetlink/vetlink/client"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
)

// TestAPIOnReferenceServer logs in, calls, pages, fails with typed
// problems and survives an expired token, on both engines.
func TestAPIOnReferenceServer(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newAPIEnv(t, db)
		ctx := context.Background()
		e.user(t, rx.VOR, "vet-client")

		_, err := client.New(ctx, e.URL, client.WithAPIKey(e.APIKey), client.WithLogin("vet-client", "wrong password"))
		require.ErrorIs(t, err, auth.ErrBadCredentials)
		var p *client.Problem
		require.ErrorAs(t, err, &p)
		require.Equal(t, http.StatusUnauthorized, p.Status)

		_, err = client.New(ctx, e.URL, client.WithAPIKey("no such key"), client.WithLogin("vet-client", password))
		require.ErrorIs(t, err, auth.ErrBadAPIKey)

		var agents []string
		spy := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			agents = append(agents, r.Header.Get("User-Agent"))
			return http.DefaultTransport.RoundTrip(r)
		})}
		api, err := client.New(ctx, e.URL, client.WithHTTP(spy), client.WithAPIKey(e.APIKey), client.WithLogin("vet-client", password))
		require.NoError(t, err)
		first := api.Token()
		require.NotEmpty(t, first)
		require.NotEmpty(t, agents)
		require.True(t, strings.HasPrefix(agents[0], "vetlink-go/"), agents[0])

		// Protocols, then pages of two.
		for i := range 5 {
			p := flunixin(t)
			p.Name = fmt.Sprintf("Flunixin %d", i)
			_, err := client.Check(api.CreateProtocolWithResponse(ctx, p))
			require.NoError(t, err)
		}
		var names []string
		limit := int32(2)
		for p, err := range api.AllMyProtocols(ctx, &client.GetMyProtocolsParams{Limit: &limit}) {
			require.NoError(t, err)
			names = append(names, p.Name)
		}
		require.Len(t, names, 5)
		for p, err := range api.AllMyProtocols(ctx, nil) {
			require.NoError(t, err)
			require.NotEmpty(t, p.Name)
			break // stopping early is fine
		}
		n := 0
		for _, err := range api.AllRxWithCases(ctx, nil) {
			require.NoError(t, err)
			n++
		}
		require.Zero(t, n, "no prescriptions yet")

		// Problems match the domain's sentinels.
		_, err = client.Check(api.GetProtocolWithResponse(ctx, 999999))
		require.ErrorIs(t, err, rx.ErrNotFound)
		require.NotErrorIs(t, err, rx.ErrForbidden)
		require.ErrorAs(t, err, &p)
		require.Equal(t, "not_found", p.ErrorType)
		require.NotEmpty(t, p.RequestID)
		bad := flunixin(t)
		bad.Name = ""
		_, err = client.Check(api.CreateProtocolWithResponse(ctx, bad))
		require.ErrorIs(t, err, rx.ErrInvalid, "%v", err)

		// The server's clock passes the token's expiry: the API logs in
		// again once and the call goes through.
		e.advance(2 * time.Hour)
		_, err = client.Check(api.GetMyProtocolsWithResponse(ctx, nil))
		require.NoError(t, err)
		require.NotEqual(t, first, api.Token())

		// A token alone cannot log in again: the expiry is the caller's.
		bare, err := client.New(ctx, e.URL, client.WithAPIKey(e.APIKey), client.WithToken(first))
		require.NoError(t, err)
		_, err = client.Check(bare.GetMyProtocolsWithResponse(ctx, nil))
		require.ErrorIs(t, err, auth.ErrTokenExpired)
	})
}

// TestAPIRenewsBeforeExpiry checks that a token about to expire is
// exchanged (GET /api/users/logins) before the call that needs it.
func TestAPIRenewsBeforeExpiry(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newAPIEnv(t, db)
		ctx := context.Background()
		e.user(t, rx.VOR, "vet-renew")
		var paths []string
		spy := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			paths = append(paths, r.Method+" "+r.URL.Path)
			return http.DefaultTransport.RoundTrip(r)
		})}
		api, err := client.New(ctx, e.URL, client.WithHTTP(spy), client.WithAPIKey(e.APIKey), client.WithLogin("vet-renew", password),
			client.WithClock(func() time.Time { return time.Now().Add(58 * time.Minute) }))
		require.NoError(t, err)
		first := api.Token()
		time.Sleep(1100 * time.Millisecond) // a new iat, so a new token
		_, err = client.Check(api.GetMyProtocolsWithResponse(ctx, nil))
		require.NoError(t, err)
		require.Equal(t, []string{"POST /api/users/logins", "GET /api/users/logins", "GET /api/protocols"}, paths)
		require.NotEqual(t, first, api.Token())
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
