package webhook

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// EventType names what happened, in dotted lower case: the resource, then
// the change ("consultation.created_or_updated", "case.created").
type EventType string

// An Event is one change to announce. It is stored in the outbox in the
// same transaction as the change itself, and delivered to every matching
// subscription.
type Event struct {
	// ID identifies the event. [Service.Publish] assigns one when it is zero.
	ID uuid.UUID
	// Type is the kind of change; it must be in the service's catalogue.
	Type EventType
	// ResourceID is the value of the event type's identifying parameter:
	// for "consultation.created_or_updated", the consultation's ID.
	ResourceID string
	// Department is the department the changed resource belongs to, or ""
	// when it cannot be inferred. Department-limited subscriptions receive
	// only events of their own department, never events without one.
	Department string
	// Data is the JSON object sent as "data" in the Standard Webhooks
	// envelope. When empty, the envelope carries {"<param>": "<ResourceID>"}.
	Data json.RawMessage
	// OccurredAt is when the change happened; Publish sets it to the current
	// time when zero.
	OccurredAt time.Time
}

// EventError reports an event that cannot be published, naming the field
// and the rule it breaks.
type EventError struct {
	Field  string
	Value  string
	Reason string
}

func (e *EventError) Error() string {
	return fmt.Sprintf("webhook: event %s %q: %s", e.Field, e.Value, e.Reason)
}
