package webhook_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/webhook"
)

func validSubscription() webhook.Subscription {
	return webhook.Subscription{
		URL:     "https://receiver.example/hooks",
		Events:  []webhook.EventType{"case.created"},
		Secrets: []webhook.Secret{{Key: specSecret}},
		Active:  true,
	}
}

func TestSubscriptionValidate(t *testing.T) {
	_, pub := webhook.NewSigningKey()
	tests := []struct {
		name   string
		change func(s *webhook.Subscription)
		want   string
	}{
		{"valid", func(s *webhook.Subscription) {}, ""},
		{"form format", func(s *webhook.Subscription) { s.Format = webhook.FormatForm }, ""},
		{"relative url", func(s *webhook.Subscription) { s.URL = "/hooks" }, `webhook: subscription url: "/hooks" is not an absolute http or https URL`},
		{"ftp url", func(s *webhook.Subscription) { s.URL = "ftp://x.example/" }, `webhook: subscription url: "ftp://x.example/" is not an absolute http or https URL`},
		{"credentials in url", func(s *webhook.Subscription) { s.URL = "https://u:p@x.example/" }, "webhook: subscription url: must not carry credentials; receivers verify the signature instead"},
		{"no events", func(s *webhook.Subscription) { s.Events = nil }, "webhook: subscription events: at least one event type is required"},
		{"unknown event", func(s *webhook.Subscription) { s.Events = []webhook.EventType{"case.exploded"} }, `webhook: subscription events: webhook: event type "case.exploded": not in the catalogue (58 types)`},
		{"bad format", func(s *webhook.Subscription) { s.Format = "xml" }, `webhook: subscription format: "xml" is not "json" or "form"`},
		{"negative cap", func(s *webhook.Subscription) { s.MaxInFlight = -1 }, "webhook: subscription max_in_flight: -1 is negative"},
		{"no secret", func(s *webhook.Subscription) { s.Secrets = nil }, "webhook: subscription secrets: at least one secret is required"},
		{"bad secret", func(s *webhook.Subscription) { s.Secrets = []webhook.Secret{{Key: "whsec_AAAA"}} }, "webhook: subscription secrets[0]: webhook: whsec_ key: 3 bytes, must be between 16 and 64"},
		{"public key", func(s *webhook.Subscription) { s.Secrets = []webhook.Secret{{Key: pub}} }, "webhook: subscription secrets[0]: a whpk_ public key cannot sign; give the whsk_ private key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := validSubscription()
			tt.change(&s)
			err := s.Validate(webhook.DefaultCatalogue())
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			var se *webhook.SubscriptionError
			require.ErrorAs(t, err, &se)
			require.EqualError(t, err, tt.want)
		})
	}
}

func TestSubscriptionMatches(t *testing.T) {
	org := validSubscription()
	north := validSubscription()
	north.Department = "north"
	inactive := validSubscription()
	inactive.Active = false
	tests := []struct {
		name string
		sub  webhook.Subscription
		e    webhook.Event
		want bool
	}{
		{"organisation-wide, any department", org, webhook.Event{Type: "case.created", Department: "south"}, true},
		{"organisation-wide, unknown department", org, webhook.Event{Type: "case.created"}, true},
		{"other event type", org, webhook.Event{Type: "case.closed"}, false},
		{"department match", north, webhook.Event{Type: "case.created", Department: "north"}, true},
		{"other department", north, webhook.Event{Type: "case.created", Department: "south"}, false},
		{"unknown department never reaches a limited subscription", north, webhook.Event{Type: "case.created"}, false},
		{"inactive", inactive, webhook.Event{Type: "case.created"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, tt.sub.Matches(tt.e))
		})
	}
}

func TestPayload(t *testing.T) {
	kind, _ := webhook.DefaultCatalogue().Lookup("consultation.created_or_updated")
	at := time.Date(2026, 5, 1, 8, 30, 0, 123_000_000, time.UTC)
	tests := []struct {
		name   string
		format webhook.Format
		e      webhook.Event
		body   string
		ct     string
	}{
		{"form", webhook.FormatForm, webhook.Event{Type: kind.Type, ResourceID: "123", OccurredAt: at}, "consultation_id=123", "application/x-www-form-urlencoded"},
		{"form escapes", webhook.FormatForm, webhook.Event{Type: kind.Type, ResourceID: "a&b=c", OccurredAt: at}, "consultation_id=a%26b%3Dc", "application/x-www-form-urlencoded"},
		{"json default data", webhook.FormatJSON, webhook.Event{Type: kind.Type, ResourceID: "123", OccurredAt: at},
			`{"type":"consultation.created_or_updated","timestamp":"2026-05-01T08:30:00.123Z","data":{"consultation_id":"123"}}`, "application/json"},
		{"json own data", webhook.FormatJSON, webhook.Event{Type: kind.Type, ResourceID: "123", OccurredAt: at, Data: []byte(`{"consultation_id":"123","vet":"Dr Alvarez"}`)},
			`{"type":"consultation.created_or_updated","timestamp":"2026-05-01T08:30:00.123Z","data":{"consultation_id":"123","vet":"Dr Alvarez"}}`, "application/json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, ct, err := webhook.Payload(tt.format, kind, tt.e)
			require.NoError(t, err)
			require.Equal(t, tt.body, string(body))
			require.Equal(t, tt.ct, ct)
		})
	}
	_, _, err := webhook.Payload(webhook.FormatJSON, kind, webhook.Event{Type: kind.Type, Data: []byte(`{bad`)})
	require.ErrorContains(t, err, "webhook: event data")
}
