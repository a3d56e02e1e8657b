package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// MinPasswordLen is the fewest characters (Unicode code points) a password
// may have. NIST SP 800-63B §5.1.1.2 sets 8 as the floor for passwords a
// user chooses.
const MinPasswordLen = 8

// PasswordParams are the argon2id cost parameters of new password hashes.
// Stored hashes carry their own parameters, so changing these never breaks
// a login: old hashes verify with the parameters they were made with.
type PasswordParams struct {
	// Memory is the memory cost in KiB.
	Memory uint32
	// Time is the number of passes over the memory.
	Time uint32
	// Threads is the degree of parallelism.
	Threads uint8
}

// DefaultPasswordParams are OWASP's minimum for argon2id (Password Storage
// Cheat Sheet: m=19 MiB, t=2, p=1). One hash then takes 19 MiB and about
// 23 ms of one core (BenchmarkHashPassword on a 2-core server), which such
// a server can afford for logins while an offline attacker pays the same
// per guess.
var DefaultPasswordParams = PasswordParams{Memory: 19 * 1024, Time: 2, Threads: 1}

const (
	saltLen = 16
	hashLen = 32
	// Bounds on the parameters a stored hash may ask for, so that a
	// corrupt or hostile row cannot make one verification take the
	// server's memory or minutes of CPU.
	maxMemory  = 1 << 20 // KiB: 1 GiB
	maxTime    = 64
	maxHashLen = 128
)

var b64 = base64.RawStdEncoding // PHC strings use unpadded standard base64.

// HashPassword returns the argon2id hash of password in the PHC string
// format, $argon2id$v=19$m=19456,t=2,p=1$salt$hash, with a random salt and
// the given parameters (the zero value means [DefaultPasswordParams]). It
// fails with [ErrWeakPassword] for a password shorter than [MinPasswordLen].
func HashPassword(password string, p PasswordParams) (string, error) {
	if n := utf8.RuneCountInString(password); n < MinPasswordLen {
		return "", fmt.Errorf("%w: %d characters, want at least %d", ErrWeakPassword, n, MinPasswordLen)
	}
	return hashPassword(password, p), nil
}

func hashPassword(password string, p PasswordParams) string {
	if p == (PasswordParams{}) {
		p = DefaultPasswordParams
	}
	salt := make([]byte, saltLen)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, hashLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// VerifyPassword reports whether password matches hash, a PHC argon2id
// string as [HashPassword] makes, with whatever parameters it names. The
// comparison takes constant time. A hash it cannot parse matches nothing;
// the error then says which part is wrong (never the hash itself).
func VerifyPassword(hash, password string) (bool, error) {
	p, salt, want, err := parseHash(hash)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

func parseHash(hash string) (p PasswordParams, salt, key []byte, err error) {
	bad := func(what string) (PasswordParams, []byte, []byte, error) {
		return PasswordParams{}, nil, nil, fmt.Errorf("auth: password hash: %s", what)
	}
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" {
		return bad("not a PHC string ($alg$v=..$params$salt$hash)")
	}
	if parts[1] != "argon2id" {
		return bad("algorithm is not argon2id")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return bad("version is not 19")
	}
	for kv := range strings.SplitSeq(parts[3], ",") {
		k, v, _ := strings.Cut(kv, "=")
		n, perr := strconv.ParseUint(v, 10, 32)
		if perr != nil {
			return bad("parameter " + k + " is not a number")
		}
		switch k {
		case "m":
			p.Memory = uint32(n)
		case "t":
			p.Time = uint32(n)
		case "p":
			if n > 255 {
				return bad("parameter p is above 255")
			}
			p.Threads = uint8(n)
		default:
			return bad("unknown parameter " + strconv.Quote(k))
		}
	}
	switch {
	case p.Time < 1 || p.Time > maxTime:
		return bad(fmt.Sprintf("t=%d outside 1..%d", p.Time, maxTime))
	case p.Threads < 1:
		return bad("p must be at least 1")
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory:
		return bad(fmt.Sprintf("m=%d outside 8p..%d KiB", p.Memory, maxMemory))
	}
	if salt, err = b64.DecodeString(parts[4]); err != nil || len(salt) < 8 {
		return bad("salt is not base64 of at least 8 bytes")
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) < 16 || len(key) > maxHashLen {
		return bad("hash is not base64 of 16 to 128 bytes")
	}
	return p, salt, key, nil
}
