package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/vetlink/vetlink/hl7/nahln"
	"github.com/vetlink/vetlink/vetview/jobs"
)

// HL7Store implements [jobs.HL7Store]: messages received from lab
// instruments and the NAHLN report queue, in the hl7_* tables.
type HL7Store struct{ db *DB }

var _ jobs.HL7Store = (*HL7Store)(nil)

// HL7 returns the store of the HL7 job kinds on db.
func (db *DB) HL7() *HL7Store { return &HL7Store{db: db} }

// SaveInbound implements [jobs.HL7Store]. The unique index on source,
// sending facility and control ID makes a retransmission a no-op.
func (s *HL7Store) SaveInbound(ctx context.Context, m jobs.InboundMessage) (bool, error) {
	res, err := s.db.q(ctx).ExecContext(ctx, `
		INSERT INTO hl7_inbound_messages
			(id, source, sending_application, sending_facility, control_id, message_type, remote_addr, received_at, data)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (source, sending_facility, control_id) DO NOTHING`,
		m.ID.String(), m.Source, m.SendingApplication, m.SendingFacility, m.ControlID, m.MessageType,
		m.RemoteAddr, micros(m.ReceivedAt), m.Data)
	if err != nil {
		return false, fmt.Errorf("store: hl7: save message %s from %s: %w", m.ControlID, m.Source, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: hl7: save message %s from %s: %w", m.ControlID, m.Source, err)
	}
	return n == 1, nil
}

// InboundMessages implements [jobs.HL7Store].
func (s *HL7Store) InboundMessages(ctx context.Context, source string, since time.Time, limit int) ([]jobs.InboundMessage, error) {
	rows, err := s.db.q(ctx).QueryContext(ctx, `
		SELECT id, source, sending_application, sending_facility, control_id, message_type, remote_addr, received_at, data
		FROM hl7_inbound_messages
		WHERE source = $1 AND received_at >= $2
		ORDER BY received_at, id
		LIMIT $3`, source, micros(since), limit)
	if err != nil {
		return nil, fmt.Errorf("store: hl7: list messages of %s: %w", source, err)
	}
	defer rows.Close()
	var out []jobs.InboundMessage
	for rows.Next() {
		var m jobs.InboundMessage
		var id string
		var at int64
		if err := rows.Scan(&id, &m.Source, &m.SendingApplication, &m.SendingFacility, &m.ControlID, &m.MessageType, &m.RemoteAddr, &at, &m.Data); err != nil {
			return nil, fmt.Errorf("store: hl7: list messages of %s: %w", source, err)
		}
		if m.ID, err = uuid.Parse(id); err != nil {
			return nil, fmt.Errorf("store: hl7: message id %q: %w", id, err)
		}
		m.ReceivedAt = fromMicros(at)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: hl7: list messages of %s: %w", source, err)
	}
	return out, nil
}

// EnqueueNAHLNReport implements [jobs.HL7Store].
func (s *HL7Store) EnqueueNAHLNReport(ctx context.Context, r jobs.NAHLNReport) error {
	doc, err := json.Marshal(r.Report)
	if err != nil {
		return fmt.Errorf("store: hl7: encode NAHLN report %s: %w", r.ID, err)
	}
	_, err = s.db.q(ctx).ExecContext(ctx, `
		INSERT INTO hl7_nahln_reports (id, report, status, attempts, created_at, next_attempt_at)
		VALUES ($1, $2, 'pending', 0, $3, $4)`,
		r.ID.String(), string(doc), micros(r.CreatedAt), micros(r.NextAttemptAt))
	if err != nil {
		return fmt.Errorf("store: hl7: enqueue NAHLN report %s: %w", r.ID, err)
	}
	return nil
}

const hl7ReportColumns = `id, report, status, attempts, created_at, next_attempt_at, last_attempt_at, last_error, ack_code, ack_errors`

// ClaimNAHLNReports implements [jobs.HL7Store]. On SQLite the statement
// runs under the single writer lock. On PostgreSQL the due rows are locked
// with SKIP LOCKED, so concurrent claims pass each other, and the UPDATE
// repeats the due condition, so a claim that read a row before another
// moved it leaves it alone.
func (s *HL7Store) ClaimNAHLNReports(ctx context.Context, now, until time.Time, limit int) ([]jobs.NAHLNReport, error) {
	query := `
		UPDATE hl7_nahln_reports SET next_attempt_at = $2
		WHERE status = 'pending' AND next_attempt_at <= $1 AND id IN (
			SELECT id FROM hl7_nahln_reports
			WHERE status = 'pending' AND next_attempt_at <= $1
			ORDER BY next_attempt_at, created_at
			LIMIT $3)
		RETURNING ` + hl7ReportColumns
	if s.db.engine == PostgreSQL {
		// The locking CTE is evaluated once; an IN (SELECT ... LIMIT)
		// subquery may be rescanned by the plan and exceed the limit.
		query = `
		WITH due AS (
			SELECT id FROM hl7_nahln_reports
			WHERE status = 'pending' AND next_attempt_at <= $1
			ORDER BY next_attempt_at, created_at
			LIMIT $3
			FOR UPDATE SKIP LOCKED)
		UPDATE hl7_nahln_reports r SET next_attempt_at = $2
		FROM due
		WHERE r.id = due.id AND r.status = 'pending' AND r.next_attempt_at <= $1
		RETURNING ` + prefixed("r.", hl7ReportColumns)
	}
	rows, err := s.db.q(ctx).QueryContext(ctx, query, micros(now), micros(until), limit)
	if err != nil {
		return nil, fmt.Errorf("store: hl7: claim NAHLN reports: %w", err)
	}
	out, err := scanNAHLNReports(rows)
	if err != nil {
		return nil, fmt.Errorf("store: hl7: claim NAHLN reports: %w", err)
	}
	// RETURNING follows no order; give the oldest first.
	slices.SortFunc(out, func(a, b jobs.NAHLNReport) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID.String(), b.ID.String()))
	})
	return out, nil
}

