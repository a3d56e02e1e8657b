package webhook

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// An EventKind describes one event type of a [Catalogue]: its name, the
// parameter that identifies the changed resource in a form-encoded payload
// ("consultation_id=123"), and a sentence for people browsing the catalogue.
type EventKind struct {
	Type        EventType
	Param       string
	Description string
}

// A Catalogue is the set of event types a vetlink installation publishes
// and subscriptions may ask for. It is immutable once built.
type Catalogue struct {
	kinds map[EventType]EventKind
}

// NewCatalogue returns a catalogue of kinds. Every type must be dotted
// lower case ("a.b", letters, digits and underscores) and every parameter
// snake_case, and no type may appear twice.
func NewCatalogue(kinds ...EventKind) (*Catalogue, error) {
	c := &Catalogue{kinds: make(map[EventType]EventKind, len(kinds))}
	for _, k := range kinds {
		if err := validEventType(k.Type); err != nil {
			return nil, err
		}
		if !validIdent(k.Param) {
			return nil, &EventError{Field: "param", Value: k.Param, Reason: "must be snake_case letters, digits and underscores"}
		}
		if _, dup := c.kinds[k.Type]; dup {
			return nil, &EventError{Field: "type", Value: string(k.Type), Reason: "listed twice in the catalogue"}
		}
		c.kinds[k.Type] = k
	}
	return c, nil
}

func validEventType(t EventType) error {
	parts := strings.Split(string(t), ".")
	if len(parts) < 2 {
		return &EventError{Field: "type", Value: string(t), Reason: `must be dotted, like "case.created"`}
	}
	for _, p := range parts {
		if !validIdent(p) {
			return &EventError{Field: "type", Value: string(t), Reason: "each dotted part must be lower-case letters, digits and underscores, starting with a letter"}
		}
	}
	return nil
}

