// Package storetest runs tests against real vetlink databases: a SQLite
// file in a temporary directory, and a PostgreSQL schema of its own.
//
// [Run] is the usual entry point: it runs the same test body once per
// engine, as subtests named "sqlite" and "postgres":
//
//	func TestCases(t *testing.T) {
//		storetest.Run(t, func(t *testing.T, db *store.DB) {
//			// db is migrated and empty, and closed and dropped after t.
//		})
//	}
//
// PostgreSQL comes from the environment variable VETLINK_TEST_POSTGRES, a
// postgres:// URL of a database the tests may create schemas in. Each test
// gets a fresh schema, dropped when it ends, so tests run in parallel
// without seeing each other's rows. Without the variable the PostgreSQL
// half is skipped, unless CI=true: in CI a missing or unreachable
// PostgreSQL fails the test, so a green CI run always means both engines ran.
//
// The databases [SQLite], [Postgres], [Open] and [Run] return have the
// fixed, public test key [SecretKey] set ([store.DB.SetSecretKey]), so
// webhook subscriptions with secrets can be stored. A test that opens a
// database itself (with [SQLitePath] or [PostgresDSN]) sets it too, or
// sets none to see the store refuse secrets.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/vetlink/vetlink/store"
)

// EnvPostgres names the environment variable holding the PostgreSQL URL.
const EnvPostgres = "VETLINK_TEST_POSTGRES"

// testKey is published in this file: it protects nothing but test rows.
const testKey = "vetlink storetest secret key: public, for tests only"

// SecretKey returns the fixed secret key of the test databases: 52 bytes,
// the same on every call, public, for tests only.
func SecretKey() []byte { return []byte(testKey) }

func setKey(t testing.TB, db *store.DB) {
	t.Helper()
	if err := db.SetSecretKey(SecretKey()); err != nil {
		t.Fatalf("storetest: set secret key: %v", err)
	}
}

// Run runs body against a fresh SQLite database and a fresh PostgreSQL
// schema, as the subtests "sqlite" and "postgres". Both subtests run in
// parallel with each other.
func Run(t *testing.T, body func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		body(t, SQLite(t))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		body(t, Postgres(t))
	})
}

// SQLite opens a migrated SQLite database in a new file under t.TempDir,
// with [SecretKey] set. It is closed when t ends.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), SQLitePath(t))
	if err != nil {
		t.Fatalf("storetest: open sqlite: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	setKey(t, db)
	return db
}

// SQLitePath returns the path of a SQLite file that does not exist yet, in
// t.TempDir, for tests that open the database themselves (several times,
// or from several processes).
func SQLitePath(t testing.TB) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "vetlink.db")
}

// Postgres opens a migrated PostgreSQL database whose search_path is a new,
// empty schema, with [SecretKey] set. The schema is dropped when t ends. Without
// VETLINK_TEST_POSTGRES the test is skipped, or fails when CI=true.
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), PostgresDSN(t))
	if err != nil {
		t.Fatalf("storetest: open postgres: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	setKey(t, db)
	return db
}

// PostgresDSN creates a new, empty schema and returns a DSN whose
// search_path is that schema, for tests that open the database themselves.
// The schema is dropped when t ends. Without VETLINK_TEST_POSTGRES the test
// is skipped, or fails when CI=true.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		if inCI() {
			t.Fatalf("storetest: CI=true but %s is not set: the PostgreSQL tests must run in CI", EnvPostgres)
		}
		t.Skipf("storetest: %s not set; PostgreSQL half skipped", EnvPostgres)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("storetest: %s: %v", EnvPostgres, err)
	}
	defer admin.Close()
	schema := "vltest_" + randomHex(6)
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("storetest: create schema on %s: %v (is PostgreSQL running?)", EnvPostgres, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		admin, err := sql.Open("pgx", base)
		if err != nil {
			t.Errorf("storetest: drop schema %s: %v", schema, err)
			return
		}
		defer admin.Close()
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("storetest: drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("storetest: %s is not a URL: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func inCI() bool {
	ci, _ := strconv.ParseBool(os.Getenv("CI"))
	return ci
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Engines lists the engines [Run] runs, for table-driven tests that need
// their names.
func Engines() []store.Engine { return []store.Engine{store.SQLite, store.PostgreSQL} }

// Open opens a migrated database of the given engine for t, as [SQLite] or
// [Postgres] would.
func Open(t testing.TB, engine store.Engine) *store.DB {
	t.Helper()
	switch engine {
	case store.SQLite:
		return SQLite(t)
	case store.PostgreSQL:
		return Postgres(t)
	}
	panic(fmt.Sprintf("storetest: unknown engine %q", engine))
}
