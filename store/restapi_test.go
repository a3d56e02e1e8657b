package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vetlink/vetlink/rx/rxtest"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
)

// smallHerd seeds 20 animals in 40 closed and 4 open cases (220 tasks,
// 44 withholds) of one prescription, a VOR and an MOR.
func smallHerd(t *testing.T, db *store.DB) *storetest.Herd {
	t.Helper()
	h := &storetest.Herd{Animals: 20, Cases: 40, Current: 4, Years: 1, Now: rxtest.Start}
	storetest.SeedHerd(t, db, h)
	return h
}

func TestRestList(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		h := smallHerd(t, db)
		ctx := context.Background()
		s := db.RestAPI()
		f := func(kv ...string) []store.FilterParam {
			var out []store.FilterParam
			for i := 0; i < len(kv); i += 2 {
				out = append(out, store.FilterParam{Param: kv[i], Value: kv[i+1]})
			}
			return out
		}
		tests := []struct {
			name     string
			resource string
			filters  []store.FilterParam
			total    int
		}{
			{"every case", "cases", nil, 44},
			{"cases of one animal by a related farm", "cases", f("farm.username", "seedfarm01", "animal_id", "A00003"), -1},
			{"open tasks", "tasks", f("status", "REQUIRED"), 20},
			{"open dose tasks", "tasks", f("status__in", "REQUIRED", "kind__icontains", "dosetask"), 12},
			{"closed tasks of the prescription", "tasks", f("prescription.status__neq", "RECALLED", "done_at__is_null", "false"), 200},
			{"animals of the farm", "animals", f("farm", "0"), 0},
			{"farms", "farms", nil, 1},
			{"users", "users", f("type__in", "VOR,MOR"), 2},
			{"organisations", "organisations", nil, 0},
			{"prescriptions of the vet", "prescriptions", f("vet.lastname__contains", "Vet"), 1},
			{"withholds released after the start", "withholds", f("release_at__gt", rxtest.Start.Format("2006-01-02 15:04Z07:00")), -1},
			{"no subscription", "webhook_subscriptions", f("active", "true"), 0},
			{"no delivery", "webhook_deliveries", f("subscription.name__icontains", "x"), 0},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				page, err := s.List(ctx, tc.resource, store.RestQuery{Filters: tc.filters, Limit: 500})
				if err != nil {
					t.Fatal(err)
				}
				if tc.total >= 0 && page.Total != tc.total {
					t.Errorf("total = %d, want %d", page.Total, tc.total)
				}
				if len(page.Records) != page.Total {
					t.Errorf("%d records on a page of 500, total %d", len(page.Records), page.Total)
				}
			})
		}

		// The herd's animals: A00000 to A00019, each with its cases.
		page, err := s.List(ctx, "animals", store.RestQuery{Filters: f("farm", itoa(int64(h.MOR))), Limit: 5, Offset: 5})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != 20 || len(page.Records) != 5 || page.Records[0]["animal_id"] != "A00005" || page.Records[0]["farm"] != int64(h.MOR) {
			t.Fatalf("animals page = %d of %d, first %v", len(page.Records), page.Total, page.Records[0])
		}
		if page.Records[0]["species"] != "DairyCattle" || page.Records[0]["cases"].(int64) < 1 {
			t.Errorf("animal = %v", page.Records[0])
		}

		// One case, every field of its type.
		page, err = s.List(ctx, "cases", store.RestQuery{Filters: f("id", "1"), Limit: 1})
		if err != nil || len(page.Records) != 1 {
			t.Fatalf("case 1: %v, %v", page, err)
		}
		c := page.Records[0]
		if c["id"] != int64(1) || c["prescription"] != h.RxID || c["farm"] != int64(h.MOR) || c["animal_id"] != "A00000" {
			t.Errorf("case 1 = %v", c)
		}
		if _, ok := c["initiation"].(time.Time); !ok {
			t.Errorf("initiation = %T, want time.Time", c["initiation"])
		}
		if data, ok := c["case_data"].([]byte); ok || data != nil {
			t.Errorf("case_data is raw bytes")
		}
		if !strings.Contains(string(mustJSON(t, c["case_data"])), `"models.WeightData"`) {
			t.Errorf("case_data = %s", mustJSON(t, c["case_data"]))
		}

		if _, err := s.List(ctx, "herds", store.RestQuery{Limit: 1}); !errors.Is(err, store.ErrNoResource) {
			t.Errorf("unknown resource: %v", err)
		}
		if _, err := s.List(ctx, "cases", store.RestQuery{Limit: 501}); err == nil {
			t.Error("limit 501 accepted")
		}
	})
}

