package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// AdminStore keeps the audit log of what administrators change through
// the admin API: one row per change, written in the change's transaction.
// It implements openapi.AuditLog.
type AdminStore struct{ db *DB }

// Admin returns the audit log of db.
func (db *DB) Admin() *AdminStore { return &AdminStore{db: db} }

// AdminChange is one record of the audit log.
type AdminChange struct {
	ID     int64
	At     time.Time
	Actor  int64  // the administrator's user ID
	Action string // the operation, e.g. "createAdminJob"
	Target string // the ID it acted on, "" when none
	// Detail is what was asked, as JSON without secrets; nil when nothing.
	Detail json.RawMessage
}

// RecordAdminChange stores one change and returns its number. detail must
// be nil or one JSON value.
func (s *AdminStore) RecordAdminChange(ctx context.Context, at time.Time, actor int64, action, target string, detail []byte) (int64, error) {
	if action == "" {
		return 0, fmt.Errorf("store: audit record: action must not be empty")
	}
	var d any
	if len(detail) > 0 {
		if !json.Valid(detail) {
			return 0, fmt.Errorf("store: audit record of %s: detail %.40q must be JSON", action, detail)
		}
		d = string(detail)
	}
	var id int64
	err := s.db.q(ctx).QueryRowContext(ctx, `INSERT INTO admin_audit (at, actor_id, action, target, detail)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, micros(at), actor, action, target, d).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: audit record of %s: %w", action, err)
	}
	return id, nil
}

// AdminChanges returns up to limit records older than record before (all
// when before is 0), newest first.
func (s *AdminStore) AdminChanges(ctx context.Context, before int64, limit int) ([]AdminChange, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("store: audit log: limit %d must be positive", limit)
	}
	q, args := `SELECT id, at, actor_id, action, target, detail FROM admin_audit`, []any{limit}
	if before > 0 {
		q, args = q+` WHERE id < $2`, append(args, before)
	}
	rows, err := s.db.q(ctx).QueryContext(ctx, q+` ORDER BY id DESC LIMIT $1`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AdminChange
	for rows.Next() {
		var c AdminChange
		var at int64
		var detail sql.NullString
		if err := rows.Scan(&c.ID, &at, &c.Actor, &c.Action, &c.Target, &detail); err != nil {
			return nil, err
		}
		c.At = fromMicros(at)
		if detail.Valid {
			c.Detail = json.RawMessage(detail.String)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// EachAdminChange calls fn with each of up to limit records older than
// record before (all when before is 0), newest first: AdminChanges in
// plain values, so that a package that must not import store (openapi's
// GET /api/admin/audit) can read the log.
func (s *AdminStore) EachAdminChange(ctx context.Context, before int64, limit int, fn func(id int64, at time.Time, actor int64, action, target string, detail []byte)) error {
	changes, err := s.AdminChanges(ctx, before, limit)
	if err != nil {
		return err
	}
	for _, c := range changes {
		fn(c.ID, c.At, c.Actor, c.Action, c.Target, c.Detail)
	}
	return nil
}
