package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/rx/rxtest"
	"github.com/vetlink/vetlink/store"
)

// Herd describes a seeded farm history: Animals animals (every one of
// them in some case when Cases ≥ Animals), Cases cases of the flunixin protocol (3 doses and 2 promises each, all executed) spread
// over Years before Now, and Current cases started in the two days before
// Now whose tasks are still REQUIRED.
type Herd struct {
	Animals, Cases, Current int
	Years                   int
	Now                     time.Time

	// Filled in by seed.
	VOR, MOR rx.UserID
	RxID     string
	Tasks    int
}

// Literal JSON of the seeded rows, as the store writes them.
const (
	herdDose     = `{"dimension":"Mass","value":1320,"symbol":"mg"}`
	herdRule     = `{"meat":[{"ns":345600000000000}],"milk":[{"ns":129600000000000}]}`
	herdCaseData = `{"_type":"models.WeightData","weight":{"dimension":"Mass","value":600,"symbol":"kg"}}`
	herdProduct  = `Flunixin meglumine 50 mg/mL`
)

// SeedHerd writes h's history straight into the rx tables of db, much
// faster than enrolling through rx could (benchmarks need a farm's years of
// history in seconds). The rows are those the store itself writes for the
// flunixin protocol (rxtest.Flunixin): 3 doses and 2 promises per case and
// its withhold.
//
// It writes h's history in transactions of 50,000 cases: on
// PostgreSQL with multi-row INSERTs of 1,000 tasks, on SQLite with one
// prepared INSERT per table.
func SeedHerd(tb testing.TB, db *store.DB, h *Herd) {
	tb.Helper()
	ctx := context.Background()
	s := db.Rx()
	vor := rx.User{Uname: "seedvet01", Type: rx.VOR, Firstname: "Seed", Lastname: "Vet"}
	mor := rx.User{Uname: "seedfarm01", Type: rx.MOR, Firstname: "Seed", Lastname: "Farm"}
	for _, u := range []*rx.User{&vor, &mor} {
		if err := s.CreateUser(ctx, u); err != nil {
			tb.Fatal(err)
		}
	}
	if err := s.AddRelation(ctx, rx.Relation{Kind: rx.Client, Left: vor.ID, Right: mor.ID}); err != nil {
		tb.Fatal(err)
	}
	h.VOR, h.MOR = vor.ID, mor.ID
	p := rx.Prescription{ID: rx.NewID(), Protocol: rxtest.Flunixin(), VOR: vor.ID, MOR: mor.ID,
		Refills: 100_000_000, Created: h.Now.AddDate(-h.Years, 0, -1), Status: rx.Initiated}
	if err := s.CreatePrescription(ctx, &p); err != nil {
		tb.Fatal(err)
	}
	h.RxID = p.ID

	rng := rand.New(rand.NewPCG(1, 2))
	span := h.Now.Sub(h.Now.AddDate(-h.Years, 0, 0)) - 3*24*time.Hour
	start := h.Now.AddDate(-h.Years, 0, 0)
	us := func(t time.Time) int64 { return t.UnixMicro() }
	day := 24 * time.Hour

	cases := newBatch("rx_cases", `id, rx_id, animal_id, initiation, note, mor_id, vor_id, case_data, species, head, enrolled_by, created_at`, 12)
	tasks := newBatch("rx_tasks", `id, case_id, rx_id, mor_id, vor_id, animal_id, kind, do_at, executor, status, product, route,
		dose, volume, treatment, seq, rule, promise, prom_id, promise_name, promise_kind, data, done_at, done_by, recorded_at, note`, 26)
	holds := newBatch("rx_withholds", `case_id, rx_id, mor_id, animal_id, initiated, meat_until, milk_until, release_at,
		wt_note, note, meat_cause, milk_cause`, 12)
	tx := beginSeed(tb, db)
	// Cases go first: tasks and withholds reference them.
	flush := func() {
		for _, b := range []*batch{cases, tasks, holds} {
			b.exec(tb, tx, db.Engine())
		}
	}
	null := sql.NullInt64{}
	total := h.Cases + h.Current
	for i := 1; i <= total; i++ {
		current := i > h.Cases
		var init time.Time
		if current {
			init = h.Now.Add(-time.Duration(rng.Int64N(int64(2 * day))))
		} else {
			init = start.Add(time.Duration(rng.Int64N(int64(span))))
		}
		init = init.Truncate(time.Second)
		// The first Animals historical cases name each animal once, so the
		// herd has all of them; the rest pick at random.
		n := rng.IntN(h.Animals)
		if i <= h.Animals && i <= h.Cases {
			n = i - 1
		}
		animal := fmt.Sprintf("A%05d", n)
		cases.add(i, p.ID, animal, us(init), "", h.MOR, h.VOR, herdCaseData, "DairyCattle", 1, h.MOR, us(init))
		var last time.Time
		var lastID int
		for k := range 5 {
			id := (i-1)*5 + k + 1
			kind, doAt, seq, promise, promID, name, pkind := "models.DoseTask", init.Add(time.Duration(k)*day), k+1, 0, 0, "", ""
			dose, rule := sql.NullString{String: herdDose, Valid: true}, sql.NullString{String: herdRule, Valid: true}
			if k >= 3 {
				kind, seq, dose, rule = "models.PTask", 0, sql.NullString{}, sql.NullString{}
				promise, promID, name, pkind = k-3, 21+k-3, "Recheck", "models.StringPromise"
				doAt = init.Add(time.Duration(k-3) * 36 * time.Hour)
			}
			status, doneAt, doneBy := "REQUIRED", null, null
			given := doAt
			if !current {
				given = doAt.Add(time.Duration(rng.Int64N(int64(3 * time.Hour))))
				status = "EXECUTED"
				doneAt, doneBy = sql.NullInt64{Int64: us(given), Valid: true}, sql.NullInt64{Int64: int64(h.MOR), Valid: true}
			}
			if k < 3 && given.After(last) {
				last, lastID = given, id
			}
			tasks.add(id, i, p.ID, h.MOR, h.VOR, animal, kind, us(doAt), null, status, herdProduct, "IV",
				dose, sql.NullString{}, 0, seq, rule, promise, promID, name, pkind, sql.NullString{}, doneAt, doneBy, doneAt, "")
			h.Tasks++
		}
		meat, milk := last.Add(96*time.Hour), last.Add(36*time.Hour)
		cause := fmt.Sprintf(`{"taskId":%d,"product":"%s","given":"%s","term":"96h after administration"}`, lastID, herdProduct, last.Format(time.RFC3339))
		holds.add(i, p.ID, h.MOR, animal, us(init), us(meat), us(milk), us(meat), "", "", cause, cause)
		if cases.rows == seedBatch {
			flush()
		}
		if i%50_000 == 0 {
			flush()
			commitSeed(tb, tx)
			tx = beginSeed(tb, db)
		}
	}
	flush()
	commitSeed(tb, tx)
	analyze(tb, db)
}

