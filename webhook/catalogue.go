package webhook

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// An EventKind describes one event type of a [Catalogue]: its name, the
// parameter that identifies the changed resource in a form-encoded payload
// ("consultation_id=123"), where that resource is read, and a sentence for
// people browsing the catalogue.
type EventKind struct {
	Type  EventType
	Param string
	// Resource is the collection of the integration API (/api/0.1/, package
	// restapi) that serves the object whose ID Param carries: "cases" for
	// "case_id", so a subscriber told case_id=123 reads GET
	// /api/0.1/cases/123/. It is empty for the events of an embedding
	// practice-management application, whose own API serves the object, and
	// for events whose data is the whole object.
	Resource    string
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
		if k.Resource != "" && !validIdent(k.Resource) {
			return nil, &EventError{Field: "resource", Value: k.Resource, Reason: "must be empty or a collection name of snake_case letters, digits and underscores"}
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
	// vetlink resources: each names the collection of the integration API
	// (/api/0.1/) that serves its object, so "webhook, then GET" works for
	// every one of them.
	{Type: "protocol.created", Param: "protocol_id", Resource: "protocols", Description: "A treatment protocol was created."},
	{Type: "protocol.updated", Param: "protocol_id", Resource: "protocols", Description: "A treatment protocol was changed."},
	{Type: "protocol.deleted", Param: "protocol_id", Resource: "protocols", Description: "A treatment protocol was withdrawn."},
	{Type: "prescription.created", Param: "prescription_id", Resource: "prescriptions", Description: "A veterinarian issued a prescription."},
	{Type: "prescription.updated", Param: "prescription_id", Resource: "prescriptions", Description: "A prescription changed (refills, expiry, status)."},
	{Type: "prescription.cancelled", Param: "prescription_id", Resource: "prescriptions", Description: "A prescription was cancelled."},
	{Type: "case.created", Param: "case_id", Resource: "cases", Description: "An animal was enrolled on a prescription."},
	{Type: "case.updated", Param: "case_id", Resource: "cases", Description: "A case changed."},
	{Type: "case.closed", Param: "case_id", Resource: "cases", Description: "A case was closed."},
	{Type: "task.created", Param: "task_id", Resource: "tasks", Description: "A dose task was scheduled."},
	{Type: "task.completed", Param: "task_id", Resource: "tasks", Description: "A dose task was recorded as given."},
	{Type: "task.skipped", Param: "task_id", Resource: "tasks", Description: "A dose task was skipped."},
	{Type: "withhold.started", Param: "withhold_id", Resource: "withholds", Description: "A meat or milk withdrawal period started."},
	{Type: "withhold.updated", Param: "withhold_id", Resource: "withholds", Description: "A withdrawal period's release time changed."},
	{Type: "withhold.released", Param: "withhold_id", Resource: "withholds", Description: "A withdrawal period ended."},
	{Type: "lab_result.received", Param: "lab_result_id", Resource: "lab_results", Description: "A lab result arrived over HL7."},
	{Type: "nahln_report.sent", Param: "nahln_report_id", Resource: "nahln_reports", Description: "A report was sent to NAHLN."},
	{Type: EventSubscriptionDisabled, Param: "subscription_id", Resource: "webhook_subscriptions", Description: "The dispatcher disabled a webhook subscription."},
	{Type: "admin.changed", Param: "admin_change_id", Resource: "admin_changes", Description: "An administrator changed a server, job or webhook setting (audit log)."},
	{Type: EventTest, Param: "subscription_id", Resource: "webhook_subscriptions", Description: "A test event, sent on request to one subscription (Service.SendTest)."},

	// Practice-management events. An embedding practice-management
	// application publishes them with its own IDs, and its own API serves
	// the objects: they name no Resource. The exceptions are the user
	// events, which vetlink itself publishes for its users (openapi's
	// user.created_or_updated and user.deactivated) and /api/0.1/users/
	// serves; product.created_or_updated, which vetlink publishes for a
	// Green Book drug by NDC, names none because drugs are not a
	// collection (their label is /api/spl/{ndc}).
	{Type: "appointment.created_or_updated", Param: "appointment_id", Description: "An appointment was booked or changed."},
	{Type: "appointment.deleted", Param: "appointment_id", Description: "An appointment was cancelled."},
	{Type: "client.created_or_updated", Param: "client_id", Description: "A client (animal owner) was created or changed."},
	{Type: "client.deleted", Param: "client_id", Description: "A client was deleted."},
	{Type: "patient.created_or_updated", Param: "patient_id", Description: "A patient (animal) was created or changed."},
	{Type: "patient.deleted", Param: "patient_id", Description: "A patient was deleted."},
	{Type: "consultation.created_or_updated", Param: "consultation_id", Description: "A consultation was opened or changed."},
	{Type: "consultation.finalized", Param: "consultation_id", Description: "A consultation was finalized."},
	{Type: "invoice.created_or_updated", Param: "invoice_id", Description: "An invoice was created or changed."},
	{Type: "invoice.finalized", Param: "invoice_id", Description: "An invoice was finalized."},
	{Type: "payment.created", Param: "payment_id", Description: "A payment was recorded."},
	{Type: "reminder.created_or_updated", Param: "reminder_id", Description: "A reminder was scheduled or changed."},
	{Type: "reminder.deleted", Param: "reminder_id", Description: "A reminder was removed."},
	{Type: "treatment_plan.created_or_updated", Param: "treatment_plan_id", Description: "A treatment plan was created or changed."},
	{Type: "treatment_plan.deleted", Param: "treatment_plan_id", Description: "A treatment plan was deleted."},
	{Type: "stock.adjusted", Param: "product_id", Description: "A product's stock level changed."},
	{Type: "product.created_or_updated", Param: "product_id", Description: "A product was created or changed."},
	{Type: "user.created_or_updated", Param: "user_id", Resource: "users", Description: "A practice user was created or changed."},
	{Type: "user.deactivated", Param: "user_id", Resource: "users", Description: "A practice user was deactivated."},
	{Type: "department.created_or_updated", Param: "department_id", Description: "A department (clinic site) was created or changed."},

	// The rest of the practice-management cloud's trigger list
	// (developers.provetcloud.com/restapi/webhook_triggers.html, parameters
	// from its webhooks.html): the parameter is the resource's name run
	// together, as that cloud sends it ("consultationitem_id=7"). The
	// published list confirms client_id, patient_id, consultation_id,
	// consultationitem_id and diagnosticimagingworklist_id; the others
	// below follow the same pattern and were not confirmed against a
	// delivery from that cloud.
	{Type: "consultation.deleted", Param: "consultation_id", Description: "A consultation was deleted."},
	{Type: "consultation.waiting_discharge", Param: "consultation_id", Description: "A consultation's status changed to waiting for discharge."},
	{Type: "consultation_item.created_or_updated", Param: "consultationitem_id", Description: "An item (a procedure, medicine or supply) of a consultation was added or changed."},
	{Type: "diagnostic_imaging_worklist.created", Param: "diagnosticimagingworklist_id", Description: "A diagnostic-imaging referral was put on the worklist."},
	{Type: "diagnostic_imaging_worklist.updated", Param: "diagnosticimagingworklist_id", Description: "A diagnostic-imaging worklist order changed."},
	{Type: "diagnostic_imaging_worklist.deleted", Param: "diagnosticimagingworklist_id", Description: "A diagnostic-imaging worklist order was deleted."},
	{Type: "invoice_draft.created_or_updated", Param: "invoice_id", Description: "A draft invoice was created or changed."},
	{Type: "invoice_payment.created_or_updated", Param: "invoicepayment_id", Description: "A payment against an invoice was recorded or changed."},
	{Type: "unallocated_payment.created_or_updated", Param: "unallocatedpayment_id", Description: "A payment not yet allocated to an invoice was recorded or changed."},
	{Type: "insurance_claim.created_or_updated", Param: "insuranceclaim_id", Description: "An insurance claim was created or changed."},
	{Type: "accounting_report.created_or_updated", Param: "accountingreport_id", Description: "An accounting report was created or changed."},
	{Type: "organization_item.created_or_updated", Param: "item_id", Description: "An item of the organisation's price list was created or changed."},
	{Type: "laboratory_referral.created_or_updated", Param: "laboratoryreferral_id", Description: "A laboratory referral was created or changed."},
	{Type: "patient_referral.created_or_updated", Param: "patientreferral_id", Description: "A patient referral was created or changed."},
	{Type: "sms_log.sent", Param: "smslog_id", Description: "An SMS was sent (the sent log's entry)."},
	{Type: "email_log.sent", Param: "emaillog_id", Description: "An e-mail was sent (the sent log's entry)."},
	{Type: "stock_entry.created_or_updated", Param: "stockentry_id", Description: "A stock entry (goods received, moved or written off) was created or changed."},
	{Type: "stock_order.created_or_updated", Param: "stockorder_id", Description: "A stock order to a supplier was created or changed."},
}

// DefaultCatalogue returns vetlink's catalogue: its own resources
// (protocol, prescription, case, task, withhold, lab result, NAHLN report,
// webhook subscription, administrator's change), each with the
// [EventKind.Resource] that serves it, and the practice-management events
// integrators already know.
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
