package webhook_test

import (
	"fmt"
	"time"

	"github.com/vetlink/vetlink/webhook"
)

// A subscription may name a prefix of event types; Validate refuses
// headers that would replace the dispatcher's own, naming the header.
func ExampleSubscription_Validate_settings() {
	sub := webhook.Subscription{
		URL:       "https://pms.example/hooks",
		Events:    []webhook.EventType{"prescription.*", "case.created"},
		Secrets:   []webhook.Secret{{Key: webhook.NewSecret()}},
		Active:    true,
		Timeout:   5 * time.Second,
		RateLimit: 20,
		Headers:   map[string]string{"X-Api-Key": "k-123"},
	}
	fmt.Println(sub.Validate(webhook.DefaultCatalogue()))
	fmt.Println(sub.Wants("prescription.cancelled"), sub.Wants("case.closed"))

	sub.Headers["Webhook-Signature"] = "v1,forged"
	fmt.Println(sub.Validate(webhook.DefaultCatalogue()))
	// Output:
	// <nil>
	// true false
	// webhook: subscription headers["Webhook-Signature"]: Webhook-Signature is set by the dispatcher (the signature, the event type, the body, or HTTP itself) and cannot be overridden
}

func ExampleMatchEventType() {
	for _, t := range []webhook.EventType{"prescription.created", "prescriptions.created", "case.created"} {
		fmt.Println(t, webhook.MatchEventType("prescription.*", t))
	}
	// Output:
	// prescription.created true
	// prescriptions.created false
	// case.created false
}
