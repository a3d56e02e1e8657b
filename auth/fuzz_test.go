package auth

import (
	"testing"
	"time"
)

func FuzzParseHash(f *testing.F) {
	f.Add("$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$$")
	f.Add("$$$$$")
	f.Fuzz(func(t *testing.T, hash string) {
		p, _, _, err := parseHash(hash)
		if err == nil && (p.Memory > maxMemory || p.Time > maxTime || p.Threads == 0) {
			t.Errorf("parseHash(%q) accepted %+v", hash, p)
		}
	})
}

func FuzzParseToken(f *testing.F) {
	key := []byte("0123456789abcdef0123456789abcdef")
	now := time.Unix(1_770_000_000, 0)
	f.Add(signToken(key, newClaims(7, 1, now, time.Hour)))
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Add("..")
	f.Fuzz(func(t *testing.T, token string) {
		c, user, err := parseToken(key, token, now)
		if err == nil && (user <= 0 || c.Exp == 0) {
			t.Errorf("parseToken(%q) accepted %+v", token, c)
		}
	})
}
