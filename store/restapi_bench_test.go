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
//
// Measured 2026-12-02 on the shared 2-core build machine under load
// (load average 10-15), p50 / p99 in µs, page of 25 plus the count:
//
//	                                 SQLite         PostgreSQL     matches
//	cases of one animal              131 / 6,894    159 / 1,068          1
//	cases started this month         592 / 7,234  1,458 / 7,636        417
//	tasks of one case                190 / 836      303 / 1,744          5
//	open tasks due by tomorrow     1,741 / 34,581 4,461 / 16,044     1,271
//	withholds not yet released       633 / 8,874  1,033 / 17,141       318
//	withholds of animals in a list   208 / 4,578    101 / 2,592          3
//	animals of the farm            4,986 / 37,100 13,824 / 43,186   10,000
//	cases of an open prescription    213 / 4,422     94 / 543            1
//
// The p99s are the machine's load more than the queries: each plan reads
// its index (TestRestFiltersUseIndexes), and the cost follows the matches.
// Listing animals groups the farm's cases and counts its 10,000 animals.
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
