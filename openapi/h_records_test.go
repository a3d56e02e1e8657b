package openapi_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/vetlink/vetlink/openapi"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
)

// TestTreatmentRecords: a dose given is in the farm's 21 CFR 530.5
// records, as JSON, CSV or PDF as the Accept header prefers; a period
// that ends before it starts is a 422, and another farm's VOR is refused.
func TestTreatmentRecords(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		vor, mor, tor, other := e.user(t, rx.VOR, "vorrec1"), e.user(t, rx.MOR, "morrec1"), e.user(t, rx.TOR, "torrec1"), e.user(t, rx.VOR, "vorrec2")
		e.relate(t, rx.Client, vor, mor)
		e.relate(t, rx.Employee, mor, tor)
		code, body := e.do(t, vor, http.MethodPost, "/api/protocols/prescriptions", rx.PrescriptionRequest{Protocol: flunixin(t), MOR: mor.ID})
		require.Equal(t, http.StatusCreated, code, "%s", body)
		var p rx.Prescription
		require.NoError(t, json.Unmarshal(member(t, body, "prescription"), &p))
		start := p.Created.UTC()
		code, body = e.do(t, mor, http.MethodPost, "/api/cases2", map[string]any{
			"id": 0, "rxId": p.ID, "animalId": "Bossie34", "initiationTime": start, "species": "DairyCattle",
			"caseData": json.RawMessage(`{"_type":"models.WeightData","weight":{"dimension":"Mass","value":600,"symbol":"kg"}}`),
		})
		require.Equal(t, http.StatusOK, code, "%s", body)
		var enrolled struct {
			Case struct {
				Doses []rx.Task `json:"doses"`
			} `json:"case"`
		}
		require.NoError(t, json.Unmarshal(body, &enrolled))
		first := enrolled.Case.Doses[0]
		first.Status = rx.TaskExecuted
		code, body = e.do(t, tor, http.MethodPost, "/api/users/tasks", first)
		require.Equal(t, http.StatusOK, code, "%s", body)

		get := func(u *testUser, from, to time.Time, accept string) (int, string, []byte) {
			q := url.Values{"from": {from.Format(time.RFC3339)}, "to": {to.Format(time.RFC3339)}}
			req, err := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/api/farms/%d/records?%s", e.URL, mor.ID, q.Encode()), nil)
			require.NoError(t, err)
			req.Header.Set(openapi.APIKeyHeader, e.APIKey)
			req.Header.Set(openapi.AuthTokenHeader, u.Token)
			if accept != "" {
				req.Header.Set("Accept", accept)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			return resp.StatusCode, strings.Split(resp.Header.Get("Content-Type"), ";")[0], b
		}
		from, to := time.Now().Add(-time.Hour), time.Now().Add(time.Hour)

		code, ct, b := get(vor, from, to, "")
		require.Equal(t, http.StatusOK, code, "%s", b)
		require.Equal(t, "application/json", ct)
		var got struct{ Records []rx.Record }
		require.NoError(t, json.Unmarshal(b, &got))
		require.Len(t, got.Records, 1)
		require.Equal(t, "Bossie34", got.Records[0].AnimalID)
		require.Equal(t, p.ID, got.Records[0].RxID)
		require.Equal(t, first.ID, got.Records[0].TaskID)

		code, ct, b = get(mor, from, to, "text/csv, application/json;q=0.5")
		require.Equal(t, http.StatusOK, code, "%s", b)
		require.Equal(t, "text/csv", ct)
		rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
		require.NoError(t, err)
		require.Len(t, rows, 2)
		require.Equal(t, rx.RecordHeader, rows[0])
		require.Equal(t, "Bossie34", rows[1][0])

		code, ct, b = get(tor, from, to, "application/pdf")
		require.Equal(t, http.StatusOK, code, "%s", b)
		require.Equal(t, "application/pdf", ct)
		require.Contains(t, pdfText(t, b), "Bossie34")

		code, ct, b = get(vor, to, from, "")
		require.Equal(t, http.StatusUnprocessableEntity, code, "%s", b)
		require.Equal(t, "application/problem+json", ct)

		code, _, b = get(other, from, to, "text/csv")
		require.Equal(t, http.StatusForbidden, code, "%s", b)
	})
}
