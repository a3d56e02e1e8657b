package webhook_test

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
	"github.com/vetlink/vetlink/webhook"
)

// secretOf returns a "whsec_" secret of n bytes, 0x01, 0x02, ….
func secretOf(n int) string {
	raw := make([]byte, n)
	for i := range raw {
		raw[i] = byte(i + 1)
	}
	return webhook.SecretPrefix + base64.StdEncoding.EncodeToString(raw)
}

// New secrets need 24 bytes (the specification's recommendation) and may be
// given without their prefix; a shorter secret already stored keeps
// signing.
func TestServiceNewSecrets(t *testing.T) {
	signing, _ := webhook.NewSigningKey()
	tests := []struct {
		name    string
		key     string
		stored  string // the key as stored; "" when refused
		wantErr string
	}{
		{"24 bytes", secretOf(24), secretOf(24), ""},
		{"64 bytes", secretOf(64), secretOf(64), ""},
		{"without prefix", strings.TrimPrefix(secretOf(32), webhook.SecretPrefix), secretOf(32), ""},
		{"Ed25519 signing key", signing, signing, ""},
		{"16 bytes", secretOf(16), "", "webhook: subscription secrets[0]: a new secret of 16 bytes is too short: at least 24, as the Standard Webhooks specification recommends"},
		{"23 bytes without prefix", strings.TrimPrefix(secretOf(23), webhook.SecretPrefix), "", "webhook: subscription secrets[0]: a new secret of 23 bytes is too short: at least 24, as the Standard Webhooks specification recommends"},
		{"65 bytes", secretOf(65), "", "webhook: subscription secrets[0]: webhook: whsec_ key: 65 bytes, must be between 16 and 64"},
	}
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := &webhook.Service{Store: db.Webhooks()}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				given := []webhook.Secret{{Key: tt.key}}
				sub, err := svc.CreateSubscription(ctx, webhook.Subscription{URL: "https://receiver.example/", Events: []webhook.EventType{"case.created"},
					Secrets: given, Active: true})
				if tt.wantErr != "" {
					require.EqualError(t, err, tt.wantErr)
				} else {
					require.NoError(t, err)
					got, err := svc.Subscription(ctx, sub.ID)
					require.NoError(t, err)
					require.Equal(t, []webhook.Secret{{Key: tt.stored}}, got.Secrets)
				}
				require.Equal(t, tt.key, given[0].Key, "the caller's slice is not changed")

				// Added to an existing subscription by an update.
				sub, err = svc.CreateSubscription(ctx, webhook.Subscription{URL: "https://receiver.example/", Events: []webhook.EventType{"case.created"}, Active: true})
				require.NoError(t, err)
				sub.Secrets = append(sub.Secrets, webhook.Secret{Key: tt.key})
				_, err = svc.UpdateSubscription(ctx, sub)
				if tt.wantErr != "" {
					require.EqualError(t, err, strings.Replace(tt.wantErr, "secrets[0]", "secrets[1]", 1))
					return
				}
				require.NoError(t, err)
				got, err := svc.Subscription(ctx, sub.ID)
				require.NoError(t, err)
				require.Equal(t, tt.stored, got.Secrets[1].Key)
			})
		}

		t.Run("stored short secret keeps working", func(t *testing.T) {
			// Written before the rule, straight through the store.
			old := webhook.Subscription{ID: uuid.New(), URL: "https://receiver.example/", Events: []webhook.EventType{"case.created"},
				Format: webhook.FormatJSON, Secrets: []webhook.Secret{{Key: secretOf(16)}}, Active: true,
				CreatedAt: time.Now().UTC().Truncate(time.Microsecond), UpdatedAt: time.Now().UTC().Truncate(time.Microsecond)}
			require.NoError(t, db.Webhooks().CreateSubscription(ctx, old))
			old.Name = "renamed"
			_, err := svc.UpdateSubscription(ctx, old)
			require.NoError(t, err, "an update that keeps the secret")
			rotated, err := svc.RotateSecret(ctx, old.ID, time.Hour)
			require.NoError(t, err, "a rotation keeps the old secret until it expires")
			require.Len(t, rotated.Secrets, 2)
			require.Equal(t, secretOf(16), rotated.Secrets[0].Key)
			k, err := webhook.ParseKey(rotated.Secrets[1].Key)
			require.NoError(t, err)
			require.Equal(t, 32, k.SecretSize())
		})
	})
}
