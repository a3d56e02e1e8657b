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

	"github.com/google/uuid"

	"github.com/vetlink/vetlink/mail"
)

// MailStore is the mail outbox of a DB: it implements [mail.Store].
type MailStore struct{ db *DB }

var _ mail.Store = (*MailStore)(nil)

// Mail returns the DB's mail outbox.
func (db *DB) Mail() *MailStore { return &MailStore{db: db} }

// AddMail stores m in the transaction ctx carries, if any.
func (s *MailStore) AddMail(ctx context.Context, m mail.Mail) error {
	msg, err := json.Marshal(m.Message)
	if err != nil {
		return fmt.Errorf("store: mail %s: encode message: %w", m.ID, err)
	}
	_, err = s.db.q(ctx).ExecContext(ctx, `INSERT INTO mail_outbox
		(id, kind, message, state, attempts, next_attempt_at, created_at, sent_at, last_error)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		m.ID, m.Message.Kind, string(msg), string(m.State), m.Attempts, micros(m.NextAttempt),
		micros(m.Created), nullMicros(m.Sent), m.LastError)
	if isUniqueViolation(err) {
		return fmt.Errorf("store: mail %s: already queued", m.ID)
	}
	if err != nil {
		return fmt.Errorf("store: add mail %s: %w", m.ID, err)
	}
	return nil
}

const mailColumns = `id, message, state, attempts, next_attempt_at, created_at, sent_at, last_error, lease`

func scanMail(scan func(...any) error) (mail.Mail, error) {
	var (
		m             mail.Mail
		msg, st       string
		next, created int64
		sent          sql.NullInt64
		lease         sql.NullString
	)
	if err := scan(&m.ID, &msg, &st, &m.Attempts, &next, &created, &sent, &m.LastError, &lease); err != nil {
		return mail.Mail{}, err
	}
	if err := json.Unmarshal([]byte(msg), &m.Message); err != nil {
		return mail.Mail{}, fmt.Errorf("store: mail %s: decode message: %w", m.ID, err)
	}
	m.State, m.NextAttempt, m.Created, m.Sent, m.Lease = mail.State(st), fromMicros(next), fromMicros(created), fromNullMicros(sent), lease.String
	return m, nil
}

// ClaimMail leases due rows in one statement. On PostgreSQL the
// candidates are locked with SKIP LOCKED, so concurrent workers claim
// disjoint rows without waiting; SQLite runs one writer at a time.
func (s *MailStore) ClaimMail(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]mail.Mail, error) {
	if limit <= 0 {
		return nil, nil
	}
	lock := ""
	if s.db.engine == PostgreSQL {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	token := owner + "/" + uuid.NewString()
	rows, err := queryAll(ctx, s.db, scanMail, `UPDATE mail_outbox SET lease = $1, lease_owner = $2, lease_until = $3
		WHERE id IN (SELECT id FROM mail_outbox
			WHERE state = 'pending' AND next_attempt_at <= $4 AND (lease_until IS NULL OR lease_until <= $4)
			ORDER BY next_attempt_at, id LIMIT $5`+lock+`)
		RETURNING `+mailColumns,
		token, owner, micros(now.Add(lease)), micros(now), limit)
	if err != nil {
		return nil, fmt.Errorf("store: claim mail: %w", err)
	}
	// RETURNING keeps no order: sort as claimed, oldest due first.
	slices.SortFunc(rows, func(a, b mail.Mail) int {
		return cmp.Or(a.NextAttempt.Compare(b.NextAttempt), strings.Compare(a.ID, b.ID))
	})
	return rows, nil
}

// FinishMail records the attempt and the row's new state in one
// transaction, where the lease still holds.
func (s *MailStore) FinishMail(ctx context.Context, o mail.Outcome) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		var sent sql.NullInt64
		if o.State == mail.Sent {
			sent = nullMicros(o.Attempt.At)
		}
		next := micros(o.NextAttempt)
		if o.NextAttempt.IsZero() {
			next = micros(o.Attempt.At)
		}
		res, err := s.db.q(ctx).ExecContext(ctx, `UPDATE mail_outbox SET state = $1, attempts = $2, next_attempt_at = $3,
			sent_at = $4, last_error = $5, lease = NULL, lease_owner = NULL, lease_until = NULL
			WHERE id = $6 AND lease = $7`,
			string(o.State), o.Attempt.N, next, sent, o.Attempt.Error, o.Attempt.MailID, o.Lease)
		if err != nil {
			return fmt.Errorf("store: finish mail %s: %w", o.Attempt.MailID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return fmt.Errorf("store: finish mail %s: %w", o.Attempt.MailID, mail.ErrLeaseLost)
		}
		_, err = s.db.q(ctx).ExecContext(ctx, `INSERT INTO mail_attempts (mail_id, n, at, duration_us, error)
			VALUES ($1, $2, $3, $4, $5)`,
			o.Attempt.MailID, o.Attempt.N, micros(o.Attempt.At), o.Attempt.Duration.Microseconds(), o.Attempt.Error)
		if err != nil {
			return fmt.Errorf("store: log attempt %d of mail %s: %w", o.Attempt.N, o.Attempt.MailID, err)
		}
		return nil
	})
}

// Mail reads one outbox row.
func (s *MailStore) Mail(ctx context.Context, id string) (mail.Mail, error) {
	m, err := scanMail(s.db.q(ctx).QueryRowContext(ctx, `SELECT `+mailColumns+` FROM mail_outbox WHERE id = $1`, id).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return mail.Mail{}, fmt.Errorf("store: mail %q: %w", id, mail.ErrNotFound)
	}
	if err != nil {
		return mail.Mail{}, fmt.Errorf("store: mail %q: %w", id, err)
	}
	return m, nil
}

// MailAttempts lists the attempts of a row, in order.
func (s *MailStore) MailAttempts(ctx context.Context, id string) ([]mail.Attempt, error) {
	as, err := queryAll(ctx, s.db, func(scan func(...any) error) (mail.Attempt, error) {
		var (
			a      mail.Attempt
			at, us int64
		)
		if err := scan(&a.MailID, &a.N, &at, &us, &a.Error); err != nil {
			return mail.Attempt{}, err
		}
		a.At, a.Duration = fromMicros(at), time.Duration(us)*time.Microsecond
		return a, nil
	}, `SELECT mail_id, n, at, duration_us, error FROM mail_attempts WHERE mail_id = $1 ORDER BY n`, id)
	if err != nil {
		return nil, fmt.Errorf("store: attempts of mail %q: %w", id, err)
	}
	return as, nil
}

// MailByKind lists the outbox rows of one kind, oldest first: what a test
// or an administrator looks at.
func (s *MailStore) MailByKind(ctx context.Context, kind string) ([]mail.Mail, error) {
	ms, err := queryAll(ctx, s.db, scanMail, `SELECT `+mailColumns+` FROM mail_outbox WHERE kind = $1 ORDER BY created_at, id`, kind)
	if err != nil {
		return nil, fmt.Errorf("store: mail of kind %q: %w", kind, err)
	}
	return ms, nil
}

// MailBacklog counts the pending rows.
func (s *MailStore) MailBacklog(ctx context.Context) (int, error) {
	var n int
	if err := s.db.q(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM mail_outbox WHERE state = 'pending'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: mail backlog: %w", err)
	}
	return n, nil
}

// PruneMail deletes up to limit sent or failed rows created before
// before; their attempts go with them (ON DELETE CASCADE).
func (s *MailStore) PruneMail(ctx context.Context, before time.Time, limit int) (int, error) {
	if limit <= 0 {
		return 0, nil
	}
	res, err := s.db.q(ctx).ExecContext(ctx, `DELETE FROM mail_outbox WHERE id IN (
		SELECT id FROM mail_outbox WHERE state IN ('sent', 'failed') AND created_at < $1 ORDER BY created_at LIMIT $2)`,
		micros(before), limit)
	if err != nil {
		return 0, fmt.Errorf("store: prune mail before %s: %w", before.UTC().Format(time.RFC3339), err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}
