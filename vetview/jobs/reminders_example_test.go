package jobs_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/vetview"
	"github.com/vetlink/vetlink/vetview/jobs"
)

// ExampleReminderKind registers the reminder kind with a custom sender and
// checks a job's settings as configuring it would.
func ExampleReminderKind() {
	var tasks rx.Store // in a program: db.Rx()
	sms := jobs.SenderFunc(func(ctx context.Context, n jobs.Notification) error {
		// Hand n.Subject to an SMS gateway…
		return nil
	})
	var kinds vetview.Registry
	vetview.MustRegister(&kinds, jobs.ReminderKind(tasks, sms))

	fmt.Println(kinds.ValidateSettings(jobs.ReminderKindName,
		json.RawMessage(`{"farms":[{"farm":4,"to":["mia@meadow.example"]}],"lookaheadMinutes":1440}`)))
	fmt.Println(kinds.ValidateSettings(jobs.ReminderKindName, json.RawMessage(`{"farms":[{"farm":0}]}`)))
	// Output:
	// <nil>
	// vetview: settings "{\"farms\":[{\"farm\":0}]}": rejected by kind task-reminders: farms: farm 0: must be a user ID
}
