// Package store is vetlink's one durable implementation of the Store
// interfaces that the domain packages (rx, webhook, vetview, hl7 jobs) declare.
//
// Each domain gets its store from the one *DB:
//
//	db.Rx()       rx.Store: users, relations, prescriptions, cases, tasks, withholds
//	db.Library()  rx.LibraryStore: protocols, shares, tags, diagnoses, label claims, Green Book
//	db.Auth()     auth.Store: password hashes, session generations, API key hashes
//	db.Site()     site.Store: addresses, profiles, visits, messages, help, client log
//	db.Webhooks() webhook.Store: subscriptions (secrets sealed, see DB.SetSecretKey), outbox, log
//	db.Vetview()  vetview.Store: servers, jobs, runs
//	db.HL7()      the HL7 jobs' inbound messages and NAHLN reports
//
// It speaks two SQL engines through database/sql:
//
//   - SQLite, the embedded default, through the pure-Go driver
//     modernc.org/sqlite (no cgo). A database is one file in WAL mode with a
//     busy timeout and foreign keys on. Suited to one server process.
//   - PostgreSQL, through jackc/pgx v5, when several servers share one
//     database (claims use row locks with SKIP LOCKED there).
//
// [Open] picks the engine from the DSN and applies the embedded, versioned
// schema migrations before it returns, so a *DB is always at the schema this
// build expects. Migrations are serialised across processes (an advisory
// lock on PostgreSQL, the write lock on SQLite), so several servers may start
// at once against one database.
//
// # Transactions
//
// [DB.InTx] runs a function in one transaction carried by its context. Every
// store method called with that context joins the transaction, so a domain
// write and the webhook outbox row that announces it commit or roll back
// together, although the domain packages know nothing of SQL:
//
//	err := db.InTx(ctx, func(ctx context.Context) error {
//		if err := cases.Save(ctx, c); err != nil { // rx, through the store
//			return err
//		}
//		return outbox.Publish(ctx, event) // webhook, through the store
//	})
//
// A nested InTx runs in a savepoint: it is atomic on its own and rolls back
// alone if it fails.
//
// # Time
//
// Instants are stored as BIGINT microseconds since the Unix epoch, UTC, on
// both engines: one encoding, exact comparison and ordering, and the same SQL
// text for both engines.
package store
