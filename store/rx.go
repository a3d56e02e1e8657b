package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/vetlink/vetlink/protocol"
	"github.com/vetlink/vetlink/rx"
)

// RxStore keeps rx's users, relationships, prescriptions, cases, tasks and
// withholds. It implements [rx.Store].
type RxStore struct{ db *DB }

var _ rx.Store = (*RxStore)(nil)

// Rx returns the rx store of db.
func (db *DB) Rx() *RxStore { return &RxStore{db: db} }

// InTx runs fn in a transaction of the store's database, as [DB.InTx] does.
func (s *RxStore) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.InTx(ctx, fn)
}

func rxNotFound(what string, key any) error {
	return fmt.Errorf("store: %s %v: %w", what, key, rx.ErrNotFound)
}

func nullInt(v int64) sql.NullInt64 { return sql.NullInt64{Int64: v, Valid: v != 0} }

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// ---- users and relations

const rxUserColumns = `id, uname, user_type, email, firstname, lastname, suffix, phone, sandbox_of, removed_type, created_at`

func scanRxUser(scan func(...any) error) (rx.User, error) {
	var (
		u         rx.User
		typ, rem  string
		sandbox   sql.NullInt64
		createdAt int64
	)
	err := scan(&u.ID, &u.Uname, &typ, &u.Email, &u.Firstname, &u.Lastname, &u.Suffix, &u.Phone, &sandbox, &rem, &createdAt)
	u.Type, u.RemovedType, u.SandboxOf, u.Created = rx.UserType(typ), rx.UserType(rem), rx.UserID(sandbox.Int64), fromMicros(createdAt)
	return u, err
}