// RecordNAHLNAttempt implements [jobs.HL7Store].
func (s *HL7Store) RecordNAHLNAttempt(ctx context.Context, id uuid.UUID, a jobs.NAHLNAttempt) error {
	ackErrors := a.AckErrors
	if ackErrors == nil {
		ackErrors = []nahln.AckError{}
	}
	errs, err := json.Marshal(ackErrors)
	if err != nil {
		return fmt.Errorf("store: hl7: encode ACK errors of NAHLN report %s: %w", id, err)
	}
	next := a.NextAttemptAt
	if a.Status != jobs.NAHLNPending {
		next = a.At
	}
	res, err := s.db.q(ctx).ExecContext(ctx, `
		UPDATE hl7_nahln_reports
		SET status = $2, attempts = attempts + 1, last_attempt_at = $3, next_attempt_at = $4,
			last_error = $5, ack_code = $6, ack_errors = $7
		WHERE id = $1 AND status = 'pending'`,
		id.String(), string(a.Status), micros(a.At), micros(next), a.Error, a.AckCode, string(errs))
	if err != nil {
		return fmt.Errorf("store: hl7: record attempt of NAHLN report %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: hl7: record attempt of NAHLN report %s: %w", id, err)
	} else if n == 0 {
		return fmt.Errorf("%w: no pending report %s", jobs.ErrNAHLNReportNotFound, id)
	}
	return nil
}

// NAHLNReport implements [jobs.HL7Store].
func (s *HL7Store) NAHLNReport(ctx context.Context, id uuid.UUID) (jobs.NAHLNReport, error) {
	rows, err := s.db.q(ctx).QueryContext(ctx, `SELECT `+hl7ReportColumns+` FROM hl7_nahln_reports WHERE id = $1`, id.String())
	if err != nil {
		return jobs.NAHLNReport{}, fmt.Errorf("store: hl7: NAHLN report %s: %w", id, err)
	}
	out, err := scanNAHLNReports(rows)
	if err != nil {
		return jobs.NAHLNReport{}, fmt.Errorf("store: hl7: NAHLN report %s: %w", id, err)
	}
	if len(out) == 0 {
		return jobs.NAHLNReport{}, fmt.Errorf("%w: %s", jobs.ErrNAHLNReportNotFound, id)
	}
	return out[0], nil
}

// prefixed qualifies each name of a column list.
func prefixed(prefix, columns string) string {
	parts := strings.Split(columns, ", ")
	for i, p := range parts {
		parts[i] = prefix + p
	}
	return strings.Join(parts, ", ")
}

func scanNAHLNReports(rows *sql.Rows) ([]jobs.NAHLNReport, error) {
	defer rows.Close()
	var out []jobs.NAHLNReport
	for rows.Next() {
		var r jobs.NAHLNReport
		var id, doc, status, errs string
		var created, next int64
		var last sql.NullInt64
		if err := rows.Scan(&id, &doc, &status, &r.Attempts, &created, &next, &last, &r.LastError, &r.AckCode, &errs); err != nil {
			return nil, err
		}
		var err error
		if r.ID, err = uuid.Parse(id); err != nil {
			return nil, fmt.Errorf("report id %q: %w", id, err)
		}
		if err := json.Unmarshal([]byte(doc), &r.Report); err != nil {
			return nil, fmt.Errorf("report %s: %w", id, err)
		}
		if err := json.Unmarshal([]byte(errs), &r.AckErrors); err != nil {
			return nil, fmt.Errorf("report %s: ACK errors: %w", id, err)
		}
		if len(r.AckErrors) == 0 {
			r.AckErrors = nil
		}
		r.Status = jobs.NAHLNStatus(status)
		r.CreatedAt, r.NextAttemptAt, r.LastAttemptAt = fromMicros(created), fromMicros(next), fromNullMicros(last)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
