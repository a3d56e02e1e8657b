package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/rx/rxtest"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
)

// restFilter is a list an integrator asks of a farm, with the index each
// engine should answer it from.
type restFilter struct {
	name, resource string
	filters        []store.FilterParam
	// indexes are the indexes of which the plan must name one, table the
	// table it must not scan whole.
	indexes, table string
}

// restFilters are the filtered lists of BenchmarkRestFilters and
// TestRestFiltersUseIndexes, for the seeded farm h.
func restFilters(h *storetest.Herd) []restFilter {
	mor := fmt.Sprint(h.MOR)
	at := func(t time.Time) string { return t.Format("2006-01-02 15:04Z07:00") }
	p := func(kv ...string) []store.FilterParam {
		var out []store.FilterParam
		for i := 0; i < len(kv); i += 2 {
			out = append(out, store.FilterParam{Param: kv[i], Value: kv[i+1]})
		}
		return out
	}
	return []restFilter{
		{"cases of one animal", "cases", p("farm", mor, "animal_id", "A00042"), "rx_cases_herd", "rx_cases"},
		{"cases started this month", "cases", p("farm", mor, "initiation__gte", at(h.Now.AddDate(0, -1, 0))), "rx_cases_farm_initiation", "rx_cases"},
		{"tasks of one case", "tasks", p("case", "4242"), "rx_tasks_case", "rx_tasks"},
		{"open tasks due by tomorrow", "tasks", p("farm", mor, "status", "REQUIRED", "do_at__lt", at(h.Now.Add(24*time.Hour))), "rx_tasks_pending|rx_tasks_pending_rx", "rx_tasks"},
		{"withholds not yet released", "withholds", p("farm", mor, "release_at__gt", at(h.Now)), "rx_withholds_release", "rx_withholds"},
		{"withholds of animals in a list", "withholds", p("farm", mor, "animal_id__in", "A00001,A00002,A00003"), "rx_withholds_animal", "rx_withholds"},
		{"animals of the farm", "animals", p("farm", mor), "rx_cases_herd", "rx_cases"},
		{"cases of an open prescription", "cases", p("farm", mor, "animal_id", "A00007", "prescription.status__in", "INITIATED,ACTIVE"), "rx_cases_herd", "rx_cases"},
	}
}

// TestRestFiltersUseIndexes checks, with each engine's EXPLAIN over a
// seeded and analyzed history, that the filtered lists of a farm read an
// index rather than the whole table: both the page's query and the count.
// The database holds ten farms of the same history, so that one farm is a
// tenth of each table, as on a server with many farms (with one farm, every
// row matches "farm=M" and reading the table is the right plan).
// rx_tasks_pending_rx holds the same REQUIRED rows as rx_tasks_pending,
// keyed by prescription, and PostgreSQL may prefer it. The first lists are
// asked again by the farm's organisation (RestQuery.ActingOrganisation),
// whose scope must not turn them into a scan either.
func TestRestFiltersUseIndexes(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		h := &storetest.Herd{Animals: 1000, Cases: 5000, Current: 40, Years: 5, Now: rxtest.Start}
		storetest.SeedHerd(t, db, h)
		otherFarms(t, db, h, 9)
		org := farmOrganisation(t, db, h)
		s := db.RestAPI()
		type scoped struct {
			restFilter
			org int64
		}
		var lists []scoped
		for _, f := range restFilters(h) {
			lists = append(lists, scoped{restFilter: f})
		}
		// An integration of the farm's organisation lists the same cases
		// through its scope (the organisation's members' farms).
		for _, f := range restFilters(h)[:2] {
			f.name += ", as the farm's organisation"
			lists = append(lists, scoped{restFilter: f, org: org})
		}
		for _, f := range lists {
			stmt, err := s.SQL(f.resource, store.RestQuery{Filters: f.filters, Limit: 25, ActingOrganisation: f.org})
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range []struct{ what, sql string }{{"page", stmt.Query}, {"count", stmt.Count}} {
				args := stmt.Args
				if q.what == "page" {
					args = append(append([]any(nil), args...), int64(25), int64(0))
				}
				plan := explain(t, db, q.sql, args...)
				t.Logf("%s (%s): %s\n%s", f.name, q.what, q.sql, plan)
				used := false
				for _, index := range strings.Split(f.indexes, "|") {
					used = used || strings.Contains(plan, index)
				}
				if !used {
					t.Errorf("%s (%s): plan uses none of %s:\n%s", f.name, q.what, f.indexes, plan)
				}
				// Walking the primary key in ORDER BY order, testing each
				// row, reads the table too (see RestStore.SQL).
				for _, scan := range []string{"SCAN " + f.table + "\n", "SCAN c\n", "SCAN t\n", "SCAN w\n", "Seq Scan on " + f.table, "using " + f.table + "_pkey on"} {
					if strings.Contains(plan+"\n", scan) {
						t.Errorf("%s (%s): plan scans %s:\n%s", f.name, q.what, f.table, plan)
					}
				}
			}
		}
	})
}

