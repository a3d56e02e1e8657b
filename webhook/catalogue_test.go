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
