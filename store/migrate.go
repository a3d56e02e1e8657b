package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// migrationFiles holds the schema, one directory per engine. A file is
// named NNNN_what.sql; NNNN is its version. Versions are global across
// engines: both directories hold the same versions, written in each
// engine's dialect. Ranges are set aside per domain so that work on one
// package never renumbers another's:
//
//	0001-0009 store itself
//	0010-0019 webhook
//	0020-0029 vetview
//	0030-0039 rx
//	0040-0049 hl7 jobs
//	0050-0059 auth (credentials, API keys, sessions)
//	0060-0069 site (profiles, help, comments, messages, client logs)
//
//go:embed migrations
var migrationFiles embed.FS

// ErrSchemaTooNew reports a database migrated by a newer vetlink than this
// build: it holds schema versions this build does not know, so this build
// must not write to it.
var ErrSchemaTooNew = errors.New("store: database schema is newer than this build of vetlink")

// A migration is one versioned SQL script.
type migration struct {
	version int
	name    string // file name, for the history table and errors
	sql     string
}

// loadMigrations reads the scripts of one engine from fsys, in version order.
func loadMigrations(fsys fs.FS, engine Engine) ([]migration, error) {
	dir := path.Join("migrations", string(engine))
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("store: read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("store: migration %s/%s: name must be NNNN_description.sql", dir, name)
		}
		body, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("store: read migration %s: %w", name, err)
		}
		if len(ms) > 0 && ms[len(ms)-1].version == v {
			return nil, fmt.Errorf("store: migrations %s and %s share version %d", ms[len(ms)-1].name, name, v)
		}
		ms = append(ms, migration{version: v, name: name, sql: string(body)})
	}
	return ms, nil
}

// historyTable records the applied migrations.
const historyTable = `CREATE TABLE IF NOT EXISTS vetlink_schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at BIGINT NOT NULL
)`

// Migrate applies every embedded migration the database has not applied
// yet, each in order, all in one transaction: it either reaches the build's
// schema or changes nothing. [Open] calls it; calling it again is harmless.
//
// Several processes may call Migrate at once on one database: on
// PostgreSQL a transaction-scoped advisory lock (keyed by the current
// schema) admits one at a time, and on SQLite the database write lock does;
// the others then find nothing left to do.
func (db *DB) Migrate(ctx context.Context) error {
	return db.migrate(ctx, migrationFiles)
}

func (db *DB) migrate(ctx context.Context, fsys fs.FS) error {
	ms, err := loadMigrations(fsys, db.engine)
	if err != nil {
		return err
	}
	return db.InTx(ctx, func(ctx context.Context) error {
		q := db.q(ctx)
		if db.engine == PostgreSQL {
			var schema *string
			if err := q.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
				return fmt.Errorf("store: migrate %s: %w", db, err)
			}
			if schema == nil {
				return fmt.Errorf("store: migrate %s: no schema of the search_path exists", db)
			}
			if _, err := q.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('vetlink.migrate.' || current_schema()))`); err != nil {
				return fmt.Errorf("store: migrate %s: take the migration lock: %w", db, err)
			}
		}
		if _, err := q.ExecContext(ctx, historyTable); err != nil {
			return fmt.Errorf("store: migrate %s: %w", db, err)
		}
		applied, err := db.appliedVersions(ctx)
		if err != nil {
			return err
		}
		known := make(map[int]bool, len(ms))
		for _, m := range ms {
			known[m.version] = true
		}
		var unknown []int
		for _, v := range applied {
			if !known[v] {
				unknown = append(unknown, v)
			}
		}
		if len(unknown) > 0 {
			return fmt.Errorf("%w: %s has schema versions %v that this build does not know (it knows up to %d); upgrade vetlink", ErrSchemaTooNew, db, unknown, lastVersion(ms))
		}
		for _, m := range ms {
			if slices.Contains(applied, m.version) {
				continue
			}
			if _, err := q.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("store: migrate %s: apply %s: %w", db, m.name, err)
			}
			if _, err := q.ExecContext(ctx,
				`INSERT INTO vetlink_schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
				m.version, m.name, micros(time.Now())); err != nil {
				return fmt.Errorf("store: migrate %s: record %s: %w", db, m.name, err)
			}
		}
		return nil
	})
}

func lastVersion(ms []migration) int {
	if len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// appliedVersions lists the versions recorded in the history table, in order.
func (db *DB) appliedVersions(ctx context.Context) ([]int, error) {
	rows, err := db.q(ctx).QueryContext(ctx, `SELECT version FROM vetlink_schema_migrations ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("store: read schema version of %s: %w", db, err)
	}
	defer rows.Close()
	var vs []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("store: read schema version of %s: %w", db, err)
		}
		vs = append(vs, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read schema version of %s: %w", db, err)
	}
	return vs, nil
}

// SchemaVersion returns the highest schema version applied to the
// database, and the highest this build knows. After a successful [Open]
// the two are equal.
func (db *DB) SchemaVersion(ctx context.Context) (applied, known int, err error) {
	ms, err := loadMigrations(migrationFiles, db.engine)
	if err != nil {
		return 0, 0, err
	}
	vs, err := db.appliedVersions(ctx)
	if err != nil {
		return 0, 0, err
	}
	if len(vs) > 0 {
		applied = vs[len(vs)-1]
	}
	return applied, lastVersion(ms), nil
}
