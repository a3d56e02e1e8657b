package openapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/client"
	"github.com/vetlink/vetlink/protocol"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
)

// flunixin is the test protocol: three daily IV doses for lactating dairy
// cows, meat 96 h, milk 36 h, two promises.
func flunixin(t *testing.T) protocol.Protocol {
	t.Helper()
	b, err := os.ReadFile("../protocol/testdata/protocol_flunixin.json")
	require.NoError(t, err)
	var p protocol.Protocol
	require.NoError(t, json.Unmarshal(b, &p))
	if p.Instructions == nil {
		p.Instructions = &protocol.Instructions{DoThis: "Weigh the cow; give the dose IV."}
	}
	return p
}

// member decodes one member of a JSON object body.
func member(t *testing.T, body []byte, name string) json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(body, &m), "%s", body)
	require.Contains(t, m, name, "%s", body)
	return m[name]
}

func TestRxFlow(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		ctx := context.Background()
		vor := e.user(t, rx.VOR, "vor1")
		vor2 := e.user(t, rx.VOR, "vor2")
		mor := e.user(t, rx.MOR, "mor1")
		mor2 := e.user(t, rx.MOR, "mor2")
		tor := e.user(t, rx.TOR, "tor1")
		tor2 := e.user(t, rx.TOR, "tor2")
		e.relate(t, rx.Client, vor, mor)
		e.relate(t, rx.Client, vor2, mor2)
		e.relate(t, rx.Employee, mor, tor)
		e.relate(t, rx.Employee, mor2, tor2)
		px := flunixin(t)
		const unknownRx = "AAAAAAAAAAAAAAAA"

		// refused runs a request that must fail with status and publish
		// nothing.
		refused := func(t *testing.T, u *testUser, method, path string, body any, status int) {
			t.Helper()
			before := eventTypes(t, db)
			code, out := e.do(t, u, method, path, body)
			require.Equal(t, status, code, "%s", out)
			require.Empty(t, newEvents(t, db, before))
		}

		// Prescribe.
		before := eventTypes(t, db)
		created, err := vor.Client.CreatePrescriptionWithResponse(ctx, rx.PrescriptionRequest{Protocol: px, MOR: mor.ID, Refills: 1})
		require.NoError(t, err)
		require.Equal(t, http.StatusCreated, created.StatusCode(), "%s", created.Body)
		rxp := created.JSON201.Prescription
		require.Equal(t, rx.Prescribed, rxp.Status)
		require.Equal(t, []string{"prescription.created"}, newEvents(t, db, before))
		rxPath := "/api/prescriptions/" + rxp.ID + "/"

		t.Run("CreatePrescriptionRefused", func(t *testing.T) {
			req := rx.PrescriptionRequest{Protocol: px, MOR: mor.ID}
			refused(t, mor, http.MethodPost, "/api/protocols/prescriptions", req, http.StatusForbidden)
			refused(t, tor, http.MethodPost, "/api/protocols/prescriptions", req, http.StatusForbidden)
			refused(t, vor2, http.MethodPost, "/api/protocols/prescriptions", req, http.StatusForbidden)
			refused(t, vor, http.MethodPost, "/api/protocols/prescriptions", `{"morId": "mor1", "protocol": 5}`, http.StatusBadRequest)
			refused(t, vor, http.MethodPost, "/api/protocols/prescriptions", rx.PrescriptionRequest{Protocol: px, MOR: 987654}, http.StatusNotFound)
			refused(t, vor, http.MethodPost, "/api/protocols/prescriptions", rx.PrescriptionRequest{Protocol: px, MOR: mor.ID, Refills: 101}, http.StatusUnprocessableEntity)
		})

		t.Run("GetPrescription", func(t *testing.T) {
			stored, err := db.Rx().Prescription(ctx, rxp.ID, false)
			require.NoError(t, err)
			want, err := json.Marshal(stored)
			require.NoError(t, err)
			for _, u := range []*testUser{vor, mor, tor, e.Admin} {
				for _, path := range []string{rxPath, "/api/protocols/prescriptions/" + rxp.ID} {
					code, body := e.do(t, u, http.MethodGet, path, nil)
					require.Equal(t, http.StatusOK, code, "%s %s", u.Uname, body)
					require.JSONEq(t, string(want), string(member(t, body, "prescription")))
				}
			}
			for _, u := range []*testUser{vor2, mor2, tor2} {
				refused(t, u, http.MethodGet, rxPath, nil, http.StatusForbidden)
			}
			refused(t, vor, http.MethodGet, "/api/prescriptions/"+unknownRx+"/", nil, http.StatusNotFound)
			refused(t, vor, http.MethodGet, "/api/prescriptions/short/", nil, http.StatusUnprocessableEntity)
		})

		// Enroll Bossie34 from the moment the prescription was written.
		start := rxp.Created.UTC()
		enrollBody := func(rxID, animal string) map[string]any {
			return map[string]any{
				"id": 0, "rxId": rxID, "animalId": animal, "initiationTime": start, "species": "DairyCattle",
				"caseData": json.RawMessage(`{"_type":"models.WeightData","weight":{"dimension":"Mass","value":600,"symbol":"kg"}}`),
			}
		}
		before = eventTypes(t, db)
		code, body := e.do(t, mor, http.MethodPost, "/api/cases2", enrollBody(rxp.ID, "Bossie34"))
		require.Equal(t, http.StatusOK, code, "%s", body)
		var enrolled struct {
			Case struct {
				ID       int64       `json:"id"`
				Doses    []rx.Task   `json:"doses"`
				Promises []rx.Task   `json:"promises"`
				Withhold rx.Withhold `json:"withhold"`
			} `json:"case"`
		}
		require.NoError(t, json.Unmarshal(body, &enrolled))
		require.Len(t, enrolled.Case.Doses, 3)
		require.Len(t, enrolled.Case.Promises, 2)
		// Meat: 96 h after the third daily dose (48 h after the first).
		require.Equal(t, start.Add(48*time.Hour+96*time.Hour).Format(time.RFC3339Nano), enrolled.Case.Withhold.MeatUntil.Format(time.RFC3339Nano))
		require.Equal(t, []string{"case.created", "withhold.started"}, newEvents(t, db, before))
		caseID := enrolled.Case.ID
		casePath := fmt.Sprintf("/api/cases/%d", caseID)

		t.Run("EnrollCaseRefused", func(t *testing.T) {
			refused(t, tor, http.MethodPost, "/api/cases2", enrollBody(rxp.ID, "Cow2"), http.StatusForbidden)
			refused(t, mor2, http.MethodPost, "/api/cases2", enrollBody(rxp.ID, "Cow2"), http.StatusForbidden)
			refused(t, vor2, http.MethodPost, "/api/cases2", enrollBody(rxp.ID, "Cow2"), http.StatusForbidden)
			refused(t, mor, http.MethodPost, "/api/cases2", `{"rxId": 5, "animalId": "Cow2"}`, http.StatusBadRequest)
			refused(t, mor, http.MethodPost, "/api/cases2", enrollBody(unknownRx, "Cow2"), http.StatusNotFound)
			beef := enrollBody(rxp.ID, "Steer1")
			beef["species"] = "BeefCattle"
			refused(t, mor, http.MethodPost, "/api/cases2", beef, http.StatusUnprocessableEntity)
		})

		t.Run("GetCaseHx", func(t *testing.T) {
			hx, err := (&rx.Service{Store: db.Rx()}).CaseHx(ctx, rx.Actor{User: e.Admin.User}, caseID)
			require.NoError(t, err)
			for _, u := range []*testUser{mor, tor, vor} {
				code, body := e.do(t, u, http.MethodGet, casePath, nil)
				require.Equal(t, http.StatusOK, code, "%s", body)
				got := member(t, body, "caseHx")
				var back rx.CaseHx
				require.NoError(t, json.Unmarshal(got, &back))
				want, err := json.Marshal(hx)
				require.NoError(t, err)
				require.JSONEq(t, string(want), string(got))
			}
			for _, u := range []*testUser{vor2, mor2, tor2} {
				refused(t, u, http.MethodGet, casePath, nil, http.StatusForbidden)
			}
			refused(t, mor, http.MethodGet, "/api/cases/987654", nil, http.StatusNotFound)
			refused(t, mor, http.MethodGet, "/api/cases/abc", nil, http.StatusBadRequest)
		})

		t.Run("ExecuteTask", func(t *testing.T) {
			first := enrolled.Case.Doses[0]
			first.Status = rx.TaskExecuted
			for _, u := range []*testUser{tor2, mor2, vor2} {
				refused(t, u, http.MethodPost, "/api/users/tasks", first, http.StatusForbidden)
			}
			unknown := first
			unknown.ID = 987654
			refused(t, tor, http.MethodPost, "/api/users/tasks", unknown, http.StatusNotFound)
			refused(t, tor, http.MethodPost, "/api/users/tasks", `{"_type": "models.DoseTask", "id": "one"}`, http.StatusBadRequest)

			before := eventTypes(t, db)
			code, body := e.do(t, tor, http.MethodPost, "/api/users/tasks", first)
			require.Equal(t, http.StatusOK, code, "%s", body)
			var hx rx.CaseHx
			require.NoError(t, json.Unmarshal(member(t, body, "case"), &hx))
			require.Equal(t, rx.TaskExecuted, hx.DoseTasks[0].Status)
			require.Equal(t, tor.ID, hx.DoseTasks[0].DoneBy)
			require.Equal(t, []string{"task.completed"}, newEvents(t, db, before))

			refused(t, tor, http.MethodPost, "/api/users/tasks", first, http.StatusConflict)

			// Skipping the last dose moves the release to 96 h after the
			// second.
			last := enrolled.Case.Doses[2]
			last.Status = rx.TaskCancelled
			last.Note = "cow recovered"
			before = eventTypes(t, db)
			code, body = e.do(t, mor, http.MethodPost, "/api/users/tasks", last)
			require.Equal(t, http.StatusOK, code, "%s", body)
			require.NoError(t, json.Unmarshal(member(t, body, "case"), &hx))
			require.Equal(t, rx.TaskCancelled, hx.DoseTasks[2].Status)
			require.Equal(t, start.Add(24*time.Hour+96*time.Hour).Truncate(time.Microsecond).Format(time.RFC3339Nano), hx.Withhold.MeatUntil.Truncate(time.Microsecond).Format(time.RFC3339Nano))
			require.Equal(t, []string{"task.skipped", "withhold.updated"}, newEvents(t, db, before))
		})

		t.Run("GetWithholds", func(t *testing.T) {
			for _, tt := range []struct {
				u *testUser
				n int
			}{{mor, 1}, {tor, 1}, {vor, 1}, {mor2, 0}, {tor2, 0}, {vor2, 0}} {
				code, body := e.do(t, tt.u, http.MethodGet, "/api/users/withholds", nil)
				require.Equal(t, http.StatusOK, code, "%s", body)
				var ws []rx.Withhold
				require.NoError(t, json.Unmarshal(member(t, body, "labels"), &ws))
				require.Len(t, ws, tt.n, tt.u.Uname)
				if tt.n == 1 {
					require.Equal(t, "Bossie34", ws[0].AnimalID)
				}
			}
			refused(t, e.Admin, http.MethodGet, "/api/users/withholds", nil, http.StatusForbidden)
		})

		t.Run("Lists", func(t *testing.T) {
			count := func(u *testUser, path, name string) int {
				t.Helper()
				code, body := e.do(t, u, http.MethodGet, path, nil)
				require.Equal(t, http.StatusOK, code, "%s", body)
				var xs []json.RawMessage
				require.NoError(t, json.Unmarshal(member(t, body, name), &xs))
				return len(xs)
			}
			require.Equal(t, 1, count(vor, "/api/prescriptionsByMe", "prescriptions"))
			require.Equal(t, 0, count(vor2, "/api/prescriptionsByMe", "prescriptions"))
			require.Equal(t, 0, count(mor, "/api/prescriptionsByMe", "prescriptions"))
			require.Equal(t, 1, count(mor, "/api/prescriptionsToMe", "prescriptions"))
			require.Equal(t, 1, count(tor, "/api/prescriptionsToMe", "prescriptions"))
			require.Equal(t, 0, count(mor2, "/api/prescriptionsToMe", "prescriptions"))
			require.Equal(t, 1, count(vor, "/api/protocols/prescriptions", "diagnoses"))
			require.Equal(t, 0, count(vor2, "/api/protocols/prescriptions", "diagnoses"))
			require.Equal(t, 1, count(vor, fmt.Sprintf("/api/protocols/%d/prescriptions", px.ID), "diagnoses"))
			require.Equal(t, 0, count(vor, "/api/protocols/987654/prescriptions", "diagnoses"))
			require.Equal(t, 1, count(mor, "/api/prescriptions/"+rxp.ID+"/cases", "cases"))
			refused(t, mor2, http.MethodGet, "/api/prescriptions/"+rxp.ID+"/cases", nil, http.StatusForbidden)
			refused(t, mor, http.MethodGet, "/api/prescriptions/"+unknownRx+"/cases", nil, http.StatusNotFound)
			for _, path := range []string{"/api/cases", "/api/users/tasks"} {
				require.Equal(t, 1, count(vor, path, "cases"))
				require.Equal(t, 1, count(tor, path, "cases"))
				require.Equal(t, 0, count(vor2, path, "cases"))
			}
			require.Equal(t, 1, count(vor, "/api/rx-cases", "rxesWithCases"))
			require.Equal(t, 0, count(vor2, "/api/rx-cases", "rxesWithCases"))
			require.Equal(t, 1, count(vor, fmt.Sprintf("/api/rx-cases?morId=%d", mor.ID), "rxesWithCases"))
			require.Equal(t, 0, count(vor, fmt.Sprintf("/api/rx-cases?morId=%d", mor2.ID), "rxesWithCases"))
			after := start.Add(time.Minute).Format(time.RFC3339)
			require.Equal(t, 0, count(vor, "/api/rx-cases?enrolledAfter="+after, "rxesWithCases"))
			require.Equal(t, 1, count(vor, "/api/rx-cases?enrolledBefore="+after, "rxesWithCases"))
			require.Equal(t, 0, count(vor, "/api/rx-cases?offset=1", "rxesWithCases"))
			code, body := e.do(t, vor, http.MethodGet, "/api/rx-cases?offset=1", nil)
			require.Equal(t, http.StatusOK, code)
			require.JSONEq(t, "1", string(member(t, body, "of")))
			refused(t, vor, http.MethodGet, "/api/rx-cases?limit=x", nil, http.StatusBadRequest)
		})

		t.Run("DeletePrescription", func(t *testing.T) {
			refused(t, mor2, http.MethodDelete, rxPath, nil, http.StatusForbidden)
			refused(t, vor2, http.MethodDelete, rxPath, nil, http.StatusForbidden)
			refused(t, tor, http.MethodDelete, rxPath, nil, http.StatusForbidden)
			refused(t, vor, http.MethodDelete, "/api/prescriptions/"+unknownRx+"/", nil, http.StatusNotFound)

			before := eventTypes(t, db)
			code, body := e.do(t, vor, http.MethodDelete, rxPath, nil)
			require.Equal(t, http.StatusOK, code, "%s", body)
			require.JSONEq(t, `{"updated": 1}`, string(body))
			require.Equal(t, []string{"prescription.cancelled"}, newEvents(t, db, before))
			stored, err := db.Rx().Prescription(ctx, rxp.ID, false)
			require.NoError(t, err)
			require.Equal(t, rx.Recalled, stored.Status)

			refused(t, vor, http.MethodDelete, rxPath, nil, http.StatusConflict)
			refused(t, mor, http.MethodPost, "/api/cases2", enrollBody(rxp.ID, "Cow3"), http.StatusConflict)

			// The client declines a second prescription.
			second, err := vor.Client.CreatePrescriptionWithResponse(ctx, rx.PrescriptionRequest{Protocol: px, MOR: mor.ID})
			require.NoError(t, err)
			require.Equal(t, http.StatusCreated, second.StatusCode(), "%s", second.Body)
			id := second.JSON201.Prescription.ID
			before = eventTypes(t, db)
			code, body = e.do(t, mor, http.MethodDelete, "/api/prescriptions/"+id+"/", nil)
			require.Equal(t, http.StatusOK, code, "%s", body)
			require.Equal(t, []string{"prescription.cancelled"}, newEvents(t, db, before))
			stored, err = db.Rx().Prescription(ctx, id, false)
			require.NoError(t, err)
			require.Equal(t, rx.Declined, stored.Status)
		})
	})
}

