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
		{"bad format", func(s *webhook.Subscription) { s.Format = "xml" }, `webhook: subscription format: "xml" is not "json", "form" or "document"`},
		{"negative cap", func(s *webhook.Subscription) { s.MaxInFlight = -1 }, "webhook: subscription max_in_flight: -1 is negative"},
		{"no secret", func(s *webhook.Subscription) { s.Secrets = nil }, "webhook: subscription secrets: at least one secret is required"},
		{"bad secret", func(s *webhook.Subscription) { s.Secrets = []webhook.Secret{{Key: "whsec_AAAA"}} }, "webhook: subscription secrets[0]: webhook: whsec_ key: 3 bytes, must be between 16 and 64"},
		{"public key", func(s *webhook.Subscription) { s.Secrets = []webhook.Secret{{Key: pub}} }, "webhook: subscription secrets[0]: a whpk_ public key cannot sign; give the whsk_ private key"},
		{"prefix pattern", func(s *webhook.Subscription) { s.Events = []webhook.EventType{"prescription.*", "case.created"} }, ""},
		{"pattern selecting nothing", func(s *webhook.Subscription) { s.Events = []webhook.EventType{"kennel.*"} }, `webhook: subscription events: webhook: event type "kennel.*": selects no type of the catalogue (58 types)`},
		{"bare star", func(s *webhook.Subscription) { s.Events = []webhook.EventType{"*"} }, `webhook: subscription events: webhook: event type "*": a pattern is a dotted prefix and ".*", like "prescription.*"`},
		{"star inside", func(s *webhook.Subscription) { s.Events = []webhook.EventType{"case*"} }, `webhook: subscription events: webhook: event type "case*": a pattern is a dotted prefix and ".*", like "prescription.*"`},
		{"timeout", func(s *webhook.Subscription) { s.Timeout = 5 * time.Second }, ""},
		{"timeout too long", func(s *webhook.Subscription) { s.Timeout = 2 * time.Minute }, "webhook: subscription timeout: 2m0s is not between 0 and 1m0s"},
		{"negative timeout", func(s *webhook.Subscription) { s.Timeout = -time.Second }, "webhook: subscription timeout: -1s is not between 0 and 1m0s"},
		{"rate limit", func(s *webhook.Subscription) { s.RateLimit = 2.5 }, ""},
		{"negative rate limit", func(s *webhook.Subscription) { s.RateLimit = -1 }, "webhook: subscription rate_limit: -1 is not a rate of zero (no limit) or more deliveries a second"},
		{"custom header", func(s *webhook.Subscription) { s.Headers = map[string]string{"X-Api-Key": "k1\tk2"} }, ""},
		{"signature header", func(s *webhook.Subscription) { s.Headers = map[string]string{"webhook-signature": "v1,x"} }, `webhook: subscription headers["webhook-signature"]: Webhook-Signature is set by the dispatcher (the signature, the event type, the body, or HTTP itself) and cannot be overridden`},
		{"event header", func(s *webhook.Subscription) { s.Headers = map[string]string{"Webhook-Event": "x"} }, `webhook: subscription headers["Webhook-Event"]: Webhook-Event is set by the dispatcher (the signature, the event type, the body, or HTTP itself) and cannot be overridden`},
		{"content type header", func(s *webhook.Subscription) { s.Headers = map[string]string{"content-type": "text/plain"} }, `webhook: subscription headers["content-type"]: Content-Type is set by the dispatcher (the signature, the event type, the body, or HTTP itself) and cannot be overridden`},
		{"host header", func(s *webhook.Subscription) { s.Headers = map[string]string{"Host": "x"} }, `webhook: subscription headers["Host"]: Host is set by the dispatcher (the signature, the event type, the body, or HTTP itself) and cannot be overridden`},
		{"header name with space", func(s *webhook.Subscription) { s.Headers = map[string]string{"X Key": "1"} }, `webhook: subscription headers["X Key"]: is not a valid HTTP header name`},
		{"header value with newline", func(s *webhook.Subscription) { s.Headers = map[string]string{"X-Key": "1\r\nX-Evil: 2"} }, `webhook: subscription headers["X-Key"]: value has control characters (a line break, NUL…)`},
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
		{"document default data", webhook.FormatDocument, webhook.Event{Type: kind.Type, ResourceID: "123", OccurredAt: at},
			`{"consultation_id":"123"}`, "application/json"},
		{"document own data", webhook.FormatDocument, webhook.Event{Type: kind.Type, ResourceID: "123", OccurredAt: at, Data: []byte(`{"client_id":"abc","redirect_uris":[]}`)},
			`{"client_id":"abc","redirect_uris":[]}`, "application/json"},
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
	_, _, err = webhook.Payload(webhook.FormatDocument, kind, webhook.Event{Type: kind.Type, Data: []byte(`{bad`)})
	require.ErrorContains(t, err, "webhook: event data")
}
