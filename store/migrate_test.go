package store_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
)

// testMigrations builds a migration set of versions 1..n for both engines.
// Version 2 is slow to apply on purpose (it fills a table), so concurrent
// migrators overlap.
func testMigrations(n int) fstest.MapFS {
	scripts := map[int]string{
		1: `CREATE TABLE farms (id TEXT PRIMARY KEY, name TEXT NOT NULL);`,
		2: `CREATE TABLE animals (id TEXT PRIMARY KEY, farm_id TEXT NOT NULL REFERENCES farms (id));
		    CREATE INDEX animals_farm ON animals (farm_id);
		    INSERT INTO farms (id, name) VALUES ('f1', 'Hillside');`,
		3: `ALTER TABLE animals ADD COLUMN born_at BIGINT;`,
		4: `CREATE TABLE withholds (animal_id TEXT NOT NULL REFERENCES animals (id), until_at BIGINT NOT NULL);`,
	}
	fsys := fstest.MapFS{}
	for v := 1; v <= n; v++ {
		for _, engine := range []string{"sqlite", "postgres"} {
			fsys[fmt.Sprintf("migrations/%s/%04d_v%d.sql", engine, v, v)] = &fstest.MapFile{Data: []byte(scripts[v])}
		}
	}
	return fsys
}

func openDSN(t *testing.T, engine store.Engine) string {
	if engine == store.SQLite {
		return storetest.SQLitePath(t)
	}
	return storetest.PostgresDSN(t)
}

