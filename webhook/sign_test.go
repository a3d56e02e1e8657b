package webhook_test

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/webhook"
)

// The example of the Standard Webhooks specification (spec/standard-webhooks.md,
// "Signature scheme"), used by every library of the project as its test vector.
const (
	specSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	specID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	specTimestamp = 1614265330
	specBody      = `{"test": 2432232314}`
	specSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func mustKey(t testing.TB, s string) webhook.Key {
	t.Helper()
	k, err := webhook.ParseKey(s)
	require.NoError(t, err)
	return k
}

func TestSignSpecVector(t *testing.T) {
	s, err := webhook.NewSigner(mustKey(t, specSecret))
	require.NoError(t, err)
	got := s.Sign(specID, time.Unix(specTimestamp, 0), []byte(specBody))
	require.Equal(t, specSignature, got)

	h := http.Header{}
	s.SignHeader(h, specID, time.Unix(specTimestamp, 0), []byte(specBody))
	require.Equal(t, specID, h.Get("webhook-id"))
	require.Equal(t, "1614265330", h.Get("webhook-timestamp"))
	require.Equal(t, specSignature, h.Get("webhook-signature"))
}

func TestSignEd25519(t *testing.T) {
	// A fixed seed of 32 bytes 0x01..0x20, so the signature is fixed too
	// (Ed25519 signatures are deterministic, RFC 8032 section 5.1.6).
	const priv = "whsk_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="
	k := mustKey(t, priv)
	require.Equal(t, webhook.SchemeEd25519, k.Scheme())
	require.Equal(t, "whpk_ebVWLo/mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ=", k.Public().String())
	s, err := webhook.NewSigner(k)
	require.NoError(t, err)
	sig := s.Sign(specID, time.Unix(specTimestamp, 0), []byte(specBody))
	// Computed independently with Python's cryptography package.
	require.Equal(t, "v1a,OVJuLC0iOuaBuQulpz9A/zDgvqV8z8miLUJk2j15ZMONwDNhOvPJ3rO4owAHFyjFq80+pUUjrNfTHAZs1RQnDw==", sig)

	v := webhook.Verifier{Keys: []webhook.Key{k.Public()}, Now: func() time.Time { return time.Unix(specTimestamp, 0) }}
	require.NoError(t, v.VerifyMessage(specID, "1614265330", sig, []byte(specBody)))
	require.ErrorIs(t, v.VerifyMessage(specID, "1614265330", sig, []byte(specBody+" ")), webhook.ErrNoMatchingSignature)
}

func TestNewSignerRefusesPublicKey(t *testing.T) {
	_, pub := webhook.NewSigningKey()
	_, err := webhook.NewSigner(mustKey(t, pub))
	require.ErrorIs(t, err, webhook.ErrNoSigningKey)
	_, err = webhook.NewSigner()
	require.ErrorIs(t, err, webhook.ErrNoSigningKey)
}

func TestSignSeveralKeysForRotation(t *testing.T) {
	old := mustKey(t, specSecret).WithExpiry(time.Unix(specTimestamp+60, 0))
	next := mustKey(t, "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	s, err := webhook.NewSigner(old, next)
	require.NoError(t, err)

	before := s.Sign(specID, time.Unix(specTimestamp, 0), []byte(specBody))
	require.Equal(t, specSignature+" v1,"+"O4Gjv1HqPqsMrjmczoggs/sWA8gZD0VyHG+fLh4+ktI=", before)
	// After the old secret's expiry only the new one signs.
	after := s.Sign(specID, time.Unix(specTimestamp+60, 0), []byte(specBody))
	require.NotContains(t, after, " ")
	require.True(t, strings.HasPrefix(after, "v1,"))
}

func TestParseKeyErrors(t *testing.T) {
	tests := []struct {
		key, want string
	}{
		{"not a key!", "webhook: key: want a whsec_, whsk_ or whpk_ prefix, or the standard base64 of a secret"},
		{"AAAAAAAAAAAAAAAAAAAA", "webhook: key: secret of 15 bytes, must be between 16 and 64"},
		{"whsec_!!!", "webhook: whsec_ key: not standard base64"},
		{"whsec_AAAA", "webhook: whsec_ key: 3 bytes, must be between 16 and 64"},
		{"whsk_AAAA", "webhook: whsk_ key: 3 bytes, want a 32-byte seed or a 64-byte private key"},
		{"whpk_AAAA", "webhook: whpk_ key: 3 bytes, want 32"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			_, err := webhook.ParseKey(tt.key)
			var ke *webhook.KeyError
			require.ErrorAs(t, err, &ke)
			require.EqualError(t, err, tt.want)
		})
	}
}

// A secret without its whsec_ prefix is the base64 of the secret, as the
// official libraries read it: it signs the specification's vector.
func TestParseKeyWithoutPrefix(t *testing.T) {
	k, err := webhook.ParseKey(strings.TrimPrefix(specSecret, webhook.SecretPrefix))
	require.NoError(t, err)
	require.Equal(t, specSecret, k.String())
	require.Equal(t, 24, k.SecretSize())
	s, err := webhook.NewSigner(k)
	require.NoError(t, err)
	require.Equal(t, specSignature, s.Sign(specID, time.Unix(specTimestamp, 0), []byte(specBody)))
	v := webhook.Verifier{Keys: []webhook.Key{k}, Now: func() time.Time { return time.Unix(specTimestamp, 0) }}
	require.NoError(t, v.VerifyMessage(specID, "1614265330", specSignature, []byte(specBody)))
}

func TestVerify(t *testing.T) {
	key := mustKey(t, specSecret)
	at := func(sec int64) func() time.Time { return func() time.Time { return time.Unix(sec, 0) } }
	tests := []struct {
		name       string
		id, ts     string
		sig, body  string
		now        int64
		keys       []webhook.Key
		wantErr    error
		wantHeader string
	}{
		{name: "spec vector", id: specID, ts: "1614265330", sig: specSignature, body: specBody, now: specTimestamp},
		{name: "second of several signatures", id: specID, ts: "1614265330", sig: "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= " + specSignature, body: specBody, now: specTimestamp},
		{name: "runs of spaces and a tab between signatures", id: specID, ts: "1614265330", sig: "  v2,abc \t " + specSignature + "  ", body: specBody, now: specTimestamp},
		{name: "tab-joined pair is two signatures", id: specID, ts: "1614265330", sig: "v2,abc\t" + specSignature, body: specBody, now: specTimestamp},
		{name: "only spaces", id: specID, ts: "1614265330", sig: "   ", body: specBody, now: specTimestamp, wantErr: webhook.ErrMalformed, wantHeader: "webhook-signature"},
		{name: "unknown versions skipped", id: specID, ts: "1614265330", sig: "v2,abc " + specSignature, body: specBody, now: specTimestamp},
		{name: "edge of tolerance, past", id: specID, ts: "1614265330", sig: specSignature, body: specBody, now: specTimestamp + 300},
		{name: "edge of tolerance, future", id: specID, ts: "1614265330", sig: specSignature, body: specBody, now: specTimestamp - 300},
		{name: "stale", id: specID, ts: "1614265330", sig: specSignature, body: specBody, now: specTimestamp + 301, wantErr: webhook.ErrStale, wantHeader: "webhook-timestamp"},
		{name: "future", id: specID, ts: "1614265330", sig: specSignature, body: specBody, now: specTimestamp - 301, wantErr: webhook.ErrFuture, wantHeader: "webhook-timestamp"},
		{name: "altered body", id: specID, ts: "1614265330", sig: specSignature, body: `{"test": 2432232315}`, now: specTimestamp, wantErr: webhook.ErrNoMatchingSignature, wantHeader: "webhook-signature"},
		{name: "altered id", id: "msg_p5jXN8AQM9LWM0D4loKWxJeK", ts: "1614265330", sig: specSignature, body: specBody, now: specTimestamp, wantErr: webhook.ErrNoMatchingSignature, wantHeader: "webhook-signature"},
		{name: "altered timestamp", id: specID, ts: "1614265331", sig: specSignature, body: specBody, now: specTimestamp, wantErr: webhook.ErrNoMatchingSignature, wantHeader: "webhook-signature"},
		{name: "v1a label on a v1 signature", id: specID, ts: "1614265330", sig: "v1a,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", body: specBody, now: specTimestamp, wantErr: webhook.ErrNoMatchingSignature, wantHeader: "webhook-signature"},
		{name: "expired key", id: specID, ts: "1614265330", sig: specSignature, body: specBody, now: specTimestamp, keys: []webhook.Key{key.WithExpiry(time.Unix(specTimestamp, 0))}, wantErr: webhook.ErrNoMatchingSignature, wantHeader: "webhook-signature"},
		{name: "no key", id: specID, ts: "1614265330", sig: specSignature, body: specBody, now: specTimestamp, keys: []webhook.Key{}, wantErr: webhook.ErrNoMatchingSignature, wantHeader: "webhook-signature"},
		{name: "missing id", ts: "1614265330", sig: specSignature, body: specBody, now: specTimestamp, wantErr: webhook.ErrMissingHeader, wantHeader: "webhook-id"},
		{name: "missing timestamp", id: specID, sig: specSignature, body: specBody, now: specTimestamp, wantErr: webhook.ErrMissingHeader, wantHeader: "webhook-timestamp"},
		{name: "missing signature", id: specID, ts: "1614265330", body: specBody, now: specTimestamp, wantErr: webhook.ErrMissingHeader, wantHeader: "webhook-signature"},
		{name: "timestamp in milliseconds", id: specID, ts: "1614265330000", sig: specSignature, body: specBody, now: specTimestamp, wantErr: webhook.ErrFuture, wantHeader: "webhook-timestamp"},
		{name: "timestamp not a number", id: specID, ts: "2021-02-25T15:02:10Z", sig: specSignature, body: specBody, now: specTimestamp, wantErr: webhook.ErrMalformed, wantHeader: "webhook-timestamp"},
		{name: "signature without version", id: specID, ts: "1614265330", sig: "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", body: specBody, now: specTimestamp, wantErr: webhook.ErrMalformed, wantHeader: "webhook-signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys := tt.keys
			if keys == nil {
				keys = []webhook.Key{key}
			}
			v := webhook.Verifier{Keys: keys, Now: at(tt.now)}
			err := v.VerifyMessage(tt.id, tt.ts, tt.sig, []byte(tt.body))
			if tt.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
			var ve *webhook.VerifyError
			require.True(t, errors.As(err, &ve))
			require.Equal(t, tt.wantHeader, ve.Header)
		})
	}
}

