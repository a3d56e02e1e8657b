package webhook

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"time"
)

// The headers of a signed message, as the Standard Webhooks specification
// names them. [http.Header] stores them in canonical form.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// HeaderEvent names the event type of every delivery a [Dispatcher] sends,
// e.g. "appointment.deleted": the thin form body ("appointment_id=42") is
// the same for every event of a resource, so the header is how a receiver
// tells them apart without parsing anything. It is not part of the
// Standard Webhooks specification and is not signed (what is signed is
// webhook-id, webhook-timestamp and the body); a [Verifier] ignores it. A
// receiver that must trust the event type uses FormatJSON, whose signed
// body carries it, or one URL per event type.
const HeaderEvent = "webhook-event"

// Canonical forms of the headers, for direct map access without
// canonicalising (and allocating) on every request.
const (
	canonicalID        = "Webhook-Id"
	canonicalTimestamp = "Webhook-Timestamp"
	canonicalSignature = "Webhook-Signature"
	canonicalEvent     = "Webhook-Event"
)

// ErrNoSigningKey reports a [Signer] built without a key that can sign.
var ErrNoSigningKey = errors.New("webhook: no signing key (want a whsec_ secret or a whsk_ private key)")

// A Signer signs outgoing messages with one or more keys. With several keys
// (a secret being rotated, or a secret and an Ed25519 key) the signature
// header carries one signature per key, separated by spaces, and a receiver
// that knows any one of the keys accepts the message.
//
// A Signer is safe for concurrent use.
type Signer struct {
	keys []Key
}

// NewSigner returns a Signer for keys, in the order given. Every key must be
// able to sign: a public key cannot.
func NewSigner(keys ...Key) (*Signer, error) {
	if len(keys) == 0 {
		return nil, ErrNoSigningKey
	}
	for _, k := range keys {
		if !k.CanSign() {
			return nil, ErrNoSigningKey
		}
	}
	return &Signer{keys: append([]Key(nil), keys...)}, nil
}

// Sign returns the value of the webhook-signature header for the message
// id sent at ts with body: e.g. "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=".
// The timestamp is signed in whole seconds.
func (s *Signer) Sign(id string, ts time.Time, body []byte) string {
	var buf [256]byte
	return string(s.AppendSignature(buf[:0], id, ts, body))
}

// AppendSignature appends the webhook-signature header value to dst and
// returns the extended buffer, like [Signer.Sign] without the string.
func (s *Signer) AppendSignature(dst []byte, id string, ts time.Time, body []byte) []byte {
	unix := ts.Unix()
	start := len(dst)
	for _, k := range s.keys {
		if k.expired(ts) {
			continue
		}
		if len(dst) > start {
			dst = append(dst, ' ')
		}
		switch k.scheme {
		case SchemeHMAC:
			var mac [macTextSize]byte
			k.sumMAC(&mac, id, unix, body)
			dst = append(dst, "v1,"...)
			dst = append(dst, mac[:]...)
		case SchemeEd25519:
			dst = append(dst, "v1a,"...)
			dst = base64.StdEncoding.AppendEncode(dst, ed25519.Sign(k.priv, ed25519Message(id, unix, body)))
		}
	}
	return dst
}

// SignHeader sets the three webhook headers on h for the message id sent at
// ts with body.
func (s *Signer) SignHeader(h http.Header, id string, ts time.Time, body []byte) {
	h[canonicalID] = []string{id}
	h[canonicalTimestamp] = []string{strconv.FormatInt(ts.Unix(), 10)}
	h[canonicalSignature] = []string{s.Sign(id, ts, body)}
}

// appendSignedPrefix appends "id.timestamp." to dst: what is signed is that
// prefix followed by the body, byte for byte as sent.
func appendSignedPrefix(dst []byte, id string, ts int64) []byte {
	dst = append(dst, id...)
	dst = append(dst, '.')
	dst = strconv.AppendInt(dst, ts, 10)
	return append(dst, '.')
}

// validAt reports whether any key of s signs at t.
func (s *Signer) validAt(t time.Time) bool {
	for _, k := range s.keys {
		if !k.expired(t) {
			return true
		}
	}
	return false
}
