package store_test

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
	"github.com/vetlink/vetlink/webhook"
)

// Secrets in the Standard Webhooks text form: the specification's example
// HMAC secret, and an Ed25519 seed of 32 bytes 0x01..0x20.
const (
	sealHMACSecret  = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	sealSigningKey  = "whsk_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="
	sealHMACBody    = "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	sealSigningBody = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="
)

func sealSub(url string, secrets ...webhook.Secret) webhook.Subscription {
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	return webhook.Subscription{ID: uuid.New(), URL: url, Events: []webhook.EventType{"case.created"},
		Format: webhook.FormatJSON, Secrets: secrets, Active: true, CreatedAt: at, UpdatedAt: at}
}

// secretsColumn reads webhook_subscriptions.secrets as stored, past the store.
func secretsColumn(t *testing.T, db *store.DB, id uuid.UUID) string {
	t.Helper()
	var col string
	require.NoError(t, db.SQL().QueryRowContext(context.Background(),
		`SELECT secrets FROM webhook_subscriptions WHERE id = $1`, id.String()).Scan(&col))
	return col
}

// requireSealed checks that the column holds want sealed secrets and none
// of the secret text, whole or its base64 body alone.
func requireSealed(t *testing.T, col string, want int) {
	t.Helper()
	for _, s := range []string{sealHMACSecret, sealSigningKey, sealHMACBody, sealSigningBody, "whsec_", "whsk_"} {
		require.NotContains(t, col, s)
	}
	var js []struct {
		Key string `json:"key"`
	}
	require.NoError(t, json.Unmarshal([]byte(col), &js))
	require.Len(t, js, want)
	for _, j := range js {
		require.True(t, strings.HasPrefix(j.Key, "sealed:v1:"), "stored key %q", j.Key)
	}
}

func TestWebhookSecretsSealed(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := db.Webhooks()
		expires := time.Date(2036, 4, 1, 0, 0, 0, 0, time.UTC)
		sub := sealSub("https://lab.example/hook",
			webhook.Secret{Key: sealHMACSecret, ExpiresAt: expires}, webhook.Secret{Key: sealSigningKey})

		require.NoError(t, w.CreateSubscription(ctx, sub))
		requireSealed(t, secretsColumn(t, db, sub.ID), 2)
		got, err := w.Subscription(ctx, sub.ID)
		require.NoError(t, err)
		require.Equal(t, []webhook.Secret{{Key: sealHMACSecret, ExpiresAt: expires}, {Key: sealSigningKey}}, got.Secrets)

		// Each sealing draws a fresh nonce: the same secrets written again
		// are stored differently.
		before := secretsColumn(t, db, sub.ID)
		sub.Name = "lab"
		require.NoError(t, w.UpdateSubscription(ctx, sub))
		after := secretsColumn(t, db, sub.ID)
		requireSealed(t, after, 2)
		require.NotEqual(t, before, after)

		svc := &webhook.Service{Store: w}
		rotated, err := svc.RotateSecret(ctx, sub.ID, time.Hour)
		require.NoError(t, err)
		require.Len(t, rotated.Secrets, 3)
		requireSealed(t, secretsColumn(t, db, sub.ID), 3)
		require.NotContains(t, secretsColumn(t, db, sub.ID), strings.TrimPrefix(rotated.Secrets[2].Key, "whsec_"))

		// Every read path opens them: one, the list, and the dispatcher's claim.
		got, err = w.Subscription(ctx, sub.ID)
		require.NoError(t, err)
		require.Equal(t, rotated.Secrets, got.Secrets)
		list, err := w.Subscriptions(ctx, webhook.SubscriptionQuery{})
		require.NoError(t, err)
		require.Len(t, list, 1)
		require.Equal(t, rotated.Secrets, list[0].Secrets)
		_, err = svc.Publish(ctx, webhook.Event{Type: "case.created", ResourceID: "7"})
		require.NoError(t, err)
		now := time.Now()
		jobs, err := w.Claim(ctx, webhook.ClaimRequest{Owner: "t", Lease: "l1", Now: now.Add(time.Minute),
			Until: now.Add(time.Hour), Limit: 10, PerSubscription: 10})
		require.NoError(t, err)
		require.Len(t, jobs, 1)
		require.Equal(t, rotated.Secrets, jobs[0].Subscription.Secrets)
	})
}

