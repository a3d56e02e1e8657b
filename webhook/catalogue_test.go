package webhook_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/webhook"
)

func TestDefaultCatalogue(t *testing.T) {
	c := webhook.DefaultCatalogue()
	tests := []struct {
		typ   webhook.EventType
		param string
	}{
		{"consultation.created_or_updated", "consultation_id"},
		{"appointment.deleted", "appointment_id"},
		{"invoice.finalized", "invoice_id"},
		{"patient.created_or_updated", "patient_id"},
		{"client.created_or_updated", "client_id"},
		{"reminder.created_or_updated", "reminder_id"},
		{"treatment_plan.created_or_updated", "treatment_plan_id"},
		{"stock.adjusted", "product_id"},
		{"user.created_or_updated", "user_id"},
		{"prescription.created", "prescription_id"},
		{"case.created", "case_id"},
		{"task.completed", "task_id"},
		{"withhold.released", "withhold_id"},
		{"protocol.updated", "protocol_id"},
		{"webhook.subscription_disabled", "subscription_id"},
		{"webhook.test", "subscription_id"},
		{"consultation.deleted", "consultation_id"},
		{"consultation.waiting_discharge", "consultation_id"},
		{"consultation_item.created_or_updated", "consultationitem_id"},
		{"diagnostic_imaging_worklist.created", "diagnosticimagingworklist_id"},
		{"diagnostic_imaging_worklist.updated", "diagnosticimagingworklist_id"},
		{"diagnostic_imaging_worklist.deleted", "diagnosticimagingworklist_id"},
		{"invoice_draft.created_or_updated", "invoice_id"},
		{"unallocated_payment.created_or_updated", "unallocatedpayment_id"},
		{"insurance_claim.created_or_updated", "insuranceclaim_id"},
		{"accounting_report.created_or_updated", "accountingreport_id"},
		{"laboratory_referral.created_or_updated", "laboratoryreferral_id"},
		{"patient_referral.created_or_updated", "patientreferral_id"},
		{"sms_log.sent", "smslog_id"},
		{"email_log.sent", "emaillog_id"},
		{"stock_entry.created_or_updated", "stockentry_id"},
		{"stock_order.created_or_updated", "stockorder_id"},
	}
	for _, tt := range tests {
		k, ok := c.Lookup(tt.typ)
		require.True(t, ok, tt.typ)
		require.Equal(t, tt.param, k.Param, tt.typ)
		require.NotEmpty(t, k.Description, tt.typ)
	}
	_, ok := c.Lookup("consultation.created")
	require.False(t, ok)
	kinds := c.Kinds()
	require.Len(t, kinds, 58)
	require.Equal(t, webhook.EventType("accounting_report.created_or_updated"), kinds[0].Type, "ordered by type")
}

// TestDefaultCatalogueResources checks where each of vetlink's own events
// is read ("webhook, then GET"), and that the practice-management events,
// served by the embedding application, name no collection.
func TestDefaultCatalogueResources(t *testing.T) {
	c := webhook.DefaultCatalogue()
	tests := []struct {
		typ      webhook.EventType
		resource string
	}{
		{"protocol.created", "protocols"},
		{"protocol.updated", "protocols"},
		{"protocol.deleted", "protocols"},
		{"prescription.created", "prescriptions"},
		{"prescription.updated", "prescriptions"},
		{"prescription.cancelled", "prescriptions"},
		{"case.created", "cases"},
		{"case.updated", "cases"},
		{"case.closed", "cases"},
		{"task.created", "tasks"},
		{"task.completed", "tasks"},
		{"task.skipped", "tasks"},
		{"withhold.started", "withholds"},
		{"withhold.updated", "withholds"},
		{"withhold.released", "withholds"},
		{"lab_result.received", "lab_results"},
		{"nahln_report.sent", "nahln_reports"},
		{"admin.changed", "admin_changes"},
		{"webhook.subscription_disabled", "webhook_subscriptions"},
		{"webhook.test", "webhook_subscriptions"},
		{"user.created_or_updated", "users"},
		{"user.deactivated", "users"},
		{"product.created_or_updated", ""},
		{"appointment.created_or_updated", ""},
		{"consultation.finalized", ""},
		{"invoice.created_or_updated", ""},
		{"stock_order.created_or_updated", ""},
	}
	for _, tt := range tests {
		k, ok := c.Lookup(tt.typ)
		require.True(t, ok, tt.typ)
		require.Equal(t, tt.resource, k.Resource, tt.typ)
	}
	var named int
	for _, k := range c.Kinds() {
		if k.Resource != "" {
			named++
		}
	}
	require.Equal(t, 22, named, "the 20 vetlink events and the 2 user events name a collection")
}

func TestNewCatalogueErrors(t *testing.T) {
	tests := []struct {
		kinds []webhook.EventKind
		want  string
	}{
		{[]webhook.EventKind{{Type: "created", Param: "x_id"}}, `webhook: event type "created": must be dotted, like "case.created"`},
		{[]webhook.EventKind{{Type: "Case.created", Param: "case_id"}}, `webhook: event type "Case.created": each dotted part must be lower-case letters, digits and underscores, starting with a letter`},
		{[]webhook.EventKind{{Type: "case..created", Param: "case_id"}}, `webhook: event type "case..created": each dotted part must be lower-case letters, digits and underscores, starting with a letter`},
		{[]webhook.EventKind{{Type: "case.created", Param: "caseId"}}, `webhook: event param "caseId": must be snake_case letters, digits and underscores`},
		{[]webhook.EventKind{{Type: "case.created", Param: "case_id"}, {Type: "case.created", Param: "case_id"}}, `webhook: event type "case.created": listed twice in the catalogue`},
		{[]webhook.EventKind{{Type: "case.created", Param: "case_id", Resource: "/api/0.1/cases/"}}, `webhook: event resource "/api/0.1/cases/": must be empty or a collection name of snake_case letters, digits and underscores`},
		{[]webhook.EventKind{{Type: "case.created", Param: "case_id", Resource: "Cases"}}, `webhook: event resource "Cases": must be empty or a collection name of snake_case letters, digits and underscores`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, err := webhook.NewCatalogue(tt.kinds...)
			var ee *webhook.EventError
			require.ErrorAs(t, err, &ee)
			require.EqualError(t, err, tt.want)
		})
	}
}
