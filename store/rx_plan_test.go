package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vetlink/vetlink/rx/rxtest"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
)

// TestRxQueriesUseIndexes checks, with each engine's own EXPLAIN over a
// seeded and analyzed history, that the farm's daily queries read their
// indexes instead of scanning the history: today's tasks a partial index
// of pending tasks (rx_tasks_pending, or rx_tasks_pending_rx, which holds
// the same REQUIRED rows keyed by prescription and which PostgreSQL may
// prefer when a farm has one prescription), withholds the index by
// release time.
func TestRxQueriesUseIndexes(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		h := &storetest.Herd{Animals: 1000, Cases: 2000, Current: 40, Years: 5, Now: rxtest.Start}
		storetest.SeedHerd(t, db, h)
		now := h.Now.UnixMicro()
		tests := []struct {
			name, query, index, table string
			args                      []any
		}{
			{"today's tasks", store.RxDueTasksSQL, "rx_tasks_pending", "rx_tasks", []any{int64(h.MOR), now + int64(18*time.Hour/time.Microsecond)}},
			{"under withhold", store.RxWithholdsSQL, "rx_withholds_release", "rx_withholds", []any{int64(h.MOR), now}},
			{"one animal", store.RxAnimalWithholdsSQL, "rx_withholds_animal", "rx_withholds", []any{int64(h.MOR), "A00042", now}},
			{"one animal's group cases", store.RxAnimalWithholdsSQL, "rx_case_members_animal", "rx_case_members", []any{int64(h.MOR), "A00042", now}},
			{"cases with an overdue dose", store.RxOverdueCasesSQL, "rx_tasks_pending", "rx_tasks", []any{int64(h.MOR), now}},
		}
		for _, tc := range tests {
			plan := explain(t, db, tc.query, tc.args...)
			t.Logf("%s:\n%s", tc.name, plan)
			if !strings.Contains(plan, tc.index) {
				t.Errorf("%s: plan does not use %s:\n%s", tc.name, tc.index, plan)
			}
			for _, scan := range []string{"SCAN " + tc.table + "\n", "Seq Scan on " + tc.table} {
				if strings.Contains(plan+"\n", scan) {
					t.Errorf("%s: plan scans %s:\n%s", tc.name, tc.table, plan)
				}
			}
		}
	})
}

// explain returns the engine's plan of query, one line per node.
func explain(t *testing.T, db *store.DB, query string, args ...any) string {
	t.Helper()
	ctx := context.Background()
	if db.Engine() == store.SQLite {
		rows, err := db.SQL().QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var lines []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, detail)
		}
		return strings.Join(lines, "\n")
	}
	rows, err := db.SQL().QueryContext(ctx, "EXPLAIN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}
