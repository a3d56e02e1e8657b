package webhook

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
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
	// FormatDocument is the event's data alone, as application/json,
	// with no envelope: for receivers of one document rather than of
	// events, such as an integration's hookup URL told of its new
	// credentials, whose existing receivers parse the bare document. The
	// event type is still sent in the webhook-event header and covered by
	// nothing but the signature of the body, as with FormatForm.
	FormatDocument Format = "document"
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
	// Events lists the event types delivered; at least one. An entry is a
	// type of the catalogue ("prescription.created") or a prefix pattern,
	// a dotted prefix and "*" ("prescription.*"), which selects every type
	// that starts with the prefix and its dot, now and as the catalogue
	// grows; the prefix must select at least one type of the catalogue.
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
	// one dispatcher; zero means the dispatcher's MaxInFlight (64). The
	// dispatcher adapts the number below the cap to how the receiver
	// answers (see [Dispatcher]).
	MaxInFlight int
	// Timeout bounds each attempt to this subscription, connection to last
	// byte; zero means the dispatcher's Timeout. At most MaxTimeout.
	Timeout time.Duration
	// Headers are sent with every delivery, for receivers behind gateways
	// that want a key of their own. They never replace the headers the
	// dispatcher sets: webhook-id, webhook-timestamp, webhook-signature,
	// webhook-event, Content-Type, and the headers HTTP itself manages
	// (Host, Content-Length…); [Subscription.Validate] refuses those.
	Headers map[string]string
	// RateLimit caps the deliveries sent to this subscription a second,
	// across its bursts (up to the rate rounded up at once); zero means no
	// limit. Deliveries over the rate wait; none is dropped. The limit
	// holds per dispatcher: with several, each sends up to it.
	RateLimit float64

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
		if prefix, ok := eventPrefix(t); ok {
			if err := c.checkPrefix(prefix); err != nil {
				return &SubscriptionError{Field: "events", Reason: err.Error()}
			}
			continue
		}
		if _, err := c.check(t); err != nil {
			return &SubscriptionError{Field: "events", Reason: err.Error()}
		}
	}
	switch s.Format {
	case "", FormatJSON, FormatForm, FormatDocument:
	default:
		return &SubscriptionError{Field: "format", Reason: fmt.Sprintf("%q is not %q, %q or %q", s.Format, FormatJSON, FormatForm, FormatDocument)}
	}
	if s.MaxInFlight < 0 {
		return &SubscriptionError{Field: "max_in_flight", Reason: fmt.Sprintf("%d is negative", s.MaxInFlight)}
	}
	if s.Timeout < 0 || s.Timeout > MaxTimeout {
		return &SubscriptionError{Field: "timeout", Reason: fmt.Sprintf("%s is not between 0 and %s", s.Timeout, MaxTimeout)}
	}
	if s.RateLimit < 0 || math.IsNaN(s.RateLimit) || math.IsInf(s.RateLimit, 0) {
		return &SubscriptionError{Field: "rate_limit", Reason: fmt.Sprintf("%v is not a rate of zero (no limit) or more deliveries a second", s.RateLimit)}
	}
	for name, value := range s.Headers {
		if err := checkHeader(name, value); err != nil {
			return err
		}
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
// e's type (by name or prefix pattern), and is organisation-wide or limited
// to e's (known) department.
func (s *Subscription) Matches(e Event) bool {
	if !s.Active || !s.Wants(e.Type) {
		return false
	}
	return s.Department == "" || s.Department == e.Department
}

// Wants reports whether s's Events select type t: t is listed, or a
// pattern "prefix.*" is and t starts with "prefix.".
func (s *Subscription) Wants(t EventType) bool {
	return slices.ContainsFunc(s.Events, func(f EventType) bool { return MatchEventType(f, t) })
}

// MatchEventType reports whether the subscription entry filter (an event
// type, or a prefix pattern "prefix.*") selects event type t.
func MatchEventType(filter, t EventType) bool {
	if prefix, ok := eventPrefix(filter); ok {
		return strings.HasPrefix(string(t), prefix)
	}
	return filter == t
}

// eventPrefix returns the prefix of a pattern "a.b.*" with its dot, "a.b.".
func eventPrefix(t EventType) (string, bool) {
	p, ok := strings.CutSuffix(string(t), "*")
	return p, ok
}

// MaxTimeout is the longest [Subscription.Timeout]: a receiver that needs
// longer should answer at once and work afterwards, as the Standard
// Webhooks specification advises.
const MaxTimeout = 60 * time.Second

// reservedHeaders are the headers a subscription's Headers may not set:
// those of the signature, those the dispatcher sets, and those HTTP
// manages itself (canonical form).
var reservedHeaders = map[string]bool{
	"Webhook-Id": true, "Webhook-Timestamp": true, "Webhook-Signature": true, "Webhook-Event": true,
	"Content-Type": true, "Content-Length": true, "Content-Encoding": true, "Transfer-Encoding": true,
	"Host": true, "Connection": true, "Keep-Alive": true, "Te": true, "Trailer": true, "Upgrade": true,
	"Proxy-Authorization": true, "Proxy-Connection": true, "User-Agent": true, "Expect": true,
}

// checkHeader checks one custom header of a subscription.
func checkHeader(name, value string) error {
	field := "headers[" + strconv.Quote(name) + "]"
	if !validHeaderName(name) {
		return &SubscriptionError{Field: field, Reason: "is not a valid HTTP header name"}
	}
	if reservedHeaders[http.CanonicalHeaderKey(name)] {
		return &SubscriptionError{Field: field, Reason: fmt.Sprintf("%s is set by the dispatcher (the signature, the event type, the body, or HTTP itself) and cannot be overridden", http.CanonicalHeaderKey(name))}
	}
	if !validHeaderValue(value) {
		return &SubscriptionError{Field: field, Reason: "value has control characters (a line break, NUL…)"}
	}
	return nil
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

// validHeaderName reports whether name is an RFC 9110 token.
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// validHeaderValue reports whether value holds no control character but
// tab (RFC 9110 field-value), so it cannot split the header.
func validHeaderValue(value string) bool {
	for i := 0; i < len(value); i++ {
		if c := value[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}
