package openapi

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/webhook"
)

// TestEventsAreInTheCatalogue holds every event the API publishes to the
// catalogue subscribers choose from: Publish refuses an unknown type, and
// the write that announced it would roll back.
func TestEventsAreInTheCatalogue(t *testing.T) {
	cat := webhook.DefaultCatalogue()
	for _, e := range []webhook.EventType{
		eventProtocolCreated, eventProtocolUpdated, eventProtocolDeleted, eventProductPublished,
		eventPrescriptionCreated, eventPrescriptionUpdated, eventPrescriptionCancelled, eventCaseCreated,
		eventTaskCompleted, eventTaskSkipped, eventWithholdStarted, eventWithholdUpdated,
		eventUserChanged, eventUserDeactivated, eventAdminChanged,
	} {
		_, ok := cat.Lookup(e)
		require.True(t, ok, "%s is not in webhook.DefaultCatalogue", e)
	}
}
