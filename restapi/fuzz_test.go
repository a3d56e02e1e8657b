package restapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/vetlink/vetlink/restapi"
	"github.com/vetlink/vetlink/store/storetest"
)

// FuzzListQuery sends arbitrary query strings to a list on a real SQLite
// database. Whatever the query, the answer is a page (200) or a 400
// problem naming one parameter of the query; never a 500, which would
// mean a value reached the SQL or a parameter went unchecked.
func FuzzListQuery(f *testing.F) {
	for _, q := range []string{
		"animal_id=A00001", "farm.username__icontains=seed&limit=5&offset=2", "initiation__range=2026-01-01,2026-02-01%2000:00%2B01:00",
		"note__contains=%27%3B%20DROP%20TABLE%20rx_cases%3B--", "expose_prescription=true&expose_farm", "id__in=1,2,3&head__not_in_range=0,2",
		"prescription.status__not_in=RECALLED", "%zz", "limit=0", "format=html", "colour=red", "id__is_null=true",
	} {
		f.Add(q)
	}
	db := storetest.SQLite(f)
	h := restapi.New(restapi.Config{Store: db.RestAPI(), Verifier: testTokens})
	f.Fuzz(func(t *testing.T, raw string) {
		req := httptest.NewRequest(http.MethodGet, "/api/0.1/cases/", nil)
		req.URL.RawQuery = raw
		req.Header.Set("Authorization", "Bearer all")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK:
		case http.StatusBadRequest:
			var p restapi.Problem
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
				t.Fatalf("400 body is not a problem: %s", rec.Body)
			}
			if p.ErrorType == "invalid" {
				return // the query string itself does not parse
			}
			if len(p.Errors) != 1 {
				t.Fatalf("400 names no parameter: %s", rec.Body)
			}
		default:
			t.Fatalf("query %q: %d %s", raw, rec.Code, rec.Body)
		}
	})
}
