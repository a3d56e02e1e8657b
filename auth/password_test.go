package auth_test

import (
	"errors"
	"regexp"
	"testing"

	"github.com/vetlink/vetlink/auth"
)

// The argon2id vector of the reference implementation's test.c
// (github.com/P-H-C/phc-winner-argon2): "password", salt "somesalt",
// t=2, m=64 MiB, p=1.
const refHash = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"

func TestVerifyPassword(t *testing.T) {
	cheap, err := auth.HashPassword("correct horse", auth.PasswordParams{Memory: 64, Time: 1, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, hash, password string
		want                 bool
		wantErr              bool
	}{
		{"reference vector", refHash, "password", true, false},
		{"reference vector, wrong password", refHash, "Password", false, false},
		{"other parameters", cheap, "correct horse", true, false},
		{"other parameters, wrong password", cheap, "correct horse ", false, false},
		{"argon2i", "$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", "password", false, true},
		{"old version", "$argon2id$v=16$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", "password", false, true},
		{"memory too large", "$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", "password", false, true},
		{"no threads", "$argon2id$v=19$m=65536,t=2,p=0$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", "password", false, true},
		{"unknown parameter", "$argon2id$v=19$m=65536,t=2,p=1,x=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", "password", false, true},
		{"short hash", "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFh", "password", false, true},
		{"empty", "", "password", false, true},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", "password", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := auth.VerifyPassword(tt.hash, tt.password)
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Errorf("VerifyPassword = %v, %v; want %v, error %v", got, err, tt.want, tt.wantErr)
			}
			if err != nil && tt.hash != "" && regexp.MustCompile(`c29tZXNhbHQ|CTFh|N9qo`).MatchString(err.Error()) {
				t.Errorf("error %q quotes the hash", err)
			}
		})
	}
}

func TestHashPassword(t *testing.T) {
	phc := regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	h1, err := auth.HashPassword("correct horse", auth.PasswordParams{})
	if err != nil {
		t.Fatal(err)
	}
	if !phc.MatchString(h1) {
		t.Errorf("HashPassword = %s, want the PHC form with m=19456,t=2,p=1", h1)
	}
	h2, _ := auth.HashPassword("correct horse", auth.PasswordParams{})
	if h1 == h2 {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	if ok, err := auth.VerifyPassword(h1, "correct horse"); !ok || err != nil {
		t.Errorf("VerifyPassword(own hash) = %v, %v", ok, err)
	}
	for _, pw := range []string{"", "1234567", "ñandú12"} { // ñandú12 is 7 characters, 9 bytes
		if _, err := auth.HashPassword(pw, auth.PasswordParams{}); !errors.Is(err, auth.ErrWeakPassword) {
			t.Errorf("HashPassword(%q) = %v, want ErrWeakPassword", pw, err)
		}
	}
	if _, err := auth.HashPassword("ñandú123", auth.PasswordParams{Memory: 64, Time: 1, Threads: 1}); err != nil {
		t.Errorf("HashPassword of 8 characters: %v", err)
	}
}

func BenchmarkHashPassword(b *testing.B) {
	for b.Loop() {
		auth.HashPassword("correct horse", auth.PasswordParams{})
	}
}
