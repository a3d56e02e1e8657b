package openapi

import "github.com/vetlink/vetlink/webhook"

// The webhook events the API publishes, each in the transaction of the
// change it announces (see API.inTx), so a request that rolls back
// notifies no one. Their identifying parameters and descriptions are in
// webhook's catalogue (webhook.DefaultCatalogue).
const (
	eventProtocolCreated  webhook.EventType = "protocol.created"
	eventProtocolUpdated  webhook.EventType = "protocol.updated"
	eventProtocolDeleted  webhook.EventType = "protocol.deleted"
	eventProductPublished webhook.EventType = "product.created_or_updated"

	eventPrescriptionCreated   webhook.EventType = "prescription.created"
	eventPrescriptionUpdated   webhook.EventType = "prescription.updated"
	eventPrescriptionCancelled webhook.EventType = "prescription.cancelled"
	eventCaseCreated           webhook.EventType = "case.created"
	eventTaskCompleted         webhook.EventType = "task.completed"
	eventTaskSkipped           webhook.EventType = "task.skipped"
	eventWithholdStarted       webhook.EventType = "withhold.started"
	eventWithholdUpdated       webhook.EventType = "withhold.updated"

	eventUserChanged     webhook.EventType = "user.created_or_updated"
	eventUserDeactivated webhook.EventType = "user.deactivated"

	// eventAdminChanged announces one change an administrator made through
	// the admin API (or the dashboard, which calls it): its resource is the
	// change's number in the audit log.
	eventAdminChanged webhook.EventType = "admin.changed"
)
