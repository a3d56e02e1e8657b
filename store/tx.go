package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// querier is what *sql.DB and *sql.Tx have in common: every store method
// runs its SQL through the one [DB.q] returns for its context.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// txKey is the context key of a DB's open transaction. It holds the *DB so
// that a transaction of one database is never used for another.
type txKey struct{ db *DB }

// txState is the transaction a context carries, with the depth of nested
// InTx calls (each nested call is a savepoint).
type txState struct {
	tx    *sql.Tx
	depth int
}

// InTx runs fn in a transaction. Store methods called with the context fn
// receives run in that transaction; the transaction commits when fn returns
// nil and rolls back when it returns an error or panics.
//
// Called with a context that already carries a transaction of db, InTx runs
// fn in a savepoint of it: fn's writes are undone alone if fn fails, and are
// committed only when the outermost transaction commits.
//
// fn must not keep the context for use after it returns, and must not start
// goroutines that use it: a transaction is one connection, used by one
// goroutine at a time.
func (db *DB) InTx(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	if st, ok := ctx.Value(txKey{db}).(*txState); ok {
		return db.inSavepoint(ctx, st, fn)
	}
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin transaction on %s: %w", db, err)
	}
	txCtx := context.WithValue(ctx, txKey{db}, &txState{tx: tx})
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
	}()
	if err := fn(txCtx); err != nil {
		if rbErr := tx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("store: roll back: %w", rbErr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit on %s: %w", db, err)
	}
	return nil
}

func (db *DB) inSavepoint(ctx context.Context, parent *txState, fn func(ctx context.Context) error) (err error) {
	st := &txState{tx: parent.tx, depth: parent.depth + 1}
	name := fmt.Sprintf("vetlink_sp%d", st.depth)
	if _, err := st.tx.ExecContext(ctx, "SAVEPOINT "+name); err != nil {
		return fmt.Errorf("store: savepoint: %w", err)
	}
	spCtx := context.WithValue(ctx, txKey{db}, st)
	defer func() {
		if p := recover(); p != nil {
			st.tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT "+name)
			panic(p)
		}
	}()
	if err := fn(spCtx); err != nil {
		if _, rbErr := st.tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT "+name); rbErr != nil {
			return errors.Join(err, fmt.Errorf("store: roll back to savepoint: %w", rbErr))
		}
		return err
	}
	if _, err := st.tx.ExecContext(ctx, "RELEASE SAVEPOINT "+name); err != nil {
		return fmt.Errorf("store: release savepoint: %w", err)
	}
	return nil
}

// InTransaction reports whether ctx carries an open transaction of db.
func (db *DB) InTransaction(ctx context.Context) bool {
	_, ok := ctx.Value(txKey{db}).(*txState)
	return ok
}

// q returns the transaction ctx carries, or the pool when it carries none.
func (db *DB) q(ctx context.Context) querier {
	if st, ok := ctx.Value(txKey{db}).(*txState); ok {
		return st.tx
	}
	return db.sql
}

// queryAll runs query in the transaction ctx carries, if any, and decodes
// every row with scan, in order.
func queryAll[T any](ctx context.Context, db *DB, scan func(func(...any) error) (T, error), query string, args ...any) ([]T, error) {
	rows, err := db.q(ctx).QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// isUniqueViolation reports whether err is a unique or primary-key
// constraint failure, on either engine.
func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		code := sqErr.Code()
		return code == sqlite3.SQLITE_CONSTRAINT_UNIQUE || code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// isForeignKeyViolation reports whether err is a foreign-key constraint
// failure, on either engine.
func isForeignKeyViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23503"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		return sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	return false
}

// isBusy reports whether err is SQLite's SQLITE_BUSY (in any of its extended
// forms): another connection holds a lock this one needs.
func isBusy(err error) bool {
	var sqErr *sqlite.Error
	return errors.As(err, &sqErr) && sqErr.Code()&0xff == sqlite3.SQLITE_BUSY
}

// placeholders returns "$from, $from+1, …" n times, for IN lists and
// multi-row inserts. Both engines accept $N parameters.
func placeholders(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", from+i)
	}
	return b.String()
}