// TestRxIdempotentEnrollment: the Idempotency-Key header makes a retried
// enrollment answer the first case and publish nothing again; without a
// key an animal in an open case of the prescription is 409 unless
// newCourse=true; a group case without members is 422.
func TestRxIdempotentEnrollment(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		ctx := context.Background()
		vor := e.user(t, rx.VOR, "vor1")
		mor := e.user(t, rx.MOR, "mor1")
		e.relate(t, rx.Client, vor, mor)
		created, err := vor.Client.CreatePrescriptionWithResponse(ctx, rx.PrescriptionRequest{Protocol: flunixin(t), MOR: mor.ID, Refills: 5})
		require.NoError(t, err)
		require.Equal(t, http.StatusCreated, created.StatusCode(), "%s", created.Body)
		p := created.JSON201.Prescription
		body := func(animal string) rx.Case {
			return rx.Case{RxID: p.ID, AnimalID: animal, Initiation: p.Created, Species: protocol.DairyCattle,
				Data: &protocol.WeightData{Weight: protocol.Q(protocol.Int(600), protocol.Kilogram)}}
		}
		key := "0b6a3f0e-bossie34"
		before := eventTypes(t, db)
		first, err := mor.Client.EnrollCaseWithResponse(ctx, &client.EnrollCaseParams{IdempotencyKey: &key}, body("Bossie34"))
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, first.StatusCode(), "%s", first.Body)
		require.Equal(t, []string{"case.created", "withhold.started"}, newEvents(t, db, before))
		before = eventTypes(t, db)
		again, err := mor.Client.EnrollCaseWithResponse(ctx, &client.EnrollCaseParams{IdempotencyKey: &key}, body("Bossie34"))
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, again.StatusCode(), "%s", again.Body)
		require.Equal(t, *first.JSON200.Case.Id, *again.JSON200.Case.Id, "the retry answers the first case")
		require.Len(t, *again.JSON200.Case.Doses, 3)
		require.Empty(t, newEvents(t, db, before), "a replay publishes nothing")
		cases, err := db.Rx().Cases(ctx, p.ID)
		require.NoError(t, err)
		require.Len(t, cases, 1)

		tests := []struct {
			name   string
			params *client.EnrollCaseParams
			body   rx.Case
			status int
			detail string
		}{
			{"key of another animal", &client.EnrollCaseParams{IdempotencyKey: &key}, body("Clover"), http.StatusConflict, "already used for case"},
			{"open case, no key", nil, body("Bossie34"), http.StatusConflict, fmt.Sprintf("already in open case %d", *first.JSON200.Case.Id)},
			{"anonymous group", nil, func() rx.Case { c := body("pen 4"); c.Head = 10; return c }(), http.StatusUnprocessableEntity, "a group case lists its animals in members"},
		}
		for _, tc := range tests {
			before := eventTypes(t, db)
			resp, err := mor.Client.EnrollCaseWithResponse(ctx, tc.params, tc.body)
			require.NoError(t, err)
			require.Equal(t, tc.status, resp.StatusCode(), "%s: %s", tc.name, resp.Body)
			require.Contains(t, problem(t, resp.Body).Detail, tc.detail, tc.name)
			require.Empty(t, newEvents(t, db, before), tc.name)
		}
		yes := true
		course, err := mor.Client.EnrollCaseWithResponse(ctx, &client.EnrollCaseParams{NewCourse: &yes}, body("Bossie34"))
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, course.StatusCode(), "%s", course.Body)
		require.NotEqual(t, *first.JSON200.Case.Id, *course.JSON200.Case.Id)
		// The deprecated operation takes the header too.
		dep, err := mor.Client.DeprecatedEnrollCaseWithResponse(ctx, &client.DeprecatedEnrollCaseParams{IdempotencyKey: &key}, body("Bossie34"))
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, dep.StatusCode(), "%s", dep.Body)
		require.Equal(t, *first.JSON200.Case.Id, *dep.JSON200.Case.Id)
	})
}

