package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
)

func TestOpenRejectsBadDSN(t *testing.T) {
	t.Parallel()
	tests := []struct {
		dsn  string
		want string // in the error text
	}{
		{"", "empty"},
		{"   ", "empty"},
		{"mysql://root@localhost/test", `unsupported scheme "mysql"`},
		{"sqlite:", "names no file"},
		{"sqlite::memory:", "in-memory SQLite is not supported"},
		{":memory:", "in-memory SQLite is not supported"},
		{"file:x.db?mode=memory", "in-memory SQLite is not supported"},
		{"sqlite:vetlink.db?_pragma=foreign_keys(0)", "vetlink sets the SQLite pragmas itself"},
		{"postgres://user:secret@localhost:notaport/db", "postgres"},
	}
	for _, tt := range tests {
		t.Run(tt.dsn, func(t *testing.T) {
			_, err := store.Open(context.Background(), tt.dsn)
			require.ErrorIs(t, err, store.ErrBadDSN)
			require.Contains(t, err.Error(), tt.want)
			require.NotContains(t, err.Error(), "secret", "a DSN's password must never reach an error")
		})
	}
}

func TestOpenReportsUnreachableDatabase(t *testing.T) {
	t.Parallel()
	notADatabase := filepath.Join(t.TempDir(), "notes.txt")
	require.NoError(t, os.WriteFile(notADatabase, []byte(strings.Repeat("not a database\n", 400)), 0o600))

	tests := []struct {
		name string
		dsn  string
		want string
	}{
		{"missing directory", filepath.Join(t.TempDir(), "no", "such", "dir", "v.db"), "does not exist"},
		{"not a SQLite file", notADatabase, "notes.txt"},
		{"nothing listening", "postgres://vetlink:secret@127.0.0.1:1/vetlink?connect_timeout=2", "127.0.0.1:1/vetlink"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := store.Open(context.Background(), tt.dsn)
			require.ErrorIs(t, err, store.ErrUnreachable)
			require.Contains(t, err.Error(), tt.want)
			require.NotContains(t, err.Error(), "secret")
		})
	}
}

func TestOpenPicksEngineFromDSN(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, dsn := range []string{
		filepath.Join(dir, "plain.db"),
		"sqlite:" + filepath.Join(dir, "url.db"),
		"sqlite://" + filepath.Join(dir, "slashes.db"),
	} {
		db, err := store.Open(context.Background(), dsn)
		require.NoError(t, err, dsn)
		require.Equal(t, store.SQLite, db.Engine(), dsn)
		require.NoError(t, db.Close())
	}
	for _, name := range []string{"plain.db", "url.db", "slashes.db"} {
		require.FileExists(t, filepath.Join(dir, name))
	}
	if os.Getenv(storetest.EnvPostgres) != "" || os.Getenv("CI") == "true" {
		require.Equal(t, store.PostgreSQL, storetest.Postgres(t).Engine())
	}
}

func TestSQLiteSettings(t *testing.T) {
	t.Parallel()
	db := storetest.SQLite(t)
	ctx := context.Background()
	var fk, busy int
	var mode string
	require.NoError(t, db.SQL().QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk))
	require.NoError(t, db.SQL().QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy))
	require.NoError(t, db.SQL().QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode))
	require.Equal(t, 1, fk, "foreign keys on")
	require.Equal(t, 10000, busy, "busy timeout in ms")
	require.Equal(t, "wal", mode)
}

func TestInTx(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, err := db.SQL().ExecContext(ctx, `CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)`)
		require.NoError(t, err)
		count := func() int {
			var n int
			require.NoError(t, db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM notes`).Scan(&n))
			return n
		}
		insert := func(ctx context.Context, id int) error {
			_, err := db.SQL().ExecContext(ctx, `SELECT 1`) // outside the transaction: must not block
			if err != nil {
				return err
			}
			return store.ExecForTest(ctx, db, `INSERT INTO notes (id, body) VALUES ($1, 'x')`, id)
		}

		t.Run("CommitsOnNil", func(t *testing.T) {
			require.NoError(t, db.InTx(ctx, func(ctx context.Context) error {
				require.True(t, db.InTransaction(ctx))
				return insert(ctx, 1)
			}))
			require.Equal(t, 1, count())
		})
		t.Run("RollsBackOnError", func(t *testing.T) {
			boom := errors.New("boom")
			err := db.InTx(ctx, func(ctx context.Context) error {
				require.NoError(t, insert(ctx, 2))
				return boom
			})
			require.ErrorIs(t, err, boom)
			require.Equal(t, 1, count())
		})
		t.Run("RollsBackOnPanic", func(t *testing.T) {
			require.Panics(t, func() {
				db.InTx(ctx, func(ctx context.Context) error {
					require.NoError(t, insert(ctx, 3))
					panic("boom")
				})
			})
			require.Equal(t, 1, count())
		})
		t.Run("NestedFailureRollsBackOnlyItsSavepoint", func(t *testing.T) {
			require.NoError(t, db.InTx(ctx, func(ctx context.Context) error {
				require.NoError(t, insert(ctx, 4))
				err := db.InTx(ctx, func(ctx context.Context) error {
					require.NoError(t, insert(ctx, 5))
					return insert(ctx, 4) // duplicate key
				})
				require.True(t, store.IsUniqueViolation(err), "got %v", err)
				return insert(ctx, 6)
			}))
			var ids []int
			rows, err := db.SQL().QueryContext(ctx, `SELECT id FROM notes ORDER BY id`)
			require.NoError(t, err)
			for rows.Next() {
				var id int
				require.NoError(t, rows.Scan(&id))
				ids = append(ids, id)
			}
			require.NoError(t, rows.Err())
			require.Equal(t, []int{1, 4, 6}, ids)
		})
		t.Run("NestedSuccessCommitsWithOuter", func(t *testing.T) {
			boom := errors.New("outer fails")
			err := db.InTx(ctx, func(ctx context.Context) error {
				require.NoError(t, db.InTx(ctx, func(ctx context.Context) error { return insert(ctx, 7) }))
				return boom
			})
			require.ErrorIs(t, err, boom)
			require.Equal(t, 3, count())
		})
	})
}
