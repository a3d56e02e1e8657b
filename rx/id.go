package rx

import (
	"crypto/rand"
	"fmt"
)

// base62 is the alphabet of prescription IDs: URL-safe without escaping.
const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// IDLength is the length of a prescription ID. 16 base-62 characters carry
// 95 bits of randomness: IDs cannot be guessed or enumerated.
const IDLength = 16

// NewID returns a random prescription ID such as "Vi1y9kbpEj7Upqy7", drawn
// from crypto/rand with rejection sampling so every character is uniform.
func NewID() string {
	var out [IDLength]byte
	var buf [32]byte
	n := 0
	for n < IDLength {
		rand.Read(buf[:]) // never fails (crypto/rand, Go 1.24+)
		for _, b := range buf {
			// 248 = 4*62: bytes at or above it would bias the low characters.
			if b >= 248 {
				continue
			}
			out[n] = base62[b%62]
			n++
			if n == IDLength {
				break
			}
		}
	}
	return string(out[:])
}

// CheckID reports whether s has the form of a prescription ID, so that a
// malformed ID from a URL fails as ErrInvalid before any lookup.
func CheckID(s string) error {
	if len(s) != IDLength {
		return fail("", "prescription "+quote(s), fmt.Sprintf("must be %d characters", IDLength), ErrInvalid)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z') {
			return fail("", "prescription "+quote(s), "must be letters and digits only", ErrInvalid)
		}
	}
	return nil
}

// quote bounds and quotes input echoed in an error message.
func quote(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return fmt.Sprintf("%q", s)
}
