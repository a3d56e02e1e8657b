package webhook_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/webhook"
)

const (
	specSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	specID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	specBody   = `{"test": 2432232314}`
)

var bodies = map[string]string{
	"spec":    specBody,
	"empty":   "",
	"unicode": `{"patient":"Bossie34 🐄","note":"zuchtkuh — ÄÖÜ"}`,
	"form":    "consultation_id=123",
	"2KB":     strings.Repeat("x", 2048),
}

// Our signatures verify with the reference library.
func TestOursVerifiedByStandardWebhooks(t *testing.T) {
	key, err := webhook.ParseKey(specSecret)
	require.NoError(t, err)
	signer, err := webhook.NewSigner(key)
	require.NoError(t, err)
	theirs, err := standardwebhooks.NewWebhook(specSecret)
	require.NoError(t, err)
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			h := http.Header{}
			signer.SignHeader(h, specID, time.Now(), []byte(body))
			require.NoError(t, theirs.Verify([]byte(body), h))
			require.Error(t, theirs.Verify([]byte(body+"!"), h))
		})
	}
}

// The reference library's signatures verify with ours.
func TestStandardWebhooksVerifiedByOurs(t *testing.T) {
	key, err := webhook.ParseKey(specSecret)
	require.NoError(t, err)
	v := &webhook.Verifier{Keys: []webhook.Key{key}}
	theirs, err := standardwebhooks.NewWebhook(specSecret)
	require.NoError(t, err)
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			now := time.Now()
			sig, err := theirs.Sign(specID, now, []byte(body))
			require.NoError(t, err)
			h := http.Header{}
			h.Set("webhook-id", specID)
			h.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
			h.Set("webhook-signature", sig)
			require.NoError(t, v.Verify(h, []byte(body)))
			require.ErrorIs(t, v.Verify(h, []byte(body+"!")), webhook.ErrNoMatchingSignature)
		})
	}
}

// Both produce the specification's example signature.
func TestSpecVectorBothLibraries(t *testing.T) {
	const want = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
	theirs, err := standardwebhooks.NewWebhook(specSecret)
	require.NoError(t, err)
	got, err := theirs.Sign(specID, time.Unix(1614265330, 0), []byte(specBody))
	require.NoError(t, err)
	require.Equal(t, want, got)

	key, err := webhook.ParseKey(specSecret)
	require.NoError(t, err)
	signer, err := webhook.NewSigner(key)
	require.NoError(t, err)
	require.Equal(t, want, signer.Sign(specID, time.Unix(1614265330, 0), []byte(specBody)))
}