func TestMiddleware(t *testing.T) {
	v := &webhook.Verifier{Keys: []webhook.Key{mustKey(t, specSecret)}, Now: func() time.Time { return time.Unix(specTimestamp, 0) }, MaxBody: 64}
	var got string
	h := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := new(bytes.Buffer)
		_, err := b.ReadFrom(r.Body)
		require.NoError(t, err)
		got = b.String()
		w.WriteHeader(http.StatusNoContent)
	}))
	send := func(body, sig string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(body))
		req.Header.Set("webhook-id", specID)
		req.Header.Set("webhook-timestamp", "1614265330")
		req.Header.Set("webhook-signature", sig)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}

	rec := send(specBody, specSignature)
	require.Equal(t, http.StatusNoContent, rec.Code)
	require.Equal(t, specBody, got)

	got = ""
	rec = send(specBody+" ", specSignature)
	require.Equal(t, http.StatusUnauthorized, rec.Code)
	require.Equal(t, "webhook: no matching signature: webhook-signature\n", rec.Body.String())
	require.Empty(t, got)

	rec = send(strings.Repeat("x", 65), specSignature)
	require.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
	require.Empty(t, got)
}

// The webhook-event header is not signed: verification passes whatever it
// holds, or without it.
func TestVerifyIgnoresEventHeader(t *testing.T) {
	v := &webhook.Verifier{Keys: []webhook.Key{mustKey(t, specSecret)}, Now: func() time.Time { return time.Unix(specTimestamp, 0) }}
	for _, event := range []string{"", "appointment.deleted", "case.created"} {
		t.Run(event, func(t *testing.T) {
			h := http.Header{}
			h.Set("webhook-id", specID)
			h.Set("webhook-timestamp", "1614265330")
			h.Set("webhook-signature", specSignature)
			if event != "" {
				h.Set(webhook.HeaderEvent, event)
			}
			require.NoError(t, v.Verify(h, []byte(specBody)))
		})
	}
}
