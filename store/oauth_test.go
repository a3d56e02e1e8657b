package store_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/vetlink/vetlink/oauth/storage"
	"github.com/vetlink/vetlink/oauth/storage/storagetest"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
)

func TestOAuthStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		storagetest.TestStore(t, func(t *testing.T) storage.Store {
			return storetest.Open(t, db.Engine()).OAuth()
		})
	})
}

// TestOAuthSigningKeySealed checks that a signing key's private half is
// not in the database in the clear, and does not open under another
// secret key.
func TestOAuthSigningKeySealed(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		der := []byte("a PKCS8 private key, as bytes")
		k := storage.SigningKey{ID: "3f2c1b0a-9e8d-4c7b-a6f5-e4d3c2b1a098", Algorithm: "RS256", PrivateKey: der}
		if err := db.OAuth().CreateSigningKey(ctx, &k); err != nil {
			t.Fatal(err)
		}
		var stored string
		if err := db.SQL().QueryRowContext(ctx, `SELECT private_key FROM oauth_signing_keys`).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains([]byte(stored), der) || stored[:10] != "sealed:v1:" {
			t.Errorf("stored key %q: want sealed text without the key", stored)
		}
		if err := db.SetSecretKey(bytes.Repeat([]byte("k"), 32)); err != nil {
			t.Fatal(err)
		}
		if _, err := db.OAuth().SigningKeys(ctx); !errors.Is(err, store.ErrSecretNotOpened) {
			t.Errorf("SigningKeys under another secret key: %v, want ErrSecretNotOpened", err)
		}
	})
}
