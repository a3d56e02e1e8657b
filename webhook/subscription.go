package webhook

import (
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/google/uuid"
)

// Format is how an event is written in the body of a delivery.
type Format string

// The payload formats.
const (
	// FormatJSON is the Standard Webhooks envelope,
	// {"type": …, "timestamp": …, "data": {…}}, as application/json.
	FormatJSON Format = "json"
	// FormatForm is the thin form body receivers of existing
	// practice-management webhooks expect: the identifying parameter only,
	// "consultation_id=123", as application/x-www-form-urlencoded. The
	// receiver fetches the resource through the API.
	FormatForm Format = "form"
)

// A Secret is one signing key of a subscription, in text form ("whsec_…",
// or "whsk_…"; a bare base64 secret is stored with "whsec_" added), with an
// optional expiry: while a secret is rotated, the old
// and the new one both sign until the old one expires.
type Secret struct {
	Key       string
	ExpiresAt time.Time // zero: no expiry
}

// A Subscription asks for the events of some types to be posted to a URL.
type Subscription struct {
	ID   uuid.UUID
	Name string // optional, for people
	// URL is where deliveries are posted: http or https.
	URL string
	// Events lists the event types delivered; at least one.
	Events []EventType
	// Department limits the subscription to events of one department; ""
	// means organisation-wide. An event whose department is unknown never
	// reaches a department-limited subscription.
	Department string
	// Format of the body; the zero value means FormatJSON.
	Format Format
	// Secrets sign every delivery; at least one that has not expired.
	Secrets []Secret
	// Active subscriptions receive deliveries. The dispatcher clears it
	// when the receiver answers 410 Gone or fails for too long.
	Active bool
	// Strict200 counts only 200 OK as success; otherwise any 2xx is.
	Strict200 bool
	// MaxInFlight caps the deliveries sent to this subscription at once by
	// one dispatcher; zero means the dispatcher's default (4).
	MaxInFlight int

	// FailingSince is when the current run of failed attempts began; zero
	// while the receiver answers.
	FailingSince time.Time
	// DisabledAt and DisabledReason say when and why the dispatcher
	// disabled the subscription.
	DisabledAt     time.Time
	DisabledReason string

	CreatedAt time.Time
	UpdatedAt time.Time
}

// SubscriptionError reports a subscription that breaks a rule, naming the
// field.
type SubscriptionError struct {
	Field  string
	Reason string
	// Err is the error behind Reason, if any: an [*AddressError] for a URL
	// the [Guard] refuses.
	Err error
}

// Error names the field and the rule it breaks.
func (e *SubscriptionError) Error() string {
	return "webhook: subscription " + e.Field + ": " + e.Reason
}

// Unwrap returns Err.
func (e *SubscriptionError) Unwrap() error { return e.Err }

// Validate checks s against the rules and the catalogue c.
func (s *Subscription) Validate(c *Catalogue) error {
	u, err := url.Parse(s.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &SubscriptionError{Field: "url", Reason: fmt.Sprintf("%q is not an absolute http or https URL", s.URL)}
	}
	if u.User != nil {
		return &SubscriptionError{Field: "url", Reason: "must not carry credentials; receivers verify the signature instead"}
	}
	if len(s.Events) == 0 {
		return &SubscriptionError{Field: "events", Reason: "at least one event type is required"}
	}
	for _, t := range s.Events {
		if _, err := c.check(t); err != nil {
			return &SubscriptionError{Field: "events", Reason: err.Error()}
		}
	}
	switch s.Format {
	case "", FormatJSON, FormatForm:
	default:
		return &SubscriptionError{Field: "format", Reason: fmt.Sprintf("%q is not %q or %q", s.Format, FormatJSON, FormatForm)}
	}
	if s.MaxInFlight < 0 {
		return &SubscriptionError{Field: "max_in_flight", Reason: fmt.Sprintf("%d is negative", s.MaxInFlight)}
	}
	if len(s.Secrets) == 0 {
		return &SubscriptionError{Field: "secrets", Reason: "at least one secret is required"}
	}
	for i, sec := range s.Secrets {
		k, err := ParseKey(sec.Key)
		if err != nil {
			return &SubscriptionError{Field: fmt.Sprintf("secrets[%d]", i), Reason: err.Error()}
		}
		if !k.CanSign() {
			return &SubscriptionError{Field: fmt.Sprintf("secrets[%d]", i), Reason: "a whpk_ public key cannot sign; give the whsk_ private key"}
		}
	}
	return nil
}

// Matches reports whether event e is delivered to s: s is active, asks for
// e's type, and is organisation-wide or limited to e's (known) department.
func (s *Subscription) Matches(e Event) bool {
	if !s.Active || !slices.Contains(s.Events, e.Type) {
		return false
	}
	return s.Department == "" || s.Department == e.Department
}

// signer returns a Signer of all the subscription's secrets, each with its
// expiry: it signs with those valid at the message's timestamp.
func (s *Subscription) signer() (*Signer, error) {
	keys := make([]Key, 0, len(s.Secrets))
	for _, sec := range s.Secrets {
		k, err := ParseKey(sec.Key)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k.WithExpiry(sec.ExpiresAt))
	}
	return NewSigner(keys...)
}
