package webhook_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
	"github.com/vetlink/vetlink/webhook"
)

// A subscription's URL is checked with the Guard when it is created and
// when it is updated: the address literal, or what the name resolves to.
func TestServiceRefusesInternalURLs(t *testing.T) {
	tests := []struct {
		name   string
		guard  *webhook.Guard
		url    string
		rule   string // the AddressError's rule; "" when the URL is not http(s)
		errMsg string // "" when the URL is accepted
	}{
		{"metadata", nil, "http://169.254.169.254/latest/meta-data/", "link-local, including 169.254.169.254 metadata",
			"webhook: subscription url: webhook: destination address not allowed: 169.254.169.254, in 169.254.0.0/16 (link-local, including 169.254.169.254 metadata)"},
		{"private", nil, "https://10.1.2.3:8443/hook", "RFC 1918",
			"webhook: subscription url: webhook: destination address not allowed: 10.1.2.3, in 10.0.0.0/8 (RFC 1918)"},
		{"IPv6 loopback", nil, "http://[::1]:8080/", "loopback",
			"webhook: subscription url: webhook: destination address not allowed: ::1, in ::1/128 (loopback)"},
		{"mapped metadata", nil, "http://[::ffff:169.254.169.254]/", "link-local, including 169.254.169.254 metadata",
			"webhook: subscription url: webhook: destination address not allowed: ::ffff:169.254.169.254 resolves to 169.254.169.254, in 169.254.0.0/16 (link-local, including 169.254.169.254 metadata)"},
		{"name resolving to loopback", nil, "http://localhost:8080/", "loopback",
			"webhook: subscription url: webhook: destination address not allowed: localhost resolves to 127.0.0.1, in 127.0.0.0/8 (loopback)"},
		{"not http", nil, "ftp://files.example/", "", `webhook: subscription url: "ftp://files.example/" is not an absolute http or https URL`},
		{"public address", nil, "https://93.184.215.14/hook", "", ""},
		{"unresolvable name", nil, "https://receiver.example/hook", "", ""}, // checked again at every connection
		{"allowlisted loopback", loopback, "http://127.0.0.1:8080/", "", ""},
		{"guard disabled", &webhook.Guard{Disabled: true}, "http://169.254.169.254/", "", ""},
	}
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				svc := &webhook.Service{Store: db.Webhooks(), Guard: tt.guard}
				check := func(err error) {
					t.Helper()
					if tt.errMsg == "" {
						require.NoError(t, err)
						return
					}
					require.EqualError(t, err, tt.errMsg)
					var se *webhook.SubscriptionError
					require.ErrorAs(t, err, &se)
					require.Equal(t, "url", se.Field)
					if tt.rule != "" {
						require.ErrorIs(t, err, webhook.ErrForbiddenAddress)
						var ae *webhook.AddressError
						require.ErrorAs(t, err, &ae)
						require.Equal(t, tt.rule, ae.Rule)
					}
				}
				// Creating.
				_, err := svc.CreateSubscription(ctx, webhook.Subscription{URL: tt.url, Events: []webhook.EventType{"case.created"}, Active: true})
				check(err)
				// Updating an accepted subscription to the URL.
				sub, err := svc.CreateSubscription(ctx, webhook.Subscription{URL: "https://receiver.example/", Events: []webhook.EventType{"case.created"}, Active: true})
				require.NoError(t, err)
				sub.URL = tt.url
				_, err = svc.UpdateSubscription(ctx, sub)
				check(err)
				got, err := svc.Subscription(ctx, sub.ID)
				require.NoError(t, err)
				if tt.errMsg != "" {
					require.Equal(t, "https://receiver.example/", got.URL, "a refused update changes nothing")
				}
			})
		}
	})
}

