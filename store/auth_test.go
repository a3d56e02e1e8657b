package store_test

import (
	"context"
	"testing"

	"github.com/vetlink/vetlink/auth"
	"github.com/vetlink/vetlink/auth/authtest"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
)

func TestAuthStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		authtest.TestStore(t, func(t *testing.T) (auth.Store, rx.Store) {
			// Each subtest gets its own database: unames are unique.
			db := storetest.Open(t, db.Engine())
			return db.Auth(), db.Rx()
		})
	})
}

// TestAuthKeysStoredHashed checks the promise auth makes about API keys:
// the database never holds a key in the clear.
func TestAuthKeysStoredHashed(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := &auth.Service{Store: db.Auth(), Key: make([]byte, 32)}
		key, rec, err := svc.CreateAPIKey(ctx, "lab")
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM auth_api_keys WHERE key_hash = $1 AND name = 'lab'`,
			auth.HashAPIKey(key)).Scan(&n); err != nil || n != 1 {
			t.Fatalf("rows with the key's hash: %d, %v", n, err)
		}
		if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM auth_api_keys WHERE key_hash = $1 OR name = $1`,
			key).Scan(&n); err != nil || n != 0 {
			t.Errorf("rows holding the key in the clear: %d, %v", n, err)
		}
		if rec.Hash != auth.HashAPIKey(key) {
			t.Errorf("record hash %s, want the key's SHA-256", rec.Hash)
		}
	})
}
