package jobs_test

import (
	"encoding/json"
	"fmt"

	"github.com/vetlink/vetlink/vetview"
	"github.com/vetlink/vetlink/vetview/jobs"
	"github.com/vetlink/vetlink/webhook"
)

// ExampleWebhookMaintenanceKind registers the webhook maintenance kind and
// checks a job's settings as configuring it would.
func ExampleWebhookMaintenanceKind() {
	svc := &webhook.Service{} // in a program: &webhook.Service{Store: db.Webhooks()}
	var kinds vetview.Registry
	vetview.MustRegister(&kinds, jobs.WebhookMaintenanceKind(svc, nil))

	k := kinds.Kinds()[0]
	fmt.Println(k.Name, string(k.Defaults))
	fmt.Println(kinds.ValidateSettings(jobs.WebhookMaintenanceKindName, json.RawMessage(`{"retentionDays":90}`)))
	fmt.Println(kinds.ValidateSettings(jobs.WebhookMaintenanceKindName, json.RawMessage(`{"retentionDays":0}`)))
	// Output:
	// webhook-maintenance {"retentionDays":30}
	// <nil>
	// vetview: settings "{\"retentionDays\":0}": rejected by kind webhook-maintenance: retentionDays 0: must be between 1 and 3650
}
