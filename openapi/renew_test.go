package openapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
)

// TestRenewalRequest asks for a renewal as the VCPR does, with a
// RenewRequest message: the client of a used-up prescription asks, a new
// REQUESTED prescription is written and announced, and a request nobody
// may make is refused with nothing published.
func TestRenewalRequest(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		ctx := context.Background()
		vor, mor, other := e.user(t, rx.VOR, "renew-vet"), e.user(t, rx.MOR, "renew-farm"), e.user(t, rx.MOR, "renew-other")
		e.relate(t, rx.Client, vor, mor)
		created, err := vor.Client.CreatePrescriptionWithResponse(ctx, rx.PrescriptionRequest{Protocol: flunixin(t), MOR: mor.ID})
		require.NoError(t, err)
		require.Equal(t, http.StatusCreated, created.StatusCode(), "%s", created.Body)
		old := created.JSON201.Prescription
		code, body := e.do(t, mor, http.MethodPost, "/api/cases2", map[string]any{
			"id": 0, "rxId": old.ID, "animalId": "Bossie34", "initiationTime": old.Created.Add(time.Second), "species": "DairyCattle",
			"caseData": json.RawMessage(`{"_type":"models.WeightData","weight":{"dimension":"Mass","value":600,"symbol":"kg"}}`),
		})
		require.Equal(t, http.StatusOK, code, "%s", body)

		renew := map[string]any{
			"_type": "models.RenewRequest", "from": mor.ID, "to": vor.ID,
			"subject": "Flunixin again", "message": "Used up; please renew.",
			"prescription": old.ID, "refill": 2,
		}
		before := eventTypes(t, db)
		code, body = e.do(t, other, http.MethodPost, "/api/messages", renew)
		require.Equal(t, http.StatusForbidden, code, "another farm may not ask: %s", body)
		require.Empty(t, newEvents(t, db, before))

		code, body = e.do(t, mor, http.MethodPost, "/api/messages", renew)
		require.Equal(t, http.StatusOK, code, "%s", body)
		require.Equal(t, []string{"prescription.created"}, newEvents(t, db, before))

		to, err := mor.Client.GetRxToWithResponse(ctx)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, to.StatusCode(), "%s", to.Body)
		var requested *rx.Prescription
		for _, p := range *to.JSON200.Prescriptions {
			if p.RenewalOf == old.ID {
				requested = &p
			}
		}
		require.NotNil(t, requested, "the renewal is among the farm's prescriptions")
		require.Equal(t, rx.Requested, requested.Status)
		require.Equal(t, 2, requested.Refills)

		// The veterinarian approves it; then it is prescribed, once.
		approval := "/api/prescriptions/" + requested.ID + "/approval"
		before = eventTypes(t, db)
		for _, u := range []*testUser{mor, other} {
			code, body = e.do(t, u, http.MethodPost, approval, nil)
			require.Equal(t, http.StatusForbidden, code, "%s", body)
		}
		require.Empty(t, newEvents(t, db, before))
		approved, err := vor.Client.ApprovePrescriptionWithResponse(ctx, requested.ID)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, approved.StatusCode(), "%s", approved.Body)
		require.Equal(t, rx.Prescribed, approved.JSON200.Prescription.Status)
		require.Equal(t, []string{"prescription.updated"}, newEvents(t, db, before))
		code, body = e.do(t, vor, http.MethodPost, approval, nil)
		require.Equal(t, http.StatusConflict, code, "approved once: %s", body)
		code, body = e.do(t, vor, http.MethodPost, "/api/prescriptions/AAAAAAAAAAAAAAAA/approval", nil)
		require.Equal(t, http.StatusNotFound, code, "%s", body)
	})
}
