package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vetlink/vetlink/rx"
)

// MinKeyLen is the shortest token signing key a [Service] accepts: RFC 7518
// §3.2 requires an HS256 key of at least 256 bits.
const MinKeyLen = 32

// ClockSkew is how long past its expiry a token is still accepted, and how
// far in the future its issue time may lie, to absorb clocks of servers
// sharing one database that disagree a little.
const ClockSkew = 30 * time.Second

// jwtHeader is the one header auth issues and accepts (RFC 7519 §5).
const jwtHeader = `{"alg":"HS256","typ":"JWT"}`

var b64url = base64.RawURLEncoding // JWS compact serialisation (RFC 7515 §2).

// claims are the token's JWT claims. Sub is the user ID in decimal, as
// RFC 7519 §4.1.2 wants a string; Gen is the user's session generation.
type claims struct {
	Sub string `json:"sub"`
	Iat int64  `json:"iat"`
	Exp int64  `json:"exp"`
	Jti string `json:"jti"`
	Gen int64  `json:"gen"`
}

// signToken returns the compact JWS of c, signed with key.
func signToken(key []byte, c claims) string {
	payload, _ := json.Marshal(c) // a struct of strings and ints cannot fail
	signing := b64url.EncodeToString([]byte(jwtHeader)) + "." + b64url.EncodeToString(payload)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(signing))
	return signing + "." + b64url.EncodeToString(mac.Sum(nil))
}

func newClaims(user rx.UserID, gen int64, now time.Time, ttl time.Duration) claims {
	jti := make([]byte, 16)
	rand.Read(jti)
	return claims{
		Sub: strconv.FormatInt(int64(user), 10),
		Iat: now.Unix(),
		Exp: now.Add(ttl).Unix(),
		Jti: b64url.EncodeToString(jti),
		Gen: gen,
	}
}

// parseToken checks token's form, header and signature, then its times
// against now, and returns its claims and user. The session generation is
// the caller's to check: it needs the store.
func parseToken(key []byte, token string, now time.Time) (claims, rx.UserID, error) {
	var c claims
	h, rest, ok1 := strings.Cut(token, ".")
	p, sig, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || strings.Contains(sig, ".") {
		return c, 0, fmt.Errorf("%w: not a JWS compact serialisation", ErrBadToken)
	}
	// The header must say HS256 and nothing that changes its meaning:
	// "alg":"none" or an asymmetric alg never get as far as the signature.
	hb, err := b64url.DecodeString(h)
	if err != nil {
		return c, 0, fmt.Errorf("%w: header is not base64url", ErrBadToken)
	}
	var hdr map[string]any
	if err := json.Unmarshal(hb, &hdr); err != nil {
		return c, 0, fmt.Errorf("%w: header is not a JSON object", ErrBadToken)
	}
	if alg, _ := hdr["alg"].(string); alg != "HS256" {
		return c, 0, fmt.Errorf("%w: alg %q, want HS256", ErrBadToken, alg)
	}
	for k, v := range hdr {
		if k != "alg" && !(k == "typ" && v == "JWT") {
			return c, 0, fmt.Errorf("%w: unexpected header %q", ErrBadToken, k)
		}
	}
	got, err := b64url.DecodeString(sig)
	if err != nil {
		return c, 0, fmt.Errorf("%w: signature is not base64url", ErrBadToken)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(token[:len(h)+1+len(p)]))
	if !hmac.Equal(got, mac.Sum(nil)) {
		return c, 0, fmt.Errorf("%w: signature does not match", ErrBadToken)
	}
	pb, err := b64url.DecodeString(p)
	if err != nil {
		return c, 0, fmt.Errorf("%w: payload is not base64url", ErrBadToken)
	}
	if err := json.Unmarshal(pb, &c); err != nil {
		return c, 0, fmt.Errorf("%w: payload is not the claims auth issues", ErrBadToken)
	}
	id, err := strconv.ParseInt(c.Sub, 10, 64)
	if err != nil || id <= 0 {
		return c, 0, fmt.Errorf("%w: sub is not a user ID", ErrBadToken)
	}
	if c.Exp == 0 || c.Iat == 0 {
		return c, 0, fmt.Errorf("%w: iat or exp missing", ErrBadToken)
	}
	if time.Unix(c.Iat, 0).After(now.Add(ClockSkew)) {
		return c, 0, fmt.Errorf("%w: issued in the future", ErrBadToken)
	}
	if !now.Before(time.Unix(c.Exp, 0).Add(ClockSkew)) {
		return c, 0, fmt.Errorf("%w: at %s", ErrTokenExpired, time.Unix(c.Exp, 0).UTC().Format(time.RFC3339))
	}
	return c, rx.UserID(id), nil
}