// CreateUser implements [rx.Store].
func (s *RxStore) CreateUser(ctx context.Context, u *rx.User) error {
	if u.Created.IsZero() {
		u.Created = time.Now().UTC()
	}
	err := s.db.q(ctx).QueryRowContext(ctx, `INSERT INTO rx_users
		(uname, user_type, email, firstname, lastname, suffix, phone, sandbox_of, removed_type, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		u.Uname, string(u.Type), u.Email, u.Firstname, u.Lastname, u.Suffix, u.Phone,
		nullInt(int64(u.SandboxOf)), string(u.RemovedType), micros(u.Created)).Scan(&u.ID)
	if isUniqueViolation(err) {
		return fmt.Errorf("store: user %q exists: %w", u.Uname, rx.ErrConflict)
	}
	return err
}

// User implements [rx.Store].
func (s *RxStore) User(ctx context.Context, id rx.UserID) (rx.User, error) {
	u, err := scanRxUser(s.db.q(ctx).QueryRowContext(ctx, `SELECT `+rxUserColumns+` FROM rx_users WHERE id = $1`, int64(id)).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return rx.User{}, rxNotFound("user", id)
	}
	return u, err
}

// UpdateUser implements [rx.Store].
func (s *RxStore) UpdateUser(ctx context.Context, u rx.User) error {
	res, err := s.db.q(ctx).ExecContext(ctx, `UPDATE rx_users SET user_type = $2, email = $3, firstname = $4,
		lastname = $5, suffix = $6, phone = $7, removed_type = $8 WHERE id = $1`,
		int64(u.ID), string(u.Type), u.Email, u.Firstname, u.Lastname, u.Suffix, u.Phone, string(u.RemovedType))
	return affected(res, err, "user", u.ID)
}

// DeleteUser implements [rx.Store].
func (s *RxStore) DeleteUser(ctx context.Context, id rx.UserID) error {
	res, err := s.db.q(ctx).ExecContext(ctx, `DELETE FROM rx_users WHERE id = $1`, int64(id))
	return affected(res, err, "user", id)
}

func affected(res sql.Result, err error, what string, key any) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return rxNotFound(what, key)
	}
	return nil
}

// AddRelation implements [rx.Store].
func (s *RxStore) AddRelation(ctx context.Context, r rx.Relation) error {
	_, err := s.db.q(ctx).ExecContext(ctx, `INSERT INTO rx_relations (kind, left_id, right_id) VALUES ($1, $2, $3)`,
		string(r.Kind), int64(r.Left), int64(r.Right))
	switch {
	case isUniqueViolation(err):
		return fmt.Errorf("store: relation %s %d→%d exists: %w", r.Kind, r.Left, r.Right, rx.ErrConflict)
	case isForeignKeyViolation(err):
		return fmt.Errorf("store: relation %s %d→%d: %w", r.Kind, r.Left, r.Right, rx.ErrNotFound)
	}
	return err
}

// Relations implements [rx.Store].
func (s *RxStore) Relations(ctx context.Context, id rx.UserID) ([]rx.Relation, error) {
	rows, err := s.db.q(ctx).QueryContext(ctx, `SELECT kind, left_id, right_id FROM rx_relations WHERE left_id = $1
		UNION SELECT kind, left_id, right_id FROM rx_relations WHERE right_id = $1 ORDER BY 2, 1, 3`, int64(id))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []rx.Relation
	for rows.Next() {
		var r rx.Relation
		var kind string
		if err := rows.Scan(&kind, &r.Left, &r.Right); err != nil {
			return nil, err
		}
		r.Kind = rx.RelationKind(kind)
		out = append(out, r)
	}
	return out, rows.Err()
}

// ---- prescriptions

const rxPrescriptionColumns = `id, protocol, vor_id, mor_id, refills, expiration, created_at, metadata, status,
	fills_used, renewal_of, requested_by, version, confirmations`

func scanPrescription(scan func(...any) error) (rx.Prescription, error) {
	var (
		p                   rx.Prescription
		proto, meta, status string
		confirmations       string
		expiration          sql.NullInt64
		createdAt           int64
		renewalOf           sql.NullString
		requestedBy         sql.NullInt64
	)
	if err := scan(&p.ID, &proto, &p.VOR, &p.MOR, &p.Refills, &expiration, &createdAt, &meta, &status,
		&p.FillsUsed, &renewalOf, &requestedBy, &p.Version, &confirmations); err != nil {
		return rx.Prescription{}, err
	}
	if err := json.Unmarshal([]byte(confirmations), &p.Confirmations); err != nil {
		return rx.Prescription{}, fmt.Errorf("store: prescription %s: confirmations: %w", p.ID, err)
	}
	if len(p.Confirmations) == 0 {
		p.Confirmations = nil
	}
	if err := json.Unmarshal([]byte(proto), &p.Protocol); err != nil {
		return rx.Prescription{}, fmt.Errorf("store: prescription %s: protocol: %w", p.ID, err)
	}
	if err := json.Unmarshal([]byte(meta), &p.Metadata); err != nil {
		return rx.Prescription{}, fmt.Errorf("store: prescription %s: metadata: %w", p.ID, err)
	}
	p.Expiration, p.Created, p.Status = fromNullMicros(expiration), fromMicros(createdAt), rx.Status(status)
	p.RenewalOf, p.RequestedBy = renewalOf.String, rx.UserID(requestedBy.Int64)
	return p, nil
}

func encodeMetadata(md []protocol.Metadata) (string, error) {
	if md == nil {
		md = []protocol.Metadata{}
	}
	b, err := json.Marshal(md)
	return string(b), err
}

// CreatePrescription implements [rx.Store].
func (s *RxStore) CreatePrescription(ctx context.Context, p *rx.Prescription) error {
	proto, err := json.Marshal(p.Protocol)
	if err != nil {
		return fmt.Errorf("store: prescription %s: protocol: %w", p.ID, err)
	}
	meta, err := encodeMetadata(p.Metadata)
	if err != nil {
		return err
	}
	confirmations := []byte("[]")
	if len(p.Confirmations) > 0 {
		if confirmations, err = json.Marshal(p.Confirmations); err != nil {
			return fmt.Errorf("store: prescription %s: confirmations: %w", p.ID, err)
		}
	}
	p.Version = 1
	_, err = s.db.q(ctx).ExecContext(ctx, `INSERT INTO rx_prescriptions (`+rxPrescriptionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		p.ID, string(proto), int64(p.VOR), int64(p.MOR), p.Refills, nullMicros(p.Expiration), micros(p.Created),
		meta, string(p.Status), p.FillsUsed, nullString(p.RenewalOf), nullInt(int64(p.RequestedBy)), p.Version, string(confirmations))
	if isUniqueViolation(err) {
		return fmt.Errorf("store: prescription %s exists: %w", p.ID, rx.ErrConflict)
	}
	return err
}

// Prescription implements [rx.Store].
func (s *RxStore) Prescription(ctx context.Context, id string, lock bool) (rx.Prescription, error) {
	q := `SELECT ` + rxPrescriptionColumns + ` FROM rx_prescriptions WHERE id = $1` + s.lockClause(ctx, lock)
	p, err := scanPrescription(s.db.q(ctx).QueryRowContext(ctx, q, id).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return rx.Prescription{}, rxNotFound("prescription", id)
	}
	return p, err
}

// lockClause returns FOR UPDATE for a locking read in a PostgreSQL
// transaction. SQLite needs none: its write transactions begin IMMEDIATE
// and so already hold the database's single write lock.
func (s *RxStore) lockClause(ctx context.Context, lock bool) string {
	if lock && s.db.engine == PostgreSQL && s.db.InTransaction(ctx) {
		return " FOR UPDATE"
	}
	return ""
}

// UpdatePrescription implements [rx.Store].
func (s *RxStore) UpdatePrescription(ctx context.Context, p *rx.Prescription) error {
	meta, err := encodeMetadata(p.Metadata)
	if err != nil {
		return err
	}
	res, err := s.db.q(ctx).ExecContext(ctx, `UPDATE rx_prescriptions SET status = $2, fills_used = $3, metadata = $4,
		version = version + 1 WHERE id = $1 AND version = $5`,
		p.ID, string(p.Status), p.FillsUsed, meta, p.Version)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("store: prescription %s changed since version %d: %w", p.ID, p.Version, rx.ErrConflict)
	}
	p.Version++
	return nil
}

// Prescriptions implements [rx.Store].
func (s *RxStore) Prescriptions(ctx context.Context, vor, mor rx.UserID) ([]rx.Prescription, error) {
	q := `SELECT ` + rxPrescriptionColumns + ` FROM rx_prescriptions`
	var args []any
	switch {
	case vor != 0 && mor != 0:
		q += ` WHERE vor_id = $1 AND mor_id = $2`
		args = []any{int64(vor), int64(mor)}
	case vor != 0:
		q += ` WHERE vor_id = $1`
		args = []any{int64(vor)}
	case mor != 0:
		q += ` WHERE mor_id = $1`
		args = []any{int64(mor)}
	}
	return queryAll(ctx, s.db, scanPrescription, q+` ORDER BY created_at DESC, id`, args...)
}