// injections are values an attacker would try against string-built SQL.
var injections = []string{
	`'; DROP TABLE rx_users; --`,
	`' OR '1'='1`,
	`1); DELETE FROM rx_cases WHERE (1=1`,
	`%_\`,
	`$1 ?`,
	`*/ SELECT 1 /*`,
	`' UNION SELECT uname, email FROM rx_users --`,
}

// tryInjections returns the injection strings to try: all of them, or
// the first two under -short.
func tryInjections() []string {
	if testing.Short() {
		return injections[:2]
	}
	return injections
}

// TestRestFilterInjection feeds every injection string to every filter
// method of every field (and related field) of every collection, on both
// engines. A typed field refuses it as a *FilterError naming the parameter;
// a text field matches it literally: the positive methods find nothing, the
// negated ones everything, and the tables are untouched.
func TestRestFilterInjection(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		smallHerd(t, db)
		ctx := context.Background()
		s := db.RestAPI()
		counts := func() map[string]int {
			out := map[string]int{}
			for _, tbl := range []string{"rx_users", "rx_cases", "rx_tasks", "rx_withholds", "rx_prescriptions"} {
				var n int
				if err := db.SQL().QueryRowContext(ctx, "SELECT COUNT(*) FROM "+tbl).Scan(&n); err != nil {
					t.Fatal(err)
				}
				out[tbl] = n
			}
			return out
		}
		before := counts()
		var queries atomic.Int64
		// One subtest per collection, in parallel: they only read.
		t.Run("filters", func(t *testing.T) {
			for _, r := range store.RestResources() {
				t.Run(r.Name, func(t *testing.T) {
					t.Parallel()
					injectAll(t, s, r, &queries)
				})
			}
		})
		if after := counts(); !equalCounts(before, after) {
			t.Errorf("tables changed: before %v, after %v", before, after)
		}
		t.Logf("%d filtered queries", queries.Load())
	})
}

// injectAll tries every injection string on every filter of r.
func injectAll(t *testing.T, s *store.RestStore, r store.RestResource, queries *atomic.Int64) {
	ctx := context.Background()
	all, err := s.List(ctx, r.Name, store.RestQuery{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	type target struct {
		name string
		f    store.Field
	}
	var targets []target
	for _, f := range r.Fields {
		targets = append(targets, target{f.Name, f})
	}
	for _, rel := range r.Relations {
		for _, f := range rel.Fields {
			targets = append(targets, target{rel.Name + "." + f.Name, f})
		}
	}
	for _, tg := range targets {
		if !tg.f.Filterable() {
			continue
		}
		for _, m := range tg.f.Type.Methods() {
			for _, v := range tryInjections() {
				param := tg.name + "__" + m
				page, err := s.List(ctx, r.Name, store.RestQuery{Filters: []store.FilterParam{{Param: param, Value: v}}, Limit: 10})
				queries.Add(1)
				if tg.f.Type != store.FieldText || m == "is_null" || ((m == "range" || m == "not_in_range") && strings.Count(v, ",") != 1) {
					var fe *store.FilterError
					if !errors.As(err, &fe) || fe.Param != param {
						t.Fatalf("%s %s=%q: err = %v, want a *FilterError naming the parameter", r.Name, param, v, err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s %s=%q: %v", r.Name, param, v, err)
				}
				switch m {
				case "is", "eq", "in", "contains", "icontains":
					if page.Total != 0 {
						t.Errorf("%s %s=%q matched %d records", r.Name, param, v, page.Total)
					}
				case "is_not", "not_eq", "neq", "not_in", "contains_not", "icontains_not":
					if page.Total != all.Total {
						t.Errorf("%s %s=%q matched %d records, want all %d", r.Name, param, v, page.Total, all.Total)
					}
				}
			}
		}
	}
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
