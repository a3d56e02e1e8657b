package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// Engine names the SQL engine behind a [DB].
type Engine string

// The engines a DSN can select.
const (
	SQLite     Engine = "sqlite"
	PostgreSQL Engine = "postgres"
)

// Errors returned by [Open]. They are wrapped with the detail of the DSN at
// fault (never its password), so test them with errors.Is.
var (
	// ErrBadDSN reports a DSN that names no supported engine or cannot be parsed.
	ErrBadDSN = errors.New("store: bad DSN")
	// ErrUnreachable reports a database that could not be opened or reached.
	ErrUnreachable = errors.New("store: database unreachable")
)

// DB is an open vetlink database. It is safe for concurrent use and should
// live as long as the process: open it once and share it.
//
// Give it the server's secret key with [DB.SetSecretKey] right after
// [Open]: webhook signing secrets are sealed under a key derived from it,
// and a DB without a key refuses to store them ([ErrNoSecretKey]).
type DB struct {
	sql    *sql.DB
	engine Engine
	// where is a human-readable name of the database for error messages:
	// the SQLite file path, or host:port/database for PostgreSQL.
	where string
	// dispatchTurn orders the webhook dispatcher's writes on SQLite (see
	// WebhookStore.sqliteWriter).
	dispatchTurn sqliteTurn
	// vetviewTurn orders the vetview scheduler's writes on SQLite (see
	// VetviewStore.sqliteWriter).
	vetviewTurn sync.Mutex
	// sealer seals and opens webhook signing secrets; nil until
	// SetSecretKey (see seal.go).
	sealer atomic.Pointer[sealer]
}

// Open opens the database named by dsn, checks that it answers, and applies
// every pending schema migration.
//
// The engine follows from the DSN:
//
//	vetlink.db, ./data/vetlink.db, /var/lib/vetlink.db   SQLite file path
//	sqlite:vetlink.db, sqlite:///var/lib/vetlink.db      SQLite URL
//	postgres://user@host:5432/db?sslmode=disable        PostgreSQL (also postgresql://)
//
// A SQLite file is created if it does not exist; its directory must exist.
// SQLite's in-memory databases are refused: each connection of the pool
// would see a different database. Use a file in a temporary directory.
//
// Open fails with [ErrBadDSN] for a DSN it cannot use, [ErrUnreachable] when
// the database does not answer, and [ErrSchemaTooNew] when the database was
// migrated by a newer vetlink than this one.
func Open(ctx context.Context, dsn string) (*DB, error) {
	db, err := open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func open(ctx context.Context, dsn string) (*DB, error) {
	engine, target, err := parseDSN(dsn)
	if err != nil {
		return nil, err
	}
	switch engine {
	case PostgreSQL:
		return openPostgres(ctx, target)
	default:
		return openSQLite(ctx, target)
	}
}

// parseDSN returns the engine and, for SQLite, the file path, or for
// PostgreSQL the DSN to hand to pgx.
func parseDSN(dsn string) (Engine, string, error) {
	dsn = strings.TrimSpace(dsn)
	if dsn == "" {
		return "", "", fmt.Errorf("%w: empty (want a SQLite file path, sqlite:PATH or postgres://...)", ErrBadDSN)
	}
	if strings.Contains(dsn, ":memory:") || strings.Contains(dsn, "mode=memory") {
		return "", "", fmt.Errorf("%w: in-memory SQLite is not supported (each pooled connection would see its own database); use a file in a temporary directory", ErrBadDSN)
	}
	scheme, rest, hasScheme := strings.Cut(dsn, ":")
	// A Windows drive letter (C:\...) is a path, not a scheme.
	if !hasScheme || len(scheme) == 1 {
		return checkSQLitePath(dsn)
	}
	switch strings.ToLower(scheme) {
	case "postgres", "postgresql":
		return PostgreSQL, dsn, nil
	case "sqlite", "sqlite3", "file":
		path := rest
		if strings.HasPrefix(path, "//") {
			u, err := url.Parse(dsn)
			if err != nil {
				return "", "", fmt.Errorf("%w: %v", ErrBadDSN, err)
			}
			path = u.Host + u.Path
		}
		if i := strings.IndexByte(path, '?'); i >= 0 {
			return "", "", fmt.Errorf("%w: sqlite DSN %q has parameters %q; vetlink sets the SQLite pragmas itself", ErrBadDSN, dsn, path[i:])
		}
		return checkSQLitePath(path)
	default:
		return "", "", fmt.Errorf("%w: unsupported scheme %q (want a SQLite file path, sqlite:PATH or postgres://...)", ErrBadDSN, scheme)
	}
}

func checkSQLitePath(path string) (Engine, string, error) {
	switch {
	case path == "":
		return "", "", fmt.Errorf("%w: sqlite DSN names no file", ErrBadDSN)
	}
	return SQLite, path, nil
}

// sqlitePragmas are applied by the driver to every new connection.
//
// busy_timeout makes a writer wait up to 10 s for the lock instead of failing
// at once; _txlock=immediate takes the write lock at BEGIN, so two
// transactions never deadlock upgrading from a read lock (which SQLite would
// report as SQLITE_BUSY without waiting). The journal mode is not among them:
// WAL is a property of the file, set once by openSQLite.
const sqlitePragmas = "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"

// walSwitchTimeout bounds how long openSQLite retries switching a file to WAL
// while other processes hold it.
const walSwitchTimeout = 10 * time.Second

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("%w: sqlite %s: directory %s does not exist", ErrUnreachable, path, dir)
		}
	}
	// The driver takes a file: URI; escape what would end the path early.
	uri := "file:" + strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path) + "?" + sqlitePragmas
	sqldb, err := sql.Open("sqlite", uri)
	if err != nil {
		return nil, fmt.Errorf("%w: sqlite %s: %v", ErrUnreachable, path, err)
	}
	// One writer at a time is SQLite's rule; a few connections let readers
	// proceed in WAL mode while it writes.
	sqldb.SetMaxOpenConns(8)
	sqldb.SetMaxIdleConns(8)
	db := &DB{sql: sqldb, engine: SQLite, where: path}
	// Switching to WAL is the first statement to touch the file, so a file
	// that is not a SQLite database fails here, not at the first query.
	mode, err := switchToWAL(ctx, sqldb)
	if err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("%w: sqlite %s: %v", ErrUnreachable, path, err)
	}
	if mode != "wal" {
		sqldb.Close()
		return nil, fmt.Errorf("%w: sqlite %s: journal mode is %q, want wal (is the file on a network file system?)", ErrUnreachable, path, mode)
	}
	return db, nil
}