// TestRxHerdClearance: GET /api/farms/{morId}/clearance answers every
// animal of the farm, with the bytes json.Marshal gives the domain value.
func TestRxHerdClearance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		ctx := context.Background()
		vor := e.user(t, rx.VOR, "vor1")
		vor2 := e.user(t, rx.VOR, "vor2")
		mor := e.user(t, rx.MOR, "mor1")
		tor := e.user(t, rx.TOR, "tor1")
		e.relate(t, rx.Client, vor, mor)
		e.relate(t, rx.Employee, mor, tor)
		created, err := vor.Client.CreatePrescriptionWithResponse(ctx, rx.PrescriptionRequest{Protocol: flunixin(t), MOR: mor.ID, Refills: 5})
		require.NoError(t, err)
		require.Equal(t, http.StatusCreated, created.StatusCode(), "%s", created.Body)
		p := created.JSON201.Prescription
		for _, c := range []rx.Case{
			{AnimalID: "Bossie34"},
			{AnimalID: "pen 4", Members: []string{"Cow7", "Cow3"}},
		} {
			c.RxID, c.Initiation, c.Species = p.ID, p.Created, protocol.DairyCattle
			c.Data = &protocol.WeightData{Weight: protocol.Q(protocol.Int(600), protocol.Kilogram)}
			resp, err := mor.Client.EnrollCaseWithResponse(ctx, nil, c)
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode(), "%s", resp.Body)
		}
		at := p.Created.Add(24 * time.Hour).UTC().Truncate(time.Second)
		path := fmt.Sprintf("/api/farms/%d/clearance?commodity=meat&at=%s", mor.ID, at.Format(time.RFC3339))
		for _, u := range []*testUser{mor, tor, vor, e.Admin} {
			code, body := e.do(t, u, http.MethodGet, path, nil)
			require.Equal(t, http.StatusOK, code, "%s %s", u.Uname, body)
			a, err := (&rx.Service{Store: db.Rx()}).Actor(ctx, u.ID)
			require.NoError(t, err)
			want, err := (&rx.Service{Store: db.Rx()}).HerdClearance(ctx, a, mor.ID, rx.Meat, at)
			require.NoError(t, err)
			wantJSON, err := json.Marshal(want)
			require.NoError(t, err)
			require.Equal(t, string(wantJSON), string(member(t, body, "clearances")), u.Uname)
			var got []rx.Clearance
			require.NoError(t, json.Unmarshal(member(t, body, "clearances"), &got))
			var animals []string
			for _, c := range got {
				animals = append(animals, c.AnimalID)
				require.False(t, c.Allowed, c.AnimalID)
			}
			require.Equal(t, []string{"Bossie34", "Cow3", "Cow7"}, animals)
			require.Equal(t, "pen 4", got[1].GroupID)
		}
		code, _ := e.do(t, vor2, http.MethodGet, path, nil)
		require.Equal(t, http.StatusForbidden, code)
		code, _ = e.do(t, mor, http.MethodGet, fmt.Sprintf("/api/farms/%d/clearance?commodity=eggs", mor.ID), nil)
		require.Equal(t, http.StatusBadRequest, code)
	})
}

