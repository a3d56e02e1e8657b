package store_test

import (
	"context"
	"testing"

	"github.com/vetlink/vetlink/rx/rxtest"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
)

// BenchmarkRestFilters measures the filtered lists of the integration API
// (restFilters: a page of 25 and the count of all matches) over a farm of
// 10,000 animals with five years of history (10,000 cases, 50,000 tasks)
// and 300 cases in progress, on each engine, and logs the SQL each filter
// compiled to. Latencies are p50 and p99 in microseconds.
//
//	go test ./store -run '^$' -bench BenchmarkRestFilters -benchtime 300x -v
func BenchmarkRestFilters(b *testing.B) {
	for _, engine := range storetest.Engines() {
		b.Run(string(engine), func(b *testing.B) {
			db := storetest.Open(b, engine)
			h := &storetest.Herd{Animals: 10_000, Cases: 10_000, Current: 300, Years: 5, Now: rxtest.Start}
			storetest.SeedHerd(b, db, h)
			s := db.RestAPI()
			ctx := context.Background()
			for _, f := range restFilters(h) {
				q := store.RestQuery{Filters: f.filters, Limit: 25}
				stmt, err := s.SQL(f.resource, q)
				if err != nil {
					b.Fatal(err)
				}
				b.Logf("%s %s: %s  args %v", engine, f.name, stmt.Query, stmt.Args)
				b.Run(f.name, func(b *testing.B) {
					total := 0
					measure(b, func() (int, error) {
						page, err := s.List(ctx, f.resource, q)
						total = page.Total
						return len(page.Records), err
					})
					b.ReportMetric(float64(total), "total")
				})
			}
		})
	}
}
