package restapi_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/vetlink/vetlink/restapi"
	"github.com/vetlink/vetlink/rx/rxtest"
	"github.com/vetlink/vetlink/store/storetest"
)

// BenchmarkFilteredList measures filtered lists as an integrator sees them,
// through the handler (authentication, filters, SQL, objects with their
// links, JSON), over a farm of 10,000 animals with five years of history
// (10,000 cases, 50,000 tasks) and 300 cases in progress, on each engine.
// Latencies are p50 and p99 in microseconds; the SQL of each filter is
// logged by store's BenchmarkRestFilters.
//
//	go test ./restapi -run '^$' -bench BenchmarkFilteredList -benchtime 300x
func BenchmarkFilteredList(b *testing.B) {
	for _, engine := range storetest.Engines() {
		b.Run(string(engine), func(b *testing.B) {
			db := storetest.Open(b, engine)
			h := &storetest.Herd{Animals: 10_000, Cases: 10_000, Current: 300, Years: 5, Now: rxtest.Start}
			storetest.SeedHerd(b, db, h)
			api := restapi.New(restapi.Config{Store: db.RestAPI(), Verifier: testTokens})
			at := func(t time.Time) string { return url.QueryEscape(t.Format("2006-01-02 15:04Z07:00")) }
			for _, tc := range []struct{ name, query string }{
				{"cases of one animal", fmt.Sprintf("cases/?farm=%d&animal_id=A00042", h.MOR)},
				{"open tasks due by tomorrow", fmt.Sprintf("tasks/?farm=%d&status=REQUIRED&do_at__lt=%s", h.MOR, at(h.Now.Add(24*time.Hour)))},
				{"withholds not yet released, prescription exposed", fmt.Sprintf("withholds/?farm=%d&release_at__gt=%s&expose_prescription=true", h.MOR, at(h.Now))},
				{"animals of the farm, page 200", fmt.Sprintf("animals/?farm=%d&offset=5000", h.MOR)},
			} {
				b.Run(tc.name, func(b *testing.B) {
					var lat []time.Duration
					for b.Loop() {
						req := httptest.NewRequest(http.MethodGet, restapi.Prefix+tc.query, nil)
						req.Header.Set("Authorization", "Bearer all")
						rec := httptest.NewRecorder()
						t0 := time.Now()
						api.ServeHTTP(rec, req)
						lat = append(lat, time.Since(t0))
						if rec.Code != http.StatusOK {
							b.Fatalf("%s: %d %s", tc.query, rec.Code, rec.Body)
						}
					}
					slices.Sort(lat)
					pct := func(p float64) float64 { return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) }
					b.ReportMetric(pct(0.50), "p50-µs")
					b.ReportMetric(pct(0.99), "p99-µs")
				})
			}
		})
	}
}