func beginSeed(tb testing.TB, db *store.DB) *sql.Tx {
	tb.Helper()
	tx, err := db.SQL().BeginTx(context.Background(), nil)
	if err != nil {
		tb.Fatal(err)
	}
	return tx
}

func commitSeed(tb testing.TB, tx *sql.Tx) {
	tb.Helper()
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
}

// analyze moves the identity sequences past the seeded IDs (PostgreSQL)
// and refreshes the planner's statistics.
func analyze(tb testing.TB, db *store.DB) {
	tb.Helper()
	var stmts []string
	if db.Engine() == store.PostgreSQL {
		for _, t := range []string{"rx_cases", "rx_tasks", "rx_withholds"} {
			stmts = append(stmts, fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%s', 'id'), (SELECT max(id) FROM %s))", t, t))
		}
	}
	stmts = append(stmts, "ANALYZE rx_cases", "ANALYZE rx_tasks", "ANALYZE rx_withholds")
	for _, q := range stmts {
		if _, err := db.SQL().ExecContext(context.Background(), q); err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
	}
}

// seedBatch is the number of cases per INSERT: 200 cases are 1,000 tasks
// of 26 parameters, within both engines' parameter limits (32,766 for
// SQLite, 65,535 for PostgreSQL).
const seedBatch = 200

// batch accumulates the rows of one multi-row INSERT, as parameters.
type batch struct {
	table, cols string
	ncol, rows  int
	args        []any
}

func newBatch(table, cols string, ncol int) *batch {
	return &batch{table: table, cols: cols, ncol: ncol}
}

func (b *batch) add(row ...any) {
	b.args = append(b.args, row...)
	b.rows++
}

// exec inserts the accumulated rows: on PostgreSQL as one multi-row
// INSERT, on SQLite row by row through one prepared statement, which is
// SQLite's fastest path (a statement with thousands of parameters is
// slow to bind in the pure-Go driver).
func (b *batch) exec(tb testing.TB, tx *sql.Tx, engine store.Engine) {
	tb.Helper()
	if b.rows == 0 {
		return
	}
	ctx := context.Background()
	if engine == store.SQLite {
		stmt, err := tx.PrepareContext(ctx, "INSERT INTO "+b.table+" ("+b.cols+") VALUES ("+strings.TrimSuffix(strings.Repeat("?,", b.ncol), ",")+")")
		if err != nil {
			tb.Fatalf("seed %s: %v", b.table, err)
		}
		defer stmt.Close()
		for r := range b.rows {
			if _, err := stmt.ExecContext(ctx, b.args[r*b.ncol:(r+1)*b.ncol]...); err != nil {
				tb.Fatalf("seed %s: %v", b.table, err)
			}
		}
		b.args, b.rows = b.args[:0], 0
		return
	}
	var q strings.Builder
	q.WriteString("INSERT INTO " + b.table + " (" + b.cols + ") VALUES ")
	for r := range b.rows {
		if r > 0 {
			q.WriteString(", ")
		}
		q.WriteByte('(')
		for c := range b.ncol {
			if c > 0 {
				q.WriteByte(',')
			}
			fmt.Fprintf(&q, "$%d", r*b.ncol+c+1)
		}
		q.WriteByte(')')
	}
	if _, err := tx.ExecContext(ctx, q.String(), b.args...); err != nil {
		tb.Fatalf("seed %s: %v", b.table, err)
	}
	b.args, b.rows = b.args[:0], 0
}
