package store

import (
	"context"
	"io/fs"
)

// OpenUnmigrated opens a database without applying migrations, so tests
// can apply their own sets.
func OpenUnmigrated(ctx context.Context, dsn string) (*DB, error) { return open(ctx, dsn) }

// MigrateFS applies the migrations found in fsys instead of the embedded ones.
func (db *DB) MigrateFS(ctx context.Context, fsys fs.FS) error { return db.migrate(ctx, fsys) }

// AppliedVersions lists the applied schema versions.
func (db *DB) AppliedVersions(ctx context.Context) ([]int, error) { return db.appliedVersions(ctx) }

// IsUniqueViolation exposes isUniqueViolation.
var IsUniqueViolation = isUniqueViolation

// ExecForTest runs one statement in the transaction ctx carries, if any.
func ExecForTest(ctx context.Context, db *DB, query string, args ...any) error {
	_, err := db.q(ctx).ExecContext(ctx, query, args...)
	return err
}