// A connection the Guard refuses is not transient: the delivery fails at
// its first attempt, the reason is in the log, and the subscription is
// disabled with it, so an administrator sees why.
func TestDispatcherFailsForbiddenAtOnce(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		secret := webhook.NewSecret()
		rc := newReceiver(t, secret, nil)
		// Created while loopback was allowed (or a name that resolved
		// elsewhere then); the dispatcher's Guard refuses it.
		svc := &webhook.Service{Store: db.Webhooks(), Guard: loopback}
		sub, err := svc.CreateSubscription(ctx, webhook.Subscription{URL: rc.URL, Events: []webhook.EventType{"case.created"}, Secrets: []webhook.Secret{{Key: secret}}, Active: true})
		require.NoError(t, err)
		_, err = svc.PublishAll(ctx, []webhook.Event{{Type: "case.created", ResourceID: "c1"}, {Type: "case.created", ResourceID: "c2"}})
		require.NoError(t, err)
		run(t, &webhook.Dispatcher{Store: db.Webhooks(), PollInterval: 5 * time.Millisecond})

		eventually(t, func() bool {
			s, err := svc.Subscription(ctx, sub.ID)
			require.NoError(t, err)
			return !s.Active
		}, "subscription disabled")
		got, err := svc.Subscription(ctx, sub.ID)
		require.NoError(t, err)
		require.False(t, got.DisabledAt.IsZero())
		require.Equal(t, webhook.DisabledForbidden+"webhook: destination address not allowed: 127.0.0.1, in 127.0.0.0/8 (loopback)", got.DisabledReason)
		require.Empty(t, rc.received())

		ds, err := svc.Deliveries(ctx, webhook.DeliveryQuery{SubscriptionID: sub.ID})
		require.NoError(t, err)
		require.Len(t, ds, 2)
		attempted := 0
		for _, d := range ds {
			require.Equal(t, webhook.StateFailed, d.State)
			ats, err := svc.Attempts(ctx, d.ID)
			require.NoError(t, err)
			require.LessOrEqual(t, len(ats), 1, "never retried")
			if len(ats) == 1 {
				attempted++
				require.Zero(t, ats[0].NextAttemptAt, "no retry scheduled")
				require.Equal(t, got.DisabledReason, ats[0].Error)
			}
		}
		require.GreaterOrEqual(t, attempted, 1)
	})
}

// A caller's *http.Client gets the Guard in a clone of its transport; a
// transport that cannot be guarded is refused at Run.
func TestDispatcherGuardsCallersClient(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	secret := webhook.NewSecret()
	rc := newReceiver(t, secret, nil)
	svc := &webhook.Service{Store: db.Webhooks(), Guard: loopback}
	sub, err := svc.CreateSubscription(ctx, webhook.Subscription{URL: rc.URL, Events: []webhook.EventType{"case.created"}, Secrets: []webhook.Secret{{Key: secret}}, Active: true})
	require.NoError(t, err)

	t.Run("RoundTripperRefused", func(t *testing.T) {
		d := &webhook.Dispatcher{Store: db.Webhooks(), Client: &http.Client{Transport: roundTripFunc(http.DefaultTransport.RoundTrip)}}
		err := d.Run(ctx)
		require.ErrorIs(t, err, webhook.ErrUnguardedClient)
		require.True(t, strings.Contains(err.Error(), "webhook_test.roundTripFunc"), err.Error())
		// With the guard disabled on purpose, it is the caller's choice.
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		d = &webhook.Dispatcher{Store: db.Webhooks(), Guard: &webhook.Guard{Disabled: true}, Client: &http.Client{Transport: roundTripFunc(http.DefaultTransport.RoundTrip)}}
		require.NoError(t, d.Run(cctx))
	})
	t.Run("TransportGuarded", func(t *testing.T) {
		plain := &http.Transport{} // dials anything on its own
		_, err := svc.Publish(ctx, webhook.Event{Type: "case.created", ResourceID: "c1"})
		require.NoError(t, err)
		run(t, &webhook.Dispatcher{Store: db.Webhooks(), Client: &http.Client{Transport: plain}, PollInterval: 5 * time.Millisecond})
		eventually(t, func() bool { return delivery(t, db, sub.ID).State == webhook.StateFailed }, "refused")
		require.Empty(t, rc.received())
		require.Contains(t, delivery(t, db, sub.ID).LastError, "127.0.0.0/8 (loopback)")
		require.Nil(t, plain.DialContext, "the caller's transport is cloned, not changed")
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
