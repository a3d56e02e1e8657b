package webhook

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash"
	"strings"
	"sync"
	"time"
)

// Prefixes of the key encodings the Standard Webhooks specification uses.
const (
	// SecretPrefix starts a symmetric secret: "whsec_" + base64 of the key.
	SecretPrefix = "whsec_"
	// PrivateKeyPrefix starts an Ed25519 signing key: "whsk_" + base64 of
	// the 32-byte seed (or of the 64-byte private key).
	PrivateKeyPrefix = "whsk_"
	// PublicKeyPrefix starts an Ed25519 verification key: "whpk_" + base64
	// of the 32-byte public key.
	PublicKeyPrefix = "whpk_"
)

// Limits on symmetric secrets. The specification recommends 24 to 64 bytes;
// fewer than 16 is refused as guessable.
const (
	minSecretBytes = 16
	maxSecretBytes = 64
)

// MinNewSecretBytes is the fewest bytes a symmetric secret given to a new
// or updated subscription may have: the Standard Webhooks specification
// recommends secrets of 24 to 64 bytes. Secrets already stored, and keys a
// [Verifier] holds, may keep as few as 16, so that nothing signed or
// verified today stops working.
const MinNewSecretBytes = 24

// Scheme names a signature version of the Standard Webhooks specification.
type Scheme string

// The signature schemes.
const (
	// SchemeHMAC is "v1": HMAC-SHA256 with a shared secret.
	SchemeHMAC Scheme = "v1"
	// SchemeEd25519 is "v1a": an Ed25519 signature checked with a public key.
	SchemeEd25519 Scheme = "v1a"
)

// A Key signs or verifies webhook messages. It is one of: a symmetric
// secret (signs and verifies, scheme v1), an Ed25519 private key (signs and
// verifies, v1a) or an Ed25519 public key (verifies only, v1a). Parse one
// with [ParseKey]; create one with [NewSecret] or [NewSigningKey].
//
// A Key is immutable and safe for concurrent use.
type Key struct {
	scheme Scheme
	priv   ed25519.PrivateKey
	pub    ed25519.PublicKey
	// macs pools HMAC states keyed with the secret: computing a signature
	// then costs no allocation.
	macs *sync.Pool
	text string
	// size is a symmetric secret's length in bytes.
	size int
	// expires, when not zero, ends the key's use.
	expires time.Time
}

// macState is a pooled HMAC with the scratch buffer for the signed prefix.
type macState struct {
	mac    hash.Hash
	prefix []byte
	sum    [sha256.Size]byte
}

// KeyError reports a key that cannot be parsed. Its Error never includes
// the key material.
type KeyError struct {
	Prefix string // the key's prefix as given, e.g. "whsec_", or "" if none
	Reason string
}

func (e *KeyError) Error() string {
	if e.Prefix == "" {
		return "webhook: key: " + e.Reason
	}
	return "webhook: " + e.Prefix + " key: " + e.Reason
}

// ParseKey parses a key in the specification's text form: "whsec_…" (a
// symmetric secret), "whsk_…" (an Ed25519 signing key) or "whpk_…" (an
// Ed25519 public key). Text without a prefix is the base64 of a symmetric
// secret, as the official Standard Webhooks libraries accept it; the Key's
// String then carries the "whsec_" prefix.
func ParseKey(s string) (Key, error) {
	prefix, encoded, ok := cutPrefix(s)
	if !ok {
		raw, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return Key{}, &KeyError{Reason: "want a whsec_, whsk_ or whpk_ prefix, or the standard base64 of a secret"}
		}
		if len(raw) < minSecretBytes || len(raw) > maxSecretBytes {
			return Key{}, &KeyError{Reason: fmt.Sprintf("secret of %d bytes, must be between %d and %d", len(raw), minSecretBytes, maxSecretBytes)}
		}
		return newHMACKey(raw, SecretPrefix+s), nil
	}
	raw, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return Key{}, &KeyError{Prefix: prefix, Reason: "not standard base64"}
	}
	switch prefix {
	case SecretPrefix:
		if len(raw) < minSecretBytes || len(raw) > maxSecretBytes {
			return Key{}, &KeyError{Prefix: prefix, Reason: fmt.Sprintf("%d bytes, must be between %d and %d", len(raw), minSecretBytes, maxSecretBytes)}
		}
		return newHMACKey(raw, s), nil
	case PrivateKeyPrefix:
		var priv ed25519.PrivateKey
		switch len(raw) {
		case ed25519.SeedSize:
			priv = ed25519.NewKeyFromSeed(raw)
		case ed25519.PrivateKeySize:
			priv = ed25519.NewKeyFromSeed(raw[:ed25519.SeedSize])
			if !hmac.Equal(priv, raw) {
				return Key{}, &KeyError{Prefix: prefix, Reason: "public half does not match the seed"}
			}
		default:
			return Key{}, &KeyError{Prefix: prefix, Reason: fmt.Sprintf("%d bytes, want a %d-byte seed or a %d-byte private key", len(raw), ed25519.SeedSize, ed25519.PrivateKeySize)}
		}
		return Key{scheme: SchemeEd25519, priv: priv, pub: priv.Public().(ed25519.PublicKey), text: s}, nil
	default: // PublicKeyPrefix
		if len(raw) != ed25519.PublicKeySize {
			return Key{}, &KeyError{Prefix: prefix, Reason: fmt.Sprintf("%d bytes, want %d", len(raw), ed25519.PublicKeySize)}
		}
		return Key{scheme: SchemeEd25519, pub: ed25519.PublicKey(raw), text: s}, nil
	}
}