// farmOrganisation makes a FARM organisation whose member is the herd's
// farm manager, and returns its ID.
func farmOrganisation(t *testing.T, db *store.DB, h *storetest.Herd) int64 {
	t.Helper()
	ctx := context.Background()
	org := rx.User{Uname: "farm-org01", Type: rx.FARM, Firstname: "Seed", Lastname: "Farm Org"}
	if err := db.Rx().CreateUser(ctx, &org); err != nil {
		t.Fatal(err)
	}
	if err := db.Rx().AddRelation(ctx, rx.Relation{Kind: rx.Member, Left: org.ID, Right: h.MOR}); err != nil {
		t.Fatal(err)
	}
	return int64(org.ID)
}

// otherFarms copies farm h's cases, tasks and withholds to n other farms
// (farm IDs h.MOR+1 to h.MOR+n, row IDs offset by 10,000,000 a farm) and
// refreshes the planner's statistics.
func otherFarms(t *testing.T, db *store.DB, h *storetest.Herd, n int) {
	t.Helper()
	ctx := context.Background()
	const off = 10_000_000
	for k := 1; k <= n; k++ {
		for _, q := range []string{
			`INSERT INTO rx_cases (id, rx_id, animal_id, initiation, note, mor_id, vor_id, case_data, species, head, enrolled_by, created_at)
			SELECT id + $1, rx_id, animal_id, initiation, note, mor_id + $2, vor_id, case_data, species, head, enrolled_by, created_at
			FROM rx_cases WHERE mor_id = $3`,
			`INSERT INTO rx_tasks (id, case_id, rx_id, mor_id, vor_id, animal_id, kind, do_at, executor, status, product, route,
				dose, volume, treatment, seq, rule, promise, prom_id, promise_name, promise_kind, data, done_at, done_by, recorded_at, note)
			SELECT id + $1, case_id + $1, rx_id, mor_id + $2, vor_id, animal_id, kind, do_at, executor, status, product, route,
				dose, volume, treatment, seq, rule, promise, prom_id, promise_name, promise_kind, data, done_at, done_by, recorded_at, note
			FROM rx_tasks WHERE mor_id = $3`,
			`INSERT INTO rx_withholds (id, case_id, rx_id, mor_id, animal_id, initiated, meat_until, milk_until, release_at, wt_note, note, meat_cause, milk_cause)
			SELECT id + $1, case_id + $1, rx_id, mor_id + $2, animal_id, initiated, meat_until, milk_until, release_at, wt_note, note, meat_cause, milk_cause
			FROM rx_withholds WHERE mor_id = $3`,
		} {
			if _, err := db.SQL().ExecContext(ctx, q, int64(k*off), int64(k), int64(h.MOR)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, tbl := range []string{"rx_cases", "rx_tasks", "rx_withholds"} {
		if _, err := db.SQL().ExecContext(ctx, "ANALYZE "+tbl); err != nil {
			t.Fatal(err)
		}
	}
}