// The stored form is the documented one: "sealed:v1:" + base64url(nonce ||
// AES-256-GCM ciphertext), under HKDF-SHA256(key, info "vetlink webhook
// secrets v1"), with the subscription ID as additional data. This test
// opens it without the store's code.
func TestWebhookSecretsSealedFormat(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sub := sealSub("https://lab.example/hook", webhook.Secret{Key: sealHMACSecret})
		require.NoError(t, db.Webhooks().CreateSubscription(ctx, sub))
		var js []struct {
			Key string `json:"key"`
		}
		require.NoError(t, json.Unmarshal([]byte(secretsColumn(t, db, sub.ID)), &js))
		raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(js[0].Key, "sealed:v1:"))
		require.NoError(t, err)
		require.Len(t, raw, 12+len(sealHMACSecret)+16) // nonce, ciphertext, tag

		derived, err := hkdf.Key(sha256.New, storetest.SecretKey(), nil, "vetlink webhook secrets v1", 32)
		require.NoError(t, err)
		block, err := aes.NewCipher(derived)
		require.NoError(t, err)
		gcm, err := cipher.NewGCM(block)
		require.NoError(t, err)
		plain, err := gcm.Open(nil, raw[:12], raw[12:], []byte(sub.ID.String()))
		require.NoError(t, err)
		require.Equal(t, sealHMACSecret, string(plain))
	})
}

func TestWebhookSecretsOtherKey(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := db.Webhooks()
		sub := sealSub("https://lab.example/hook", webhook.Secret{Key: sealHMACSecret})
		require.NoError(t, w.CreateSubscription(ctx, sub))

		// A server started with another key.
		require.NoError(t, db.SetSecretKey([]byte("another server's secret key, 32+ bytes long")))
		_, err := w.Subscription(ctx, sub.ID)
		require.ErrorIs(t, err, store.ErrSecretNotOpened)
		require.Contains(t, err.Error(), "webhook subscription "+sub.ID.String()+", secret 1: sealed under another secret key, for another subscription, or altered")
		require.NotContains(t, err.Error(), sealHMACBody)
		_, err = w.Subscriptions(ctx, webhook.SubscriptionQuery{})
		require.ErrorIs(t, err, store.ErrSecretNotOpened)

		// Back to the right key: nothing was lost.
		require.NoError(t, db.SetSecretKey(storetest.SecretKey()))
		got, err := w.Subscription(ctx, sub.ID)
		require.NoError(t, err)
		require.Equal(t, sealHMACSecret, got.Secrets[0].Key)
	})
}

// A sealed secret copied into another subscription's row does not open
// there: the subscription ID is authenticated with it. Nor does an altered
// one, nor one of an unknown version.
func TestWebhookSecretsBoundToSubscription(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := db.Webhooks()
		a := sealSub("https://a.example/hook", webhook.Secret{Key: sealHMACSecret})
		b := sealSub("https://b.example/hook", webhook.Secret{Key: sealSigningKey})
		require.NoError(t, w.CreateSubscription(ctx, a))
		require.NoError(t, w.CreateSubscription(ctx, b))

		setColumn := func(id uuid.UUID, col string) {
			t.Helper()
			_, err := db.SQL().ExecContext(ctx, `UPDATE webhook_subscriptions SET secrets = $1 WHERE id = $2`, col, id.String())
			require.NoError(t, err)
		}
		aCol := secretsColumn(t, db, a.ID)
		setColumn(b.ID, aCol)
		_, err := w.Subscription(ctx, b.ID)
		require.ErrorIs(t, err, store.ErrSecretNotOpened)
		require.Contains(t, err.Error(), b.ID.String())
		got, err := w.Subscription(ctx, a.ID)
		require.NoError(t, err)
		require.Equal(t, sealHMACSecret, got.Secrets[0].Key)

		// One character of the ciphertext changed.
		i := strings.Index(aCol, "sealed:v1:") + len("sealed:v1:") + 20
		flipped := byte('A')
		if aCol[i] == 'A' {
			flipped = 'B'
		}
		setColumn(a.ID, aCol[:i]+string(flipped)+aCol[i+1:])
		_, err = w.Subscription(ctx, a.ID)
		require.ErrorIs(t, err, store.ErrSecretNotOpened)

		setColumn(a.ID, strings.Replace(aCol, "sealed:v1:", "sealed:v9:", 1))
		_, err = w.Subscription(ctx, a.ID)
		require.ErrorContains(t, err, "webhook subscription "+a.ID.String()+", secret 1: sealed with unknown version \"v9\"")
	})
}

