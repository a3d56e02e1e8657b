// # Webhook secrets
//
// A webhook subscription's signing secrets ("whsec_…" HMAC secrets and
// "whsk_…" Ed25519 private keys) must stay recoverable, since the
// dispatcher signs with them, but must never lie in the database in the
// clear. The store seals each one with AES-256-GCM under a key derived with
// HKDF-SHA256 from the server's secret key (info "vetlink webhook secrets
// v1"), with a random 12-byte nonce per sealing and the subscription's ID as
// additional authenticated data, so a sealed secret copied into another
// subscription's row does not open. Give the key with [DB.SetSecretKey]
// before any subscription is written: without it, writing a subscription
// that has secrets fails with [ErrNoSecretKey] and writes nothing.
//
// The sealed form is text, in the key member of each element of
// webhook_subscriptions.secrets, so the schema is unchanged:
//
//	[{"key":"sealed:v1:<base64url, unpadded, of nonce||ciphertext||tag>","expires_at":…}]
//
// Rows written before secrets were sealed hold the plain "whsec_…" text;
// they are still read as they are, and are sealed the next time their
// subscription is written (an update, a rotation). A sealed secret that
// does not open (another key, another subscription, altered) fails the
// read with [ErrSecretNotOpened], naming the subscription, never the
// secret.
package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
)

// MinSecretKeySize is the fewest bytes [DB.SetSecretKey] accepts: the
// derived key is 32 bytes, and a shorter input would give it less strength.
const MinSecretKeySize = 32

// Errors about sealed webhook secrets. They are wrapped with the
// subscription at fault (never the secret), so test them with errors.Is.
var (
	// ErrNoSecretKey reports a webhook secret to seal or open on a DB that
	// has no secret key.
	ErrNoSecretKey = errors.New("store: no secret key set: webhook secrets are sealed; call DB.SetSecretKey")
	// ErrSecretNotOpened reports a sealed webhook secret that does not open:
	// it was sealed under another secret key or for another subscription,
	// or it was altered.
	ErrSecretNotOpened = errors.New("store: sealed webhook secret does not open")
)

const (
	// sealedPrefix starts every sealed secret, of any version.
	sealedPrefix = "sealed:"
	// sealedV1 starts a secret sealed by sealer.seal.
	sealedV1 = sealedPrefix + "v1:"
	// sealInfo separates the derived key from every other use of the
	// server's secret key (it also signs login tokens).
	sealInfo = "vetlink webhook secrets v1"
	// nonceSize is AES-GCM's standard nonce: 96 random bits per sealing
	// keep the chance of a repeated nonce negligible for far more secrets
	// than a database will hold (NIST SP 800-38D, 8.3).
	nonceSize = 12
)

// sealer seals and opens webhook secrets under one derived key. It is
// immutable, and safe for concurrent use.
type sealer struct{ aead cipher.AEAD }

func newSealer(key []byte) (*sealer, error) {
	if len(key) < MinSecretKeySize {
		return nil, fmt.Errorf("store: secret key of %d bytes: must be at least %d bytes", len(key), MinSecretKeySize)
	}
	derived, err := hkdf.Key(sha256.New, key, nil, sealInfo, 32)
	if err != nil {
		return nil, fmt.Errorf("store: derive the webhook secrets key: %w", err)
	}
	block, err := aes.NewCipher(derived) // 32 bytes: AES-256
	if err != nil {
		return nil, fmt.Errorf("store: webhook secrets cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("store: webhook secrets cipher: %w", err)
	}
	return &sealer{aead: aead}, nil
}

// seal returns the sealed text of secret for subscription id.
func (s *sealer) seal(id uuid.UUID, secret string) string {
	out := make([]byte, nonceSize, nonceSize+len(secret)+s.aead.Overhead())
	rand.Read(out[:nonceSize]) // crypto/rand never fails on supported platforms
	out = s.aead.Seal(out, out[:nonceSize], []byte(secret), []byte(id.String()))
	return sealedV1 + base64.RawURLEncoding.EncodeToString(out)
}

// open returns the secret that stored holds for subscription id: stored
// itself if it is a legacy plaintext secret, else its sealed text opened.
// n is the secret's position in the subscription's list, from 1, for the
// error message.
func (s *sealer) open(id uuid.UUID, n int, stored string) (string, error) {
	rest, sealed := strings.CutPrefix(stored, sealedPrefix)
	if !sealed {
		return stored, nil // legacy: written before secrets were sealed
	}
	version, body, _ := strings.Cut(rest, ":")
	if version != "v1" {
		return "", fmt.Errorf("store: webhook subscription %s, secret %d: sealed with unknown version %q (by a newer vetlink?)", id, n, version)
	}
	if s == nil {
		return "", fmt.Errorf("%w: webhook subscription %s, secret %d", ErrNoSecretKey, id, n)
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil || len(raw) < nonceSize+s.aead.Overhead() {
		return "", fmt.Errorf("%w: webhook subscription %s, secret %d: malformed sealed text", ErrSecretNotOpened, id, n)
	}
	plain, err := s.aead.Open(nil, raw[:nonceSize], raw[nonceSize:], []byte(id.String()))
	if err != nil {
		return "", fmt.Errorf("%w: webhook subscription %s, secret %d: sealed under another secret key, for another subscription, or altered", ErrSecretNotOpened, id, n)
	}
	return string(plain), nil
}