// TestRxUnidentifiedProduct: a product the drug dictionary cannot identify
// is prescribed for a food animal only with the veterinarian's
// confirmation of its ingredient, which the prescription keeps on the
// wire.
func TestRxUnidentifiedProduct(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		ctx := context.Background()
		vor := e.user(t, rx.VOR, "vor1")
		mor := e.user(t, rx.MOR, "mor1")
		e.relate(t, rx.Client, vor, mor)
		px := flunixin(t)
		px.Treatments[0].Product = "Zyxomycin 100 mg/mL"
		before := eventTypes(t, db)
		refused, err := vor.Client.CreatePrescriptionWithResponse(ctx, rx.PrescriptionRequest{Protocol: px, MOR: mor.ID})
		require.NoError(t, err)
		require.Equal(t, http.StatusUnprocessableEntity, refused.StatusCode(), "%s", refused.Body)
		require.Contains(t, problem(t, refused.Body).Detail, "the drug dictionary cannot identify its active ingredient")
		require.Empty(t, newEvents(t, db, before))

		conf := []protocol.Confirmation{{Treatment: 0, Ingredients: []string{"oxytetracycline"}}}
		created, err := vor.Client.CreatePrescriptionWithResponse(ctx, rx.PrescriptionRequest{Protocol: px, MOR: mor.ID, Confirmations: conf})
		require.NoError(t, err)
		require.Equal(t, http.StatusCreated, created.StatusCode(), "%s", created.Body)
		require.Equal(t, conf, created.JSON201.Prescription.Confirmations)
		stored, err := db.Rx().Prescription(ctx, created.JSON201.Prescription.ID, false)
		require.NoError(t, err)
		want, err := json.Marshal(stored)
		require.NoError(t, err)
		code, body := e.do(t, mor, http.MethodGet, "/api/prescriptions/"+stored.ID+"/", nil)
		require.Equal(t, http.StatusOK, code, "%s", body)
		require.JSONEq(t, string(want), string(member(t, body, "prescription")))
		require.Contains(t, string(body), `"confirmations":[{"treatment":0,"ingredients":["oxytetracycline"]}]`)
	})
}