func cutPrefix(s string) (prefix, rest string, ok bool) {
	for _, p := range []string{SecretPrefix, PrivateKeyPrefix, PublicKeyPrefix} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			return p, rest, true
		}
	}
	return "", "", false
}

func newHMACKey(raw []byte, text string) Key {
	secret := append([]byte(nil), raw...)
	return Key{
		scheme: SchemeHMAC,
		text:   text,
		size:   len(raw),
		macs: &sync.Pool{New: func() any {
			return &macState{mac: hmac.New(sha256.New, secret), prefix: make([]byte, 0, 128)}
		}},
	}
}

// NewSecret returns a new random symmetric secret of 32 bytes, as
// "whsec_…" text, for a subscription to share with its receiver.
func NewSecret() string {
	raw := make([]byte, 32)
	rand.Read(raw)
	return SecretPrefix + base64.StdEncoding.EncodeToString(raw)
}

// NewSigningKey returns a new Ed25519 key pair in text form: the private
// "whsk_…" key the sender keeps, and the public "whpk_…" key the receiver
// verifies with.
func NewSigningKey() (private, public string) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic("webhook: crypto/rand failed: " + err.Error()) // crypto/rand never fails on supported platforms
	}
	return PrivateKeyPrefix + base64.StdEncoding.EncodeToString(priv.Seed()),
		PublicKeyPrefix + base64.StdEncoding.EncodeToString(pub)
}

// SecretSize returns the length in bytes of a symmetric secret, and 0 for
// an Ed25519 key.
func (k Key) SecretSize() int { return k.size }

// Scheme reports the signature version the key produces or checks.
func (k Key) Scheme() Scheme { return k.scheme }

// IsZero reports whether k is the zero Key, which signs and verifies nothing.
func (k Key) IsZero() bool { return k.scheme == "" }

// CanSign reports whether k can sign: a secret or a private key.
func (k Key) CanSign() bool { return k.macs != nil || k.priv != nil }

// Public returns the "whpk_…" public key of an Ed25519 key. For a symmetric
// secret, which has no public half, it returns the zero Key.
func (k Key) Public() Key {
	if k.scheme != SchemeEd25519 {
		return Key{}
	}
	return Key{scheme: SchemeEd25519, pub: k.pub, text: PublicKeyPrefix + base64.StdEncoding.EncodeToString(k.pub)}
}

// String returns the key's text form, which is the key material itself:
// keep it out of logs.
func (k Key) String() string { return k.text }

// sumMAC writes the base64 HMAC-SHA256 of "id.timestamp.body" into dst.
// The pooled HMAC restores its keyed state (the hashed inner and outer
// pads, computed once) instead of hashing the pads again, and the signed
// prefix and the body go into the hash one after the other, without
// being copied into one message.
func (k Key) sumMAC(dst *[macTextSize]byte, id string, ts int64, body []byte) {
	st := k.macs.Get().(*macState)
	st.mac.Reset()
	st.prefix = appendSignedPrefix(st.prefix[:0], id, ts)
	st.mac.Write(st.prefix)
	st.mac.Write(body)
	encodeMAC(dst, (*[sha256.Size]byte)(st.mac.Sum(st.sum[:0])))
	k.macs.Put(st)
}

// macTextSize is the length of a base64 HMAC-SHA256: 32 bytes, 44
// characters with the padding.
const macTextSize = 44

const base64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// encodeMAC writes m in standard base64, as base64.StdEncoding would,
// unrolled for the one length a MAC has.
func encodeMAC(dst *[macTextSize]byte, m *[sha256.Size]byte) {
	for i := range 10 {
		v := uint(m[3*i])<<16 | uint(m[3*i+1])<<8 | uint(m[3*i+2])
		d := (*[4]byte)(dst[4*i:])
		d[0], d[1], d[2], d[3] = base64Alphabet[v>>18&63], base64Alphabet[v>>12&63], base64Alphabet[v>>6&63], base64Alphabet[v&63]
	}
	v := uint(m[30])<<16 | uint(m[31])<<8
	dst[40], dst[41], dst[42], dst[43] = base64Alphabet[v>>18&63], base64Alphabet[v>>12&63], base64Alphabet[v>>6&63], '='
}

// ed25519Message returns "id.timestamp.body", the signed content.
func ed25519Message(id string, ts int64, body []byte) []byte {
	msg := make([]byte, 0, len(id)+len(body)+22)
	msg = appendSignedPrefix(msg, id, ts)
	return append(msg, body...)
}

// WithExpiry returns a copy of k that signs and verifies nothing at or
// after t: a rotated-out secret stays accepted until then. The zero t
// means no expiry.
func (k Key) WithExpiry(t time.Time) Key {
	k.expires = t
	return k
}

// Expires returns the time set by [Key.WithExpiry], or the zero time.
func (k Key) Expires() time.Time { return k.expires }

func (k Key) expired(now time.Time) bool {
	return !k.expires.IsZero() && !now.Before(k.expires)
}
