package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vetlink/vetlink/protocol"
	"github.com/vetlink/vetlink/rx"
)

// ---- cases

const rxCaseColumns = `id, rx_id, animal_id, initiation, note, mor_id, vor_id, case_data, species, head, enrolled_by, created_at, idem_key`

func scanCase(scan func(...any) error) (rx.Case, error) {
	var (
		c                   rx.Case
		data, species       string
		initiation, created int64
		key                 sql.NullString
	)
	if err := scan(&c.ID, &c.RxID, &c.AnimalID, &initiation, &c.Note, &c.MOR, &c.VOR, &data, &species, &c.Head, &c.EnrolledBy, &created, &key); err != nil {
		return rx.Case{}, err
	}
	c.IdempotencyKey = key.String
	d, err := protocol.DecodeCaseData([]byte(data))
	if err != nil {
		return rx.Case{}, fmt.Errorf("store: case %d: case data: %w", c.ID, err)
	}
	c.Data, c.Species, c.Initiation, c.Created = d, protocol.Species(species), fromMicros(initiation), fromMicros(created)
	return c, nil
}

// CreateCase implements [rx.Store].
func (s *RxStore) CreateCase(ctx context.Context, c *rx.Case, tasks []rx.Task) error {
	data, err := json.Marshal(c.Data)
	if err != nil {
		return fmt.Errorf("store: case data: %w", err)
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		err := s.db.q(ctx).QueryRowContext(ctx, `INSERT INTO rx_cases
			(rx_id, animal_id, initiation, note, mor_id, vor_id, case_data, species, head, enrolled_by, created_at, idem_key)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
			c.RxID, c.AnimalID, micros(c.Initiation), c.Note, int64(c.MOR), int64(c.VOR), string(data),
			string(c.Species), c.Head, int64(c.EnrolledBy), micros(c.Created), nullString(c.IdempotencyKey)).Scan(&c.ID)
		if isForeignKeyViolation(err) {
			return rxNotFound("prescription", c.RxID)
		}
		if isUniqueViolation(err) {
			return fmt.Errorf("store: idempotency key %q of user %d on farm %d is taken: %w", c.IdempotencyKey, c.EnrolledBy, c.MOR, rx.ErrConflict)
		}
		if err != nil {
			return err
		}
		if err := s.insertMembers(ctx, c); err != nil {
			return err
		}
		for i := range tasks {
			tasks[i].CaseID = c.ID
			if err := s.insertTask(ctx, &tasks[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// memberBatch is how many members one INSERT writes: 4 parameters each,
// well inside SQLite's and PostgreSQL's parameter limits.
const memberBatch = 250

// insertMembers writes the members of a group case, memberBatch rows per
// statement.
func (s *RxStore) insertMembers(ctx context.Context, c *rx.Case) error {
	for from := 0; from < len(c.Members); from += memberBatch {
		batch := c.Members[from:min(from+memberBatch, len(c.Members))]
		var q strings.Builder
		q.WriteString(`INSERT INTO rx_case_members (case_id, pos, mor_id, animal_id) VALUES `)
		args := make([]any, 0, 4*len(batch))
		for i, m := range batch {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(" + placeholders(len(args)+1, 4) + ")")
			args = append(args, c.ID, from+i, int64(c.MOR), m)
		}
		if _, err := s.db.q(ctx).ExecContext(ctx, q.String(), args...); err != nil {
			if isUniqueViolation(err) {
				return fmt.Errorf("store: case %d lists a member twice: %w", c.ID, rx.ErrInvalid)
			}
			return err
		}
	}
	return nil
}

// loadMembers fills in the Members of cases, which are sorted by ID, from
// the rows of query (case_id, animal_id ordered by case_id, pos).
func (s *RxStore) loadMembers(ctx context.Context, cases []rx.Case, query string, args ...any) error {
	rows, err := s.db.q(ctx).QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id     int64
			animal string
		)
		if err := rows.Scan(&id, &animal); err != nil {
			return err
		}
		if i, ok := slices.BinarySearchFunc(cases, id, func(c rx.Case, id int64) int { return cmp.Compare(c.ID, id) }); ok {
			cases[i].Members = append(cases[i].Members, animal)
		}
	}
	return rows.Err()
}

// taskRow is a task in the form of its rx_tasks columns (after id).
func taskRow(t *rx.Task) ([]any, error) {
	dose, err := nullJSON(t.Dose, t.Dose.IsZero())
	if err != nil {
		return nil, err
	}
	volume, err := nullJSON(t.Volume, t.Volume.IsZero())
	if err != nil {
		return nil, err
	}
	rule, err := nullJSON(encodeRule(t.Rule), t.Kind != rx.DoseTaskKind)
	if err != nil {
		return nil, err
	}
	data, err := nullJSON(t.Data, t.Data == nil)
	if err != nil {
		return nil, err
	}
	return []any{t.CaseID, t.RxID, int64(t.MOR), int64(t.VOR), t.AnimalID, string(t.Kind), micros(t.DoAt),
		nullInt(int64(t.Executor)), string(t.Status), t.Product, t.Route, dose, volume, t.Treatment, t.Seq, rule,
		t.Promise, t.PromID, t.PromiseName, string(t.PromiseKind), data,
		nullMicros(t.DoneAt), nullInt(int64(t.DoneBy)), nullMicros(t.RecordedAt), t.Note}, nil
}

const rxTaskInsertColumns = `case_id, rx_id, mor_id, vor_id, animal_id, kind, do_at, executor, status, product, route,
	dose, volume, treatment, seq, rule, promise, prom_id, promise_name, promise_kind, data, done_at, done_by, recorded_at, note`

const rxTaskColumnCount = 25

func (s *RxStore) insertTask(ctx context.Context, t *rx.Task) error {
	row, err := taskRow(t)
	if err != nil {
		return err
	}
	return s.db.q(ctx).QueryRowContext(ctx, `INSERT INTO rx_tasks (`+rxTaskInsertColumns+`) VALUES (`+
		placeholders(1, rxTaskColumnCount)+`) RETURNING id`, row...).Scan(&t.ID)
}

func nullJSON(v any, null bool) (sql.NullString, error) {
	if null {
		return sql.NullString{}, nil
	}
	b, err := json.Marshal(v)
	return sql.NullString{String: string(b), Valid: true}, err
}

// ruleJSON is the stored form of a protocol.WithdrawalRule.
type ruleJSON struct {
	Meat []termJSON `json:"meat,omitempty"`
	Milk []termJSON `json:"milk,omitempty"`
}

type termJSON struct {
	Event  string `json:"event,omitempty"`
	Period int64  `json:"ns"`
}

func encodeRule(r protocol.WithdrawalRule) ruleJSON {
	conv := func(ts []protocol.Term) []termJSON {
		var out []termJSON
		for _, t := range ts {
			out = append(out, termJSON{Event: string(t.Event), Period: int64(t.Period)})
		}
		return out
	}
	return ruleJSON{Meat: conv(r.Meat), Milk: conv(r.Milk)}
}

func decodeRule(s string) (protocol.WithdrawalRule, error) {
	var r ruleJSON
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		return protocol.WithdrawalRule{}, err
	}
	conv := func(ts []termJSON) []protocol.Term {
		var out []protocol.Term
		for _, t := range ts {
			out = append(out, protocol.Term{Event: protocol.EventKind(t.Event), Period: time.Duration(t.Period)})
		}
		return out
	}
	return protocol.WithdrawalRule{Meat: conv(r.Meat), Milk: conv(r.Milk)}, nil
}

// Case implements [rx.Store].
func (s *RxStore) Case(ctx context.Context, id int64, lock bool) (rx.Case, error) {
	c, err := scanCase(s.db.q(ctx).QueryRowContext(ctx, `SELECT `+rxCaseColumns+` FROM rx_cases WHERE id = $1`+s.lockClause(ctx, lock), id).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return rx.Case{}, rxNotFound("case", id)
	}
	if err != nil {
		return rx.Case{}, err
	}
	if c.Head > 1 {
		one := []rx.Case{c}
		if err := s.loadMembers(ctx, one, `SELECT case_id, animal_id FROM rx_case_members WHERE case_id = $1 ORDER BY pos`, id); err != nil {
			return rx.Case{}, err
		}
		c = one[0]
	}
	return c, nil
}

// Cases implements [rx.Store].
func (s *RxStore) Cases(ctx context.Context, rxID string) ([]rx.Case, error) {
	cases, err := queryAll(ctx, s.db, scanCase, `SELECT `+rxCaseColumns+` FROM rx_cases WHERE rx_id = $1 ORDER BY id`, rxID)
	if err != nil || !slices.ContainsFunc(cases, func(c rx.Case) bool { return c.Head > 1 }) {
		return cases, err
	}
	err = s.loadMembers(ctx, cases, `SELECT m.case_id, m.animal_id FROM rx_case_members m
		JOIN rx_cases c ON c.id = m.case_id WHERE c.rx_id = $1 ORDER BY m.case_id, m.pos`, rxID)
	return cases, err
}

// ---- tasks

const rxTaskColumns = `id, ` + rxTaskInsertColumns

// rxTaskViewColumns are rxTaskColumns without the withdrawal rule, which
// only the withhold computation needs: the farm's list views skip
// decoding it.
const rxTaskViewColumns = `id, case_id, rx_id, mor_id, vor_id, animal_id, kind, do_at, executor, status, product, route,
	dose, volume, treatment, seq, NULL, promise, prom_id, promise_name, promise_kind, data, done_at, done_by, recorded_at, note`

func scanTask(scan func(...any) error) (rx.Task, error) {
	var (
		t                         rx.Task
		kind, status, promiseKind string
		doAt                      int64
		executor, doneBy          sql.NullInt64
		doneAt, recordedAt        sql.NullInt64
		dose, volume, rule, data  sql.NullString
	)
	if err := scan(&t.ID, &t.CaseID, &t.RxID, &t.MOR, &t.VOR, &t.AnimalID, &kind, &doAt, &executor, &status,
		&t.Product, &t.Route, &dose, &volume, &t.Treatment, &t.Seq, &rule, &t.Promise, &t.PromID, &t.PromiseName,
		&promiseKind, &data, &doneAt, &doneBy, &recordedAt, &t.Note); err != nil {
		return rx.Task{}, err
	}
	t.Kind, t.Status, t.PromiseKind = rx.TaskKind(kind), rx.TaskStatus(status), protocol.PromiseKind(promiseKind)
	t.DoAt, t.DoneAt, t.RecordedAt = fromMicros(doAt), fromNullMicros(doneAt), fromNullMicros(recordedAt)
	t.Executor, t.DoneBy = rx.UserID(executor.Int64), rx.UserID(doneBy.Int64)
	var err error
	if dose.Valid {
		err = errors.Join(err, json.Unmarshal([]byte(dose.String), &t.Dose))
	}
	if volume.Valid {
		err = errors.Join(err, json.Unmarshal([]byte(volume.String), &t.Volume))
	}
	if rule.Valid {
		var e error
		t.Rule, e = decodeRule(rule.String)
		err = errors.Join(err, e)
	}
	if data.Valid {
		t.Data = new(rx.PData)
		err = errors.Join(err, json.Unmarshal([]byte(data.String), t.Data))
	}
	if err != nil {
		return rx.Task{}, fmt.Errorf("store: task %d: %w", t.ID, err)
	}
	return t, nil
}

func (s *RxStore) tasks(ctx context.Context, q string, args ...any) ([]rx.Task, error) {
	return queryAll(ctx, s.db, scanTask, q, args...)
}

// Tasks implements [rx.Store].
func (s *RxStore) Tasks(ctx context.Context, caseID int64) ([]rx.Task, error) {
	return s.tasks(ctx, `SELECT `+rxTaskColumns+` FROM rx_tasks WHERE case_id = $1 ORDER BY do_at, id`, caseID)
}

// Task implements [rx.Store].
func (s *RxStore) Task(ctx context.Context, id int64) (rx.Task, error) {
	t, err := scanTask(s.db.q(ctx).QueryRowContext(ctx, `SELECT `+rxTaskColumns+` FROM rx_tasks WHERE id = $1`, id).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return rx.Task{}, rxNotFound("task", id)
	}
	return t, err
}

// FinishTask implements [rx.Store].
func (s *RxStore) FinishTask(ctx context.Context, t *rx.Task) error {
	data, err := nullJSON(t.Data, t.Data == nil)
	if err != nil {
		return err
	}
	res, err := s.db.q(ctx).ExecContext(ctx, `UPDATE rx_tasks SET status = $2, done_at = $3, done_by = $4,
		recorded_at = $5, note = $6, data = $7 WHERE id = $1 AND status = 'REQUIRED'`,
		t.ID, string(t.Status), nullMicros(t.DoneAt), nullInt(int64(t.DoneBy)), nullMicros(t.RecordedAt), t.Note, data)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("store: task %d is no longer REQUIRED: %w", t.ID, rx.ErrConflict)
	}
	return nil
}

// RecallTasks implements [rx.Store].
func (s *RxStore) RecallTasks(ctx context.Context, rxID string, at time.Time) ([]int64, error) {
	rows, err := s.db.q(ctx).QueryContext(ctx, `UPDATE rx_tasks SET status = 'RECALLED', recorded_at = $2
		WHERE rx_id = $1 AND status = 'REQUIRED' RETURNING case_id`, rxID, micros(at))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	seen := map[int64]bool{}
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, rows.Err()
}

// rxDueTasksSQL is the "today's tasks" query: a range of the partial index
// rx_tasks_pending, which holds only REQUIRED tasks.
const rxDueTasksSQL = `SELECT ` + rxTaskViewColumns + ` FROM rx_tasks
	WHERE mor_id = $1 AND status = 'REQUIRED' AND do_at < $2 ORDER BY do_at, id`

// DueTasks implements [rx.Store]. It reads the partial index of REQUIRED
// tasks (rx_tasks_pending).
func (s *RxStore) DueTasks(ctx context.Context, mor rx.UserID, before time.Time) ([]rx.Task, error) {
	return s.tasks(ctx, rxDueTasksSQL, int64(mor), micros(before))
}

// ExecutedDoses implements [rx.Store].
func (s *RxStore) ExecutedDoses(ctx context.Context, mor rx.UserID, from, to time.Time) ([]rx.Task, error) {
	return s.tasks(ctx, `SELECT `+rxTaskViewColumns+` FROM rx_tasks
		WHERE mor_id = $1 AND status = 'EXECUTED' AND kind = 'models.DoseTask' AND done_at >= $2 AND done_at < $3
		ORDER BY done_at, id`, int64(mor), micros(from), micros(to))
}

// ---- withholds

const rxWithholdColumns = `id, case_id, rx_id, mor_id, animal_id, initiated, meat_until, milk_until, wt_note, note, meat_cause, milk_cause`

func scanWithhold(scan func(...any) error) (rx.Withhold, error) {
	var (
		w                     rx.Withhold
		initiated, meat, milk int64
		meatCause, milkCause  string
	)
	if err := scan(&w.ID, &w.CaseID, &w.RxID, &w.MOR, &w.AnimalID, &initiated, &meat, &milk, &w.WtNote, &w.Note, &meatCause, &milkCause); err != nil {
		return rx.Withhold{}, err
	}
	w.Initiated, w.MeatUntil, w.MilkUntil = fromMicros(initiated), fromMicros(meat), fromMicros(milk)
	if err := errors.Join(json.Unmarshal([]byte(meatCause), &w.Meat), json.Unmarshal([]byte(milkCause), &w.Milk)); err != nil {
		return rx.Withhold{}, fmt.Errorf("store: withhold of case %d: %w", w.CaseID, err)
	}
	return w, nil
}

// PutWithhold implements [rx.Store].
func (s *RxStore) PutWithhold(ctx context.Context, w *rx.Withhold) error {
	meat, err := json.Marshal(w.Meat)
	if err != nil {
		return err
	}
	milk, err := json.Marshal(w.Milk)
	if err != nil {
		return err
	}
	return s.db.q(ctx).QueryRowContext(ctx, `INSERT INTO rx_withholds
		(case_id, rx_id, mor_id, animal_id, initiated, meat_until, milk_until, release_at, wt_note, note, meat_cause, milk_cause)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		ON CONFLICT (case_id) DO UPDATE SET meat_until = excluded.meat_until, milk_until = excluded.milk_until,
			release_at = excluded.release_at, wt_note = excluded.wt_note, note = excluded.note,
			meat_cause = excluded.meat_cause, milk_cause = excluded.milk_cause
		RETURNING id`,
		w.CaseID, w.RxID, int64(w.MOR), w.AnimalID, micros(w.Initiated), micros(w.MeatUntil), micros(w.MilkUntil),
		micros(w.Release()), w.WtNote, w.Note, string(meat), string(milk)).Scan(&w.ID)
}

// Withhold implements [rx.Store].
func (s *RxStore) Withhold(ctx context.Context, caseID int64) (rx.Withhold, error) {
	w, err := scanWithhold(s.db.q(ctx).QueryRowContext(ctx, `SELECT `+rxWithholdColumns+` FROM rx_withholds WHERE case_id = $1`, caseID).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return rx.Withhold{}, rxNotFound("withhold of case", caseID)
	}
	return w, err
}

// rxWithholdsSQL is the "under withhold now or later" query: a range of
// rx_withholds_release, so it reads only the withholds not yet released.
const rxWithholdsSQL = `SELECT ` + rxWithholdColumns + ` FROM rx_withholds
	WHERE mor_id = $1 AND release_at > $2 ORDER BY release_at, id`

// rxOverdueCasesSQL lists, through rx_tasks_pending, the cases of a farm
// with a dose still to be given that was planned by $2: their withholds may
// hold past their planned release (rx.Withhold.AsOf), so Withholds reads
// them too, whatever their stored release.
const rxOverdueCasesSQL = `SELECT DISTINCT case_id FROM rx_tasks
	WHERE mor_id = $1 AND status = 'REQUIRED' AND do_at <= $2 AND kind = 'models.DoseTask'`

// rxAnimalWithholdsSQL reads rx_withholds_animal: the animal's withholds
// not yet released, and those of its cases with a dose still to be given.
//
// The second half finds the group cases listing the animal as a member,
// through the rx_case_members_animal index and rx_withholds' unique case_id.
const rxAnimalWithholdsSQL = `SELECT ` + rxWithholdColumns + ` FROM rx_withholds WHERE id IN (
		SELECT w.id FROM rx_withholds w WHERE w.mor_id = $1 AND w.animal_id = $2
		UNION
		SELECT w.id FROM rx_case_members m JOIN rx_withholds w ON w.case_id = m.case_id
		WHERE m.mor_id = $1 AND m.animal_id = $2)
	AND (release_at > $3 OR EXISTS (
		SELECT 1 FROM rx_tasks t WHERE t.case_id = rx_withholds.case_id AND t.status = 'REQUIRED' AND t.kind = 'models.DoseTask'))
	ORDER BY release_at, id`

func (s *RxStore) withholds(ctx context.Context, q string, args ...any) ([]rx.Withhold, error) {
	return queryAll(ctx, s.db, scanWithhold, q, args...)
}

// Withholds implements [rx.Store]. It reads the rx_withholds_release index.
//
// It also returns the withholds of cases with a dose planned by at and not
// given yet (rxOverdueCasesSQL), whatever their stored release: rx decides
// whether they still hold. Both reads grow with the answer, not with the
// history.
func (s *RxStore) Withholds(ctx context.Context, mor rx.UserID, at time.Time) ([]rx.Withhold, error) {
	ws, err := s.withholds(ctx, rxWithholdsSQL, int64(mor), micros(at))
	if err != nil {
		return nil, err
	}
	rows, err := s.db.q(ctx).QueryContext(ctx, rxOverdueCasesSQL, int64(mor), micros(at))
	if err != nil {
		return nil, err
	}
	listed := make(map[int64]bool, len(ws))
	for _, w := range ws {
		listed[w.CaseID] = true
	}
	var more []any
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		if !listed[id] {
			more = append(more, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(more) == 0 {
		return ws, nil
	}
	extra, err := s.withholds(ctx, `SELECT `+rxWithholdColumns+` FROM rx_withholds WHERE case_id IN (`+placeholders(1, len(more))+`)`, more...)
	if err != nil {
		return nil, err
	}
	// The extra ones were released (as planned) by at: they sort first.
	slices.SortFunc(extra, func(a, b rx.Withhold) int {
		return cmp.Or(a.Release().Compare(b.Release()), cmp.Compare(a.ID, b.ID))
	})
	return append(extra, ws...), nil
}

// AnimalWithholds implements [rx.Store]. It reads the rx_withholds_animal index.
func (s *RxStore) AnimalWithholds(ctx context.Context, mor rx.UserID, animal string, at time.Time) ([]rx.Withhold, error) {
	return s.withholds(ctx, rxAnimalWithholdsSQL, int64(mor), animal, micros(at))
}