// switchToWAL puts the database file in WAL mode and returns the mode SQLite
// reports. Leaving rollback mode needs an exclusive lock, and SQLite answers
// SQLITE_BUSY at once, without consulting the busy timeout, when another
// process opens the same new file at that moment; so the switch is retried
// with a short backoff for up to walSwitchTimeout. Once the file is in WAL
// mode the statement takes no lock and returns at once.
func switchToWAL(ctx context.Context, sqldb *sql.DB) (string, error) {
	deadline := time.Now().Add(walSwitchTimeout)
	wait := 5 * time.Millisecond
	for {
		var mode string
		err := sqldb.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode)
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return mode, err
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 100*time.Millisecond)
	}
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's parse errors redact the password.
		return nil, fmt.Errorf("%w: postgres: %v", ErrBadDSN, err)
	}
	where := fmt.Sprintf("%s:%d/%s", cfg.Host, cfg.Port, cfg.Database)
	sqldb := stdlib.OpenDB(*cfg)
	sqldb.SetMaxOpenConns(20)
	sqldb.SetMaxIdleConns(20)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sqldb.PingContext(pingCtx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("%w: postgres %s: %v", ErrUnreachable, where, err)
	}
	return &DB{sql: sqldb, engine: PostgreSQL, where: where}, nil
}

// SetSecretKey gives db the server's secret key, of at least
// [MinSecretKeySize] (32) bytes. Webhook signing secrets are sealed with
// AES-256-GCM under a key derived from it (HKDF-SHA256), so that the
// database alone does not give them away; see the package documentation.
//
// Call it once at start-up, after [Open] and before the first webhook
// subscription is written or read. Every server sharing a database must be
// given the same key: a secret sealed under one key does not open under
// another, and reading its subscription fails with [ErrSecretNotOpened].
// A shorter key is refused and leaves db as it was. db keeps its own copy
// of nothing but the derived key.
func (db *DB) SetSecretKey(key []byte) error {
	s, err := newSealer(key)
	if err != nil {
		return err
	}
	db.sealer.Store(s)
	return nil
}

// Engine reports which SQL engine the database runs on.
func (db *DB) Engine() Engine { return db.engine }

// String names the database for logs: the SQLite file, or
// postgres host:port/database. It never includes a password.
func (db *DB) String() string { return string(db.engine) + " " + db.where }

// SQL returns the underlying connection pool, for reports and tools that need
// plain SQL. Writes through it bypass the domain rules; prefer the domain
// packages.
func (db *DB) SQL() *sql.DB { return db.sql }

// Ping checks that the database still answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.sql.PingContext(ctx); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrUnreachable, db, err)
	}
	return nil
}

// Close closes the connection pool. Calls in flight finish first.
func (db *DB) Close() error { return db.sql.Close() }
