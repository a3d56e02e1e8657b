package webhook_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/vetlink/vetlink/webhook"
)

// FuzzSubscriptionHeaders holds the custom-header rules to any input: a
// header Validate accepts has a token name, no line break or NUL in its
// value, and never names a header the dispatcher sets.
func FuzzSubscriptionHeaders(f *testing.F) {
	for _, s := range [][2]string{{"X-Api-Key", "k"}, {"webhook-id", "x"}, {"X Key", "1"}, {"X-K", "a\r\nb"}, {"content-type", "t"}, {"", ""}} {
		f.Add(s[0], s[1])
	}
	cat := webhook.DefaultCatalogue()
	reserved := []string{"Webhook-Id", "Webhook-Timestamp", "Webhook-Signature", "Webhook-Event", "Content-Type", "Host", "Content-Length"}
	f.Fuzz(func(t *testing.T, name, value string) {
		sub := webhook.Subscription{URL: "https://r.example/", Events: []webhook.EventType{"case.*"},
			Secrets: []webhook.Secret{{Key: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}}, Headers: map[string]string{name: value}}
		if sub.Validate(cat) != nil {
			return
		}
		if strings.ContainsAny(value, "\r\n\x00") {
			t.Fatalf("accepted value %q with a line break or NUL", value)
		}
		if name == "" || strings.ContainsAny(name, " :\r\n\t") {
			t.Fatalf("accepted name %q", name)
		}
		for _, r := range reserved {
			if http.CanonicalHeaderKey(name) == r {
				t.Fatalf("accepted reserved header %q", name)
			}
		}
	})
}