// Without a key the store refuses to write secrets and writes nothing, and
// still reads rows whose secrets are not sealed.
func TestWebhookSecretsNoKey(t *testing.T) {
	require.EqualError(t, store.ErrNoSecretKey, "store: no secret key set: webhook secrets are sealed; call DB.SetSecretKey")
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dsn := openDSN(t, engine)
			db, err := store.Open(ctx, dsn)
			require.NoError(t, err)
			defer db.Close()
			w := db.Webhooks()

			sub := sealSub("https://lab.example/hook", webhook.Secret{Key: sealHMACSecret})
			err = w.CreateSubscription(ctx, sub)
			require.ErrorIs(t, err, store.ErrNoSecretKey)
			require.NotContains(t, err.Error(), sealHMACBody)
			for _, table := range []string{"webhook_subscriptions", "webhook_subscription_events"} {
				var n int
				require.NoError(t, db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM `+table).Scan(&n))
				require.Zero(t, n, table)
			}

			insertLegacy(t, db, sub)
			got, err := w.Subscription(ctx, sub.ID)
			require.NoError(t, err)
			require.Equal(t, sealHMACSecret, got.Secrets[0].Key)
			got.Name = "renamed"
			require.ErrorIs(t, w.UpdateSubscription(ctx, got), store.ErrNoSecretKey)
			require.JSONEq(t, legacyColumn, secretsColumn(t, db, sub.ID)) // PostgreSQL's jsonb respaces it

			// A sealed row does not open without the key, and says why.
			keyed, err := store.Open(ctx, dsn)
			require.NoError(t, err)
			defer keyed.Close()
			require.NoError(t, keyed.SetSecretKey(storetest.SecretKey()))
			require.NoError(t, keyed.Webhooks().UpdateSubscription(ctx, got))
			_, err = w.Subscription(ctx, sub.ID)
			require.ErrorIs(t, err, store.ErrNoSecretKey)
			require.ErrorContains(t, err, sub.ID.String())
		})
	}
}

// legacyColumn is a secrets column as written before secrets were sealed.
const legacyColumn = `[{"key":"` + sealHMACSecret + `","expires_at":1775001600000000},{"key":"` + sealSigningKey + `"}]`

func insertLegacy(t *testing.T, db *store.DB, sub webhook.Subscription) {
	t.Helper()
	ctx := context.Background()
	_, err := db.SQL().ExecContext(ctx, `INSERT INTO webhook_subscriptions (id, url, format, secrets, active, created_at, updated_at)
		VALUES ($1, $2, 'json', $3, TRUE, 0, 0)`, sub.ID.String(), sub.URL, legacyColumn)
	require.NoError(t, err)
	_, err = db.SQL().ExecContext(ctx, `INSERT INTO webhook_subscription_events (subscription_id, event_type) VALUES ($1, 'case.created')`, sub.ID.String())
	require.NoError(t, err)
}

// Rows written before secrets were sealed are read as they are, and sealed
// by their next write.
func TestWebhookSecretsLegacyRows(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := db.Webhooks()
		sub := sealSub("https://lab.example/hook")
		insertLegacy(t, db, sub)
		want := []webhook.Secret{
			{Key: sealHMACSecret, ExpiresAt: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)},
			{Key: sealSigningKey},
		}
		got, err := w.Subscription(ctx, sub.ID)
		require.NoError(t, err)
		require.Equal(t, want, got.Secrets)

		got.Name = "renamed"
		require.NoError(t, w.UpdateSubscription(ctx, got))
		requireSealed(t, secretsColumn(t, db, sub.ID), 2)
		got, err = w.Subscription(ctx, sub.ID)
		require.NoError(t, err)
		require.Equal(t, want, got.Secrets)
		require.Equal(t, "renamed", got.Name)
	})
}

func TestSetSecretKeyTooShort(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	sub := sealSub("https://lab.example/hook", webhook.Secret{Key: sealHMACSecret})
	require.NoError(t, db.Webhooks().CreateSubscription(ctx, sub))
	for _, tt := range []struct {
		key  []byte
		want string
	}{
		{nil, "store: secret key of 0 bytes: must be at least 32 bytes"},
		{make([]byte, 16), "store: secret key of 16 bytes: must be at least 32 bytes"},
		{make([]byte, 31), "store: secret key of 31 bytes: must be at least 32 bytes"},
	} {
		require.EqualError(t, db.SetSecretKey(tt.key), tt.want)
	}
	require.Equal(t, 32, store.MinSecretKeySize)
	// A refused key leaves the one set before in place.
	got, err := db.Webhooks().Subscription(ctx, sub.ID)
	require.NoError(t, err)
	require.Equal(t, sealHMACSecret, got.Secrets[0].Key)
	require.NoError(t, db.SetSecretKey(make([]byte, 32)))
}