func validIdent(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// Lookup returns the kind of event type t, and whether the catalogue has it.
func (c *Catalogue) Lookup(t EventType) (EventKind, bool) {
	k, ok := c.kinds[t]
	return k, ok
}

// Kinds returns every kind of the catalogue, ordered by type.
func (c *Catalogue) Kinds() []EventKind {
	types := slices.Sorted(maps.Keys(c.kinds))
	out := make([]EventKind, len(types))
	for i, t := range types {
		out[i] = c.kinds[t]
	}
	return out
}

// check returns an error naming t when the catalogue lacks it.
func (c *Catalogue) check(t EventType) (EventKind, error) {
	k, ok := c.kinds[t]
	if !ok {
		if err := validEventType(t); err != nil {
			return EventKind{}, err
		}
		return EventKind{}, &EventError{Field: "type", Value: string(t), Reason: fmt.Sprintf("not in the catalogue (%d types)", len(c.kinds))}
	}
	return k, nil
}

// EventSubscriptionDisabled is published when the dispatcher disables a
// subscription (its receiver answered 410 Gone, or failed for too long).
const EventSubscriptionDisabled EventType = "webhook.subscription_disabled"

// defaultKinds are vetlink's own resources, then the practice-management
// events integrators of existing veterinary clouds already receive, with
// the same parameter names.
var defaultKinds = []EventKind{
	// vetlink resources.
	{"protocol.created", "protocol_id", "A treatment protocol was created."},
	{"protocol.updated", "protocol_id", "A treatment protocol was changed."},
	{"protocol.deleted", "protocol_id", "A treatment protocol was withdrawn."},
	{"prescription.created", "prescription_id", "A veterinarian issued a prescription."},
	{"prescription.updated", "prescription_id", "A prescription changed (refills, expiry, status)."},
	{"prescription.cancelled", "prescription_id", "A prescription was cancelled."},
	{"case.created", "case_id", "An animal was enrolled on a prescription."},
	{"case.updated", "case_id", "A case changed."},
	{"case.closed", "case_id", "A case was closed."},
	{"task.created", "task_id", "A dose task was scheduled."},
	{"task.completed", "task_id", "A dose task was recorded as given."},
	{"task.skipped", "task_id", "A dose task was skipped."},
	{"withhold.started", "withhold_id", "A meat or milk withdrawal period started."},
	{"withhold.updated", "withhold_id", "A withdrawal period's release time changed."},
	{"withhold.released", "withhold_id", "A withdrawal period ended."},
	{"lab_result.received", "lab_result_id", "A lab result arrived over HL7."},
	{"nahln_report.sent", "nahln_report_id", "A report was sent to NAHLN."},
	{EventSubscriptionDisabled, "subscription_id", "The dispatcher disabled a webhook subscription."},
	{"admin.changed", "admin_change_id", "An administrator changed a server, job or webhook setting (audit log)."},
	{EventTest, "subscription_id", "A test event, sent on request to one subscription (Service.SendTest)."},

	// Practice-management events.
	{"appointment.created_or_updated", "appointment_id", "An appointment was booked or changed."},
	{"appointment.deleted", "appointment_id", "An appointment was cancelled."},
	{"client.created_or_updated", "client_id", "A client (animal owner) was created or changed."},
	{"client.deleted", "client_id", "A client was deleted."},
	{"patient.created_or_updated", "patient_id", "A patient (animal) was created or changed."},
	{"patient.deleted", "patient_id", "A patient was deleted."},
	{"consultation.created_or_updated", "consultation_id", "A consultation was opened or changed."},
	{"consultation.finalized", "consultation_id", "A consultation was finalized."},
	{"invoice.created_or_updated", "invoice_id", "An invoice was created or changed."},
	{"invoice.finalized", "invoice_id", "An invoice was finalized."},
	{"payment.created", "payment_id", "A payment was recorded."},
	{"reminder.created_or_updated", "reminder_id", "A reminder was scheduled or changed."},
	{"reminder.deleted", "reminder_id", "A reminder was removed."},
	{"treatment_plan.created_or_updated", "treatment_plan_id", "A treatment plan was created or changed."},
	{"treatment_plan.deleted", "treatment_plan_id", "A treatment plan was deleted."},
	{"stock.adjusted", "product_id", "A product's stock level changed."},
	{"product.created_or_updated", "product_id", "A product was created or changed."},
	{"user.created_or_updated", "user_id", "A practice user was created or changed."},
	{"user.deactivated", "user_id", "A practice user was deactivated."},
	{"department.created_or_updated", "department_id", "A department (clinic site) was created or changed."},

	// The rest of the practice-management cloud's trigger list
	// (developers.provetcloud.com/restapi/webhook_triggers.html, parameters
	// from its webhooks.html): the parameter is the resource's name run
	// together, as that cloud sends it ("consultationitem_id=7"). The
	// published list confirms client_id, patient_id, consultation_id,
	// consultationitem_id and diagnosticimagingworklist_id; the others
	// below follow the same pattern and were not confirmed against a
	// delivery from that cloud.
	{"consultation.deleted", "consultation_id", "A consultation was deleted."},
	{"consultation.waiting_discharge", "consultation_id", "A consultation's status changed to waiting for discharge."},
	{"consultation_item.created_or_updated", "consultationitem_id", "An item (a procedure, medicine or supply) of a consultation was added or changed."},
	{"diagnostic_imaging_worklist.created", "diagnosticimagingworklist_id", "A diagnostic-imaging referral was put on the worklist."},
	{"diagnostic_imaging_worklist.updated", "diagnosticimagingworklist_id", "A diagnostic-imaging worklist order changed."},
	{"diagnostic_imaging_worklist.deleted", "diagnosticimagingworklist_id", "A diagnostic-imaging worklist order was deleted."},
	{"invoice_draft.created_or_updated", "invoice_id", "A draft invoice was created or changed."},
	{"invoice_payment.created_or_updated", "invoicepayment_id", "A payment against an invoice was recorded or changed."},
	{"unallocated_payment.created_or_updated", "unallocatedpayment_id", "A payment not yet allocated to an invoice was recorded or changed."},
	{"insurance_claim.created_or_updated", "insuranceclaim_id", "An insurance claim was created or changed."},
	{"accounting_report.created_or_updated", "accountingreport_id", "An accounting report was created or changed."},
	{"organization_item.created_or_updated", "item_id", "An item of the organisation's price list was created or changed."},
	{"laboratory_referral.created_or_updated", "laboratoryreferral_id", "A laboratory referral was created or changed."},
	{"patient_referral.created_or_updated", "patientreferral_id", "A patient referral was created or changed."},
	{"sms_log.sent", "smslog_id", "An SMS was sent (the sent log's entry)."},
	{"email_log.sent", "emaillog_id", "An e-mail was sent (the sent log's entry)."},
	{"stock_entry.created_or_updated", "stockentry_id", "A stock entry (goods received, moved or written off) was created or changed."},
	{"stock_order.created_or_updated", "stockorder_id", "A stock order to a supplier was created or changed."},
}

// DefaultCatalogue returns vetlink's catalogue: its own resources
// (protocol, prescription, case, task, withhold, lab result, NAHLN report)
// and the practice-management events integrators already know.
func DefaultCatalogue() *Catalogue {
	c, err := NewCatalogue(defaultKinds...)
	if err != nil {
		panic(err) // the table above is fixed; the tests check it
	}
	return c
}

// checkPrefix returns an error naming the pattern prefix+"*" when no type
// of the catalogue starts with prefix (which ends in a dot).
func (c *Catalogue) checkPrefix(prefix string) error {
	pattern := prefix + "*"
	if !strings.HasSuffix(prefix, ".") || validEventType(EventType(prefix+"x")) != nil {
		return &EventError{Field: "type", Value: pattern, Reason: `a pattern is a dotted prefix and ".*", like "prescription.*"`}
	}
	for t := range c.kinds {
		if strings.HasPrefix(string(t), prefix) {
			return nil
		}
	}
	return &EventError{Field: "type", Value: pattern, Reason: fmt.Sprintf("selects no type of the catalogue (%d types)", len(c.kinds))}
}
