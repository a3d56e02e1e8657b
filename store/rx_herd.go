package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/vetlink/vetlink/rx"
)

// CaseByKey implements [rx.Store]. It reads the unique index rx_cases_idem.
func (s *RxStore) CaseByKey(ctx context.Context, mor, by rx.UserID, key string) (rx.Case, error) {
	c, err := scanCase(s.db.q(ctx).QueryRowContext(ctx, `SELECT `+rxCaseColumns+` FROM rx_cases
		WHERE mor_id = $1 AND enrolled_by = $2 AND idem_key = $3`, int64(mor), int64(by), key).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return rx.Case{}, rxNotFound("case with idempotency key", fmt.Sprintf("%q", key))
	}
	if err != nil {
		return rx.Case{}, err
	}
	if c.Head > 1 {
		one := []rx.Case{c}
		if err := s.loadMembers(ctx, one, `SELECT case_id, animal_id FROM rx_case_members WHERE case_id = $1 ORDER BY pos`, c.ID); err != nil {
			return rx.Case{}, err
		}
		c = one[0]
	}
	return c, nil
}

// rxOpenCasesSQL finds the open cases of a prescription through the
// partial index of pending tasks (rx_tasks_pending_rx).
const rxOpenCasesSQL = `SELECT ` + rxCaseColumns + ` FROM rx_cases WHERE id IN (
		SELECT case_id FROM rx_tasks WHERE rx_id = $1 AND status = 'REQUIRED' AND kind = 'models.DoseTask')
	ORDER BY id`

// OpenCases implements [rx.Store].
func (s *RxStore) OpenCases(ctx context.Context, rxID string) ([]rx.Case, error) {
	cases, err := queryAll(ctx, s.db, scanCase, rxOpenCasesSQL, rxID)
	if err != nil || !slices.ContainsFunc(cases, func(c rx.Case) bool { return c.Head > 1 }) {
		return cases, err
	}
	err = s.loadMembers(ctx, cases, `SELECT m.case_id, m.animal_id FROM rx_case_members m
		WHERE m.case_id IN (SELECT case_id FROM rx_tasks WHERE rx_id = $1 AND status = 'REQUIRED' AND kind = 'models.DoseTask')
		ORDER BY m.case_id, m.pos`, rxID)
	return cases, err
}

// rxHerdSQL is the herd-wide clearance in one statement: each withhold
// that may hold an animal of farm $1 at $2, as (animal, withhold) rows, then
// every animal of the farm (herd) as (animal, NULLs). Herd joins the two
// in Go, in one pass: a join in SQL made SQLite compare every animal with
// every withhold (measured 0.33–0.66 s at 200,000 cases).
//
// herd reads rx_cases_herd and rx_case_members_animal. live is what
// AnimalWithholds reads for one animal, for all of them at once: the
// withholds not released by $2 (a range of rx_withholds_release) and those
// of cases with a dose still to be given (rx_tasks_pending), whose release
// may have moved; a UNION of the two, since one OR of them scans every
// withhold the farm ever had. A group case's withhold holds each of its members. The withhold
// rows come first so that PostgreSQL types the herd rows' NULLs by them.
const rxHerdSQL = `WITH herd AS (
		SELECT animal_id FROM (SELECT DISTINCT c.animal_id FROM rx_cases c WHERE c.mor_id = $1 AND c.head = 1) one
		UNION
		SELECT c.animal_id FROM rx_cases c WHERE c.mor_id = $1 AND c.head > 1
			AND NOT EXISTS (SELECT 1 FROM rx_case_members m WHERE m.case_id = c.id)
		UNION
		SELECT m.animal_id FROM rx_case_members m WHERE m.mor_id = $1
	), live AS MATERIALIZED (
		SELECT ` + rxWithholdColumns + ` FROM rx_withholds WHERE id IN (
			SELECT w.id FROM rx_withholds w WHERE w.mor_id = $1 AND w.release_at > $2
			UNION
			SELECT w.id FROM rx_tasks t JOIN rx_withholds w ON w.case_id = t.case_id
			WHERE t.mor_id = $1 AND t.status = 'REQUIRED' AND t.kind = 'models.DoseTask')
	)
	SELECT l.animal_id, ` + rxLiveColumns + ` FROM live l
	UNION ALL
	SELECT m.animal_id, ` + rxLiveColumns + ` FROM live l JOIN rx_case_members m ON m.case_id = l.case_id
	UNION ALL
	SELECT h.animal_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM herd h`

// rxLiveColumns are the withhold columns of rxHerdSQL's live rows.
const rxLiveColumns = `l.id, l.case_id, l.rx_id, l.mor_id, l.animal_id, l.initiated, l.meat_until, l.milk_until,
	l.wt_note, l.note, l.meat_cause, l.milk_cause`

// Herd implements [rx.Store] with one query (rxHerdSQL). It costs the
// farm's animals plus the withholds not yet released, not the history.
func (s *RxStore) Herd(ctx context.Context, mor rx.UserID, at time.Time) ([]rx.HerdAnimal, error) {
	rows, err := s.db.q(ctx).QueryContext(ctx, rxHerdSQL, int64(mor), micros(at))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	held := map[string][]rx.Withhold{}
	var out []rx.HerdAnimal
	for rows.Next() {
		var (
			animal                              string
			id, caseID, morID                   sql.NullInt64
			initiated, meat, milk               sql.NullInt64
			rxID, wAnimal, wtNote, note, mc, kc sql.NullString
		)
		if err := rows.Scan(&animal, &id, &caseID, &rxID, &morID, &wAnimal, &initiated, &meat, &milk, &wtNote, &note, &mc, &kc); err != nil {
			return nil, err
		}
		if !id.Valid {
			out = append(out, rx.HerdAnimal{AnimalID: animal})
			continue
		}
		w := rx.Withhold{ID: id.Int64, CaseID: caseID.Int64, RxID: rxID.String, MOR: rx.UserID(morID.Int64), AnimalID: wAnimal.String,
			Initiated: fromMicros(initiated.Int64), MeatUntil: fromMicros(meat.Int64), MilkUntil: fromMicros(milk.Int64),
			WtNote: wtNote.String, Note: note.String}
		if err := errors.Join(json.Unmarshal([]byte(mc.String), &w.Meat), json.Unmarshal([]byte(kc.String), &w.Milk)); err != nil {
			return nil, fmt.Errorf("store: withhold of case %d: %w", w.CaseID, err)
		}
		held[animal] = append(held[animal], w)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// A withhold row of an ID that is not an animal of the herd (the
	// group ID of a group case listing its members) is dropped here.
	for i := range out {
		out[i].Withholds = held[out[i].AnimalID]
	}
	for i := range out {
		slices.SortFunc(out[i].Withholds, func(a, b rx.Withhold) int { return cmp.Compare(a.ID, b.ID) })
	}
	return out, nil
}
