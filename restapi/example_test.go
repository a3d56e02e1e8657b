package restapi_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/vetlink/vetlink/oauth"
	"github.com/vetlink/vetlink/restapi"
	"github.com/vetlink/vetlink/store"
)

// ExampleNew serves the API over a new SQLite database and asks it for a
// farm's cases of one animal, then for a filter on a field cases do not
// have: the 400 problem names the parameter.
func ExampleNew() {
	dir, _ := os.MkdirTemp("", "restapi")
	defer os.RemoveAll(dir)
	db, err := store.Open(context.Background(), filepath.Join(dir, "vetlink.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	// In the reference server the verifier is the OAuth server of package
	// oauth; here one token reads cases.
	verifier := tokens{"integration-token": {oauth.ReadCases}}
	srv := httptest.NewServer(restapi.New(restapi.Config{Store: db.RestAPI(), Verifier: verifier}))
	defer srv.Close()

	for _, path := range []string{
		"/api/0.1/cases/?farm=7&animal_id=A00042",
		"/api/0.1/cases/?colour__in=red,brown",
		"/api/0.1/withholds/",
	} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer integration-token")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		fmt.Printf("%d %s", res.StatusCode, body)
	}
	// Output:
	// 200 {"count":0,"next":null,"previous":null,"results":[]}
	// 400 {"type":"https://vetlink.dev/problems/invalid_filter","title":"Bad Request","status":400,"detail":"filter colour__in=\"red,brown\": unknown field \"colour\" (want one of id, prescription, farm, vet, animal_id, species, head, initiation, note, enrolled_by, created_at, prescription.<field>, farm.<field>, vet.<field>, enrolled_by.<field>)","instance":"/api/0.1/cases/","errorType":"invalid_filter","errors":[{"field":"colour__in","value":"red,brown","rule":"unknown field \"colour\" (want one of id, prescription, farm, vet, animal_id, species, head, initiation, note, enrolled_by, created_at, prescription.<field>, farm.<field>, vet.<field>, enrolled_by.<field>)"}]}
	// 403 {"type":"https://vetlink.dev/problems/forbidden","title":"Forbidden","status":403,"detail":"this token lacks the permission \"withholds.read\"","instance":"/api/0.1/withholds/","errorType":"forbidden"}
}

// ExampleEndpoints prints the permission each collection needs, as the
// index at GET /api/0.1/ lists it.
func ExampleEndpoints() {
	for _, e := range restapi.Endpoints() {
		fmt.Printf("%-22s %s\n", e.List, e.Permission)
	}
	// Output:
	// /api/0.1/organisations/ organisations.read
	// /api/0.1/departments/  organisations.read
	// /api/0.1/users/        users.read
	// /api/0.1/farms/        farms.read
	// /api/0.1/animals/      animals.read
	// /api/0.1/protocols/    protocols.read
	// /api/0.1/prescriptions/ prescriptions.read
	// /api/0.1/cases/        cases.read
	// /api/0.1/tasks/        tasks.read
	// /api/0.1/withholds/    withholds.read
	// /api/0.1/webhook_subscriptions/ webhooks.read
	// /api/0.1/webhook_deliveries/ webhooks.read
	// /api/0.1/integrations/ integrations.read
	// /api/0.1/lab_results/  lab_results.read
	// /api/0.1/nahln_reports/ nahln_reports.read
	// /api/0.1/admin_changes/ audit.read
}
