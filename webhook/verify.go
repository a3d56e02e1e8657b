package webhook

import (
	"bytes"
	"crypto/ed25519"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Errors a [Verifier] returns, wrapped in a [*VerifyError]. Test them with
// errors.Is.
var (
	// ErrMissingHeader reports a message without one of the three headers.
	ErrMissingHeader = errors.New("webhook: missing header")
	// ErrMalformed reports a header that cannot be parsed: a timestamp that
	// is not a decimal number of seconds, or no "version,signature" pair.
	ErrMalformed = errors.New("webhook: malformed header")
	// ErrStale reports a timestamp older than the tolerance: possibly a
	// replay of a captured message.
	ErrStale = errors.New("webhook: timestamp too old")
	// ErrFuture reports a timestamp further ahead than the tolerance.
	ErrFuture = errors.New("webhook: timestamp too far in the future")
	// ErrNoMatchingSignature reports that no signature of the message was
	// made by any key the verifier holds: a forged or altered message, or
	// the wrong key.
	ErrNoMatchingSignature = errors.New("webhook: no matching signature")
	// ErrBodyTooLarge reports a request body over the middleware's limit.
	ErrBodyTooLarge = errors.New("webhook: body too large")
)

// VerifyError is the error of a failed verification: which rule failed
// (Err, one of the sentinel errors above) and about which header.
type VerifyError struct {
	Err    error  // ErrMissingHeader, ErrMalformed, ErrStale, ErrFuture, ErrNoMatchingSignature or ErrBodyTooLarge
	Header string // the header at fault, "" when it is the body
	Detail string // what was wrong, without key material
}

func (e *VerifyError) Error() string {
	s := e.Err.Error()
	if e.Header != "" {
		s += ": " + e.Header
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

func (e *VerifyError) Unwrap() error { return e.Err }

// DefaultTolerance is how far a message's timestamp may be from the
// receiver's clock, in either direction, when [Verifier.Tolerance] is zero.
const DefaultTolerance = 5 * time.Minute

// DefaultMaxBody bounds the request body [Verifier.Middleware] reads when
// [Verifier.MaxBody] is zero.
const DefaultMaxBody = 1 << 20

// A Verifier checks the signatures of incoming messages, as the receiver of
// a webhook does. It accepts a message when any one of its signatures was
// made by any one of Keys that has not expired, and its timestamp is within
// Tolerance of the clock. The comparison takes constant time.
//
// The zero Verifier holds no key and rejects every message; a Verifier is
// safe for concurrent use once configured.
type Verifier struct {
	// Keys are the symmetric secrets and Ed25519 public (or private) keys
	// accepted. Several keys let a sender rotate its secret: add the new
	// one, and give the old one an expiry with [Key.WithExpiry].
	Keys []Key
	// Tolerance is the largest accepted difference between a message's
	// timestamp and Now, in both directions. Zero means DefaultTolerance.
	Tolerance time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// MaxBody bounds the body Middleware reads; zero means DefaultMaxBody.
	MaxBody int64
}

// Verify checks the message made of the webhook headers in h and body.
func (v *Verifier) Verify(h http.Header, body []byte) error {
	return v.VerifyMessage(first(h, canonicalID), first(h, canonicalTimestamp), first(h, canonicalSignature), body)
}

func first(h http.Header, canonical string) string {
	if vs := h[canonical]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// VerifyMessage checks a message given by the values of its three headers
// and its body, for receivers that do not use net/http.
func (v *Verifier) VerifyMessage(id, timestamp, signatures string, body []byte) error {
	switch {
	case id == "":
		return &VerifyError{Err: ErrMissingHeader, Header: HeaderID}
	case timestamp == "":
		return &VerifyError{Err: ErrMissingHeader, Header: HeaderTimestamp}
	case signatures == "":
		return &VerifyError{Err: ErrMissingHeader, Header: HeaderSignature}
	}
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil || ts < 0 {
		return &VerifyError{Err: ErrMalformed, Header: HeaderTimestamp, Detail: "want whole seconds since 1970"}
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	t := now()
	tol := v.Tolerance
	if tol <= 0 {
		tol = DefaultTolerance
	}
	// Compare in whole seconds, as the timestamp is.
	nowUnix, tolSec := t.Unix(), int64(tol/time.Second)
	if nowUnix-ts > tolSec {
		return &VerifyError{Err: ErrStale, Header: HeaderTimestamp, Detail: "older than " + tol.String()}
	}
	if ts-nowUnix > tolSec {
		return &VerifyError{Err: ErrFuture, Header: HeaderTimestamp, Detail: "ahead by more than " + tol.String()}
	}

	var (
		parsed bool
		macs   [4][44]byte // base64 HMACs of the first keys, computed once
		msg    []byte      // the Ed25519 message, built once when needed
	)
	for rest := signatures; rest != ""; {
		var tok string
		tok, rest = nextField(rest)
		version, sig, ok := strings.Cut(tok, ",")
		if !ok || sig == "" {
			continue
		}
		parsed = true
		switch Scheme(version) {
		case SchemeHMAC:
			if len(sig) != 44 {
				continue
			}
			var given [44]byte
			copy(given[:], sig)
			for i, k := range v.Keys {
				if k.scheme != SchemeHMAC || k.macs == nil || k.expired(t) {
					continue
				}
				var enc []byte
				if i < len(macs) {
					if macs[i][0] == 0 {
						k.sumMAC(&macs[i], id, ts, body)
					}
					enc = macs[i][:]
				} else {
					var m [44]byte
					k.sumMAC(&m, id, ts, body)
					enc = m[:]
				}
				if subtle.ConstantTimeCompare(given[:], enc) == 1 {
					return nil
				}
			}
		case SchemeEd25519:
			var given [ed25519.SignatureSize + 2]byte
			if len(sig) != 88 {
				continue
			}
			var text [88]byte
			copy(text[:], sig)
			n, err := base64.StdEncoding.Decode(given[:], text[:])
			if err != nil || n != ed25519.SignatureSize {
				continue
			}
			for _, k := range v.Keys {
				if k.scheme != SchemeEd25519 || k.expired(t) {
					continue
				}
				if msg == nil {
					msg = ed25519Message(id, ts, body)
				}
				if ed25519.Verify(k.pub, msg, given[:n]) {
					return nil
				}
			}
		}
	}
	if !parsed {
		return &VerifyError{Err: ErrMalformed, Header: HeaderSignature, Detail: `want space-separated "version,base64" pairs`}
	}
	return &VerifyError{Err: ErrNoMatchingSignature, Header: HeaderSignature}
}

// nextField returns the first field of s, fields being separated by runs
// of spaces as the specification writes them (a tab counts as one too),
// and what follows it: strings.FieldsSeq without the Unicode tables and
// the iterator, on the path of every request.
func nextField(s string) (field, rest string) {
	for s != "" && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	end := strings.IndexByte(s, ' ')
	if end < 0 {
		end = len(s)
	}
	if tab := strings.IndexByte(s[:end], '\t'); tab >= 0 {
		end = tab
	}
	return s[:end], s[end:]
}

// Middleware returns a handler that verifies each request before passing it
// to next. A request that fails is answered 401 Unauthorized (413 when the
// body is over MaxBody) with the error text, and never reaches next. next
// receives the body, already read, as r.Body.
func (v *Verifier) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := v.MaxBody
		if limit <= 0 {
			limit = DefaultMaxBody
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
		if err != nil {
			http.Error(w, "webhook: read body: "+err.Error(), http.StatusBadRequest)
			return
		}
		if int64(len(body)) > limit {
			err := &VerifyError{Err: ErrBodyTooLarge, Detail: fmt.Sprintf("over %d bytes", limit)}
			http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
			return
		}
		if err := v.Verify(r.Header, body); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}