func TestMigrate(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()

			t.Run("TwiceIsIdempotent", func(t *testing.T) {
				t.Parallel()
				db, err := store.OpenUnmigrated(ctx, openDSN(t, engine))
				require.NoError(t, err)
				defer db.Close()
				require.NoError(t, db.MigrateFS(ctx, testMigrations(3)))
				require.NoError(t, db.MigrateFS(ctx, testMigrations(3)))
				vs, err := db.AppliedVersions(ctx)
				require.NoError(t, err)
				require.Equal(t, []int{1, 2, 3}, vs)
				var farms int
				require.NoError(t, db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM farms`).Scan(&farms))
				require.Equal(t, 1, farms, "a data migration runs once")
			})

			t.Run("AppliesOnlyWhatIsNew", func(t *testing.T) {
				t.Parallel()
				db, err := store.OpenUnmigrated(ctx, openDSN(t, engine))
				require.NoError(t, err)
				defer db.Close()
				require.NoError(t, db.MigrateFS(ctx, testMigrations(2)))
				require.NoError(t, db.MigrateFS(ctx, testMigrations(4)))
				vs, err := db.AppliedVersions(ctx)
				require.NoError(t, err)
				require.Equal(t, []int{1, 2, 3, 4}, vs)
			})

			t.Run("FailedScriptChangesNothing", func(t *testing.T) {
				t.Parallel()
				db, err := store.OpenUnmigrated(ctx, openDSN(t, engine))
				require.NoError(t, err)
				defer db.Close()
				require.NoError(t, db.MigrateFS(ctx, testMigrations(1)))
				bad := testMigrations(3)
				bad[fmt.Sprintf("migrations/%s/0003_v3.sql", engine)] = &fstest.MapFile{Data: []byte(`ALTER TABLE no_such_table ADD COLUMN x INTEGER;`)}
				err = db.MigrateFS(ctx, bad)
				require.ErrorContains(t, err, "apply 0003_v3.sql")
				vs, err := db.AppliedVersions(ctx)
				require.NoError(t, err)
				require.Equal(t, []int{1}, vs, "version 2 was applied in the same transaction and must be rolled back")
				_, err = db.SQL().ExecContext(ctx, `SELECT count(*) FROM animals`)
				require.Error(t, err, "table animals of version 2 must not exist")
			})

			t.Run("SchemaNewerThanBuildIsRefused", func(t *testing.T) {
				t.Parallel()
				db, err := store.OpenUnmigrated(ctx, openDSN(t, engine))
				require.NoError(t, err)
				defer db.Close()
				require.NoError(t, db.MigrateFS(ctx, testMigrations(4)))
				err = db.MigrateFS(ctx, testMigrations(3))
				require.ErrorIs(t, err, store.ErrSchemaTooNew)
				require.ErrorContains(t, err, "[4]")
				require.ErrorContains(t, err, "knows up to 3")
			})

			t.Run("ConcurrentMigratorsAgree", func(t *testing.T) {
				t.Parallel()
				dsn := openDSN(t, engine)
				const migrators = 4
				var wg sync.WaitGroup
				errs := make([]error, migrators)
				for i := range migrators {
					wg.Go(func() {
						db, err := store.OpenUnmigrated(ctx, dsn)
						if err != nil {
							errs[i] = err
							return
						}
						defer db.Close()
						errs[i] = db.MigrateFS(ctx, testMigrations(4))
					})
				}
				wg.Wait()
				for i, err := range errs {
					require.NoError(t, err, "migrator %d", i)
				}
				checkSchema(t, dsn)
			})

			t.Run("ConcurrentProcessesAgree", func(t *testing.T) {
				t.Parallel()
				dsn := openDSN(t, engine)
				var wg sync.WaitGroup
				outs := make([][]byte, 2)
				errs := make([]error, 2)
				for i := range 2 {
					wg.Go(func() {
						cmd := exec.Command(os.Args[0], "-test.run=^TestMigrateHelperProcess$", "-test.count=1")
						cmd.Env = append(os.Environ(), "VETLINK_MIGRATE_HELPER_DSN="+dsn)
						outs[i], errs[i] = cmd.CombinedOutput()
					})
				}
				wg.Wait()
				for i := range 2 {
					require.NoError(t, errs[i], "process %d:\n%s", i, outs[i])
					require.Contains(t, string(outs[i]), "migrated", "process %d ran the helper:\n%s", i, outs[i])
				}
				checkSchema(t, dsn)
			})
		})
	}
}

// checkSchema checks that dsn holds exactly versions 1-4, each applied once,
// and the one row migration 2 inserts.
func checkSchema(t *testing.T, dsn string) {
	t.Helper()
	ctx := context.Background()
	db, err := store.OpenUnmigrated(ctx, dsn)
	require.NoError(t, err)
	defer db.Close()
	vs, err := db.AppliedVersions(ctx)
	require.NoError(t, err)
	require.Equal(t, []int{1, 2, 3, 4}, vs)
	var farms int
	require.NoError(t, db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM farms`).Scan(&farms))
	require.Equal(t, 1, farms)
	_, err = db.SQL().ExecContext(ctx, `INSERT INTO animals (id, farm_id, born_at) VALUES ('a1', 'f1', 0)`)
	require.NoError(t, err)
}

// TestMigrateHelperProcess is not a test: ConcurrentProcessesAgree runs the
// test binary twice with this test selected, as two separate processes
// migrating one database.
func TestMigrateHelperProcess(t *testing.T) {
	dsn := os.Getenv("VETLINK_MIGRATE_HELPER_DSN")
	if dsn == "" {
		t.Skip("helper process for ConcurrentProcessesAgree")
	}
	ctx := context.Background()
	db, err := store.OpenUnmigrated(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.MigrateFS(ctx, testMigrations(4)); err != nil {
		t.Fatal(err)
	}
	fmt.Println("migrated")
}

func TestEmbeddedMigrations(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		applied, known, err := db.SchemaVersion(ctx)
		require.NoError(t, err)
		require.Equal(t, known, applied, "Open migrates to the build's schema")
		require.NoError(t, db.Migrate(ctx), "migrating again is harmless")
		again, _, err := db.SchemaVersion(ctx)
		require.NoError(t, err)
		require.Equal(t, applied, again)
	})
}
