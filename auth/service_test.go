package auth_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vetlink/vetlink/auth"
	"github.com/vetlink/vetlink/auth/authtest"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/store/storetest"
)

var (
	testKey = []byte("0123456789abcdef0123456789abcdef")
	t0      = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
)

// bundle is what setup returns: a Service over a real SQLite store, its
// fake clock, an API key and a user "dr.ann" whose password is
// "correct horse".
type bundle struct {
	svc   *auth.Service
	users rx.Store
	now   *time.Time
	key   string
	ann   rx.UserID
}

func setup(t *testing.T) *bundle {
	t.Helper()
	db := storetest.SQLite(t)
	b := &bundle{users: db.Rx(), now: new(time.Time)}
	*b.now = t0
	b.svc = &auth.Service{Store: db.Auth(), Key: testKey, Hashing: auth.PasswordParams{Memory: 64, Time: 1, Threads: 1},
		Now: func() time.Time { return *b.now }}
	ctx := context.Background()
	var err error
	if b.key, _, err = b.svc.CreateAPIKey(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	b.ann = authtest.AddUser(t, b.users, "dr.ann", rx.VOR)
	if err := b.svc.SetPassword(ctx, b.ann, "correct horse"); err != nil {
		t.Fatal(err)
	}
	return b
}

func (b *bundle) login(t *testing.T) auth.Session {
	t.Helper()
	s, err := b.svc.Login(context.Background(), b.key, "dr.ann", "correct horse")
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	return s
}

// forge builds a JWS by hand (RFC 7515 §7.1), independently of auth.
func forge(key []byte, header, payload string) string {
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload))
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(signing))
	return signing + "." + enc.EncodeToString(mac.Sum(nil))
}

func TestAuthenticate(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	good := b.login(t)
	const hs256 = `{"alg":"HS256","typ":"JWT"}`
	iat, exp := t0.Unix(), t0.Add(24*time.Hour).Unix()
	claims := func(sub string, iat, exp, gen int64) string {
		return fmt.Sprintf(`{"sub":%q,"iat":%d,"exp":%d,"jti":"x","gen":%d}`, sub, iat, exp, gen)
	}
	ann := fmt.Sprint(b.ann)
	parts := strings.Split(good.Token, ".")
	tests := []struct {
		name    string
		advance time.Duration
		apiKey  string
		token   string
		want    error
	}{
		{"issued token", 0, b.key, good.Token, nil},
		{"hand-made token", 0, b.key, forge(testKey, hs256, claims(ann, iat, exp, 1)), nil},
		{"no typ", 0, b.key, forge(testKey, `{"alg":"HS256"}`, claims(ann, iat, exp, 1)), nil},
		{"wrong key", 0, b.key, forge([]byte("another key of at least 32 bytes!"), hs256, claims(ann, iat, exp, 1)), auth.ErrBadToken},
		{"payload swapped", 0, b.key, parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(claims("999", iat, exp, 1))) + "." + parts[2], auth.ErrBadToken},
		{"signature cut", 0, b.key, parts[0] + "." + parts[1] + "." + parts[2][:10], auth.ErrBadToken},
		{"no signature", 0, b.key, parts[0] + "." + parts[1] + ".", auth.ErrBadToken},
		{"alg none", 0, b.key, base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + ".", auth.ErrBadToken},
		{"alg none, signed", 0, b.key, forge(testKey, `{"alg":"none","typ":"JWT"}`, claims(ann, iat, exp, 1)), auth.ErrBadToken},
		{"alg hs256", 0, b.key, forge(testKey, `{"alg":"hs256","typ":"JWT"}`, claims(ann, iat, exp, 1)), auth.ErrBadToken},
		{"alg HS512", 0, b.key, forge(testKey, `{"alg":"HS512","typ":"JWT"}`, claims(ann, iat, exp, 1)), auth.ErrBadToken},
		{"kid header", 0, b.key, forge(testKey, `{"alg":"HS256","kid":"../../x"}`, claims(ann, iat, exp, 1)), auth.ErrBadToken},
		{"wrong gen", 0, b.key, forge(testKey, hs256, claims(ann, iat, exp, 0)), auth.ErrBadToken},
		{"unknown user", 0, b.key, forge(testKey, hs256, claims("999", iat, exp, 1)), auth.ErrBadToken},
		{"sub not a number", 0, b.key, forge(testKey, hs256, claims("dr.ann", iat, exp, 1)), auth.ErrBadToken},
		{"no exp", 0, b.key, forge(testKey, hs256, claims(ann, iat, 0, 1)), auth.ErrBadToken},
		{"issued in the future", 0, b.key, forge(testKey, hs256, claims(ann, iat+60, exp, 1)), auth.ErrBadToken},
		{"within the clock skew", 24*time.Hour + 29*time.Second, b.key, good.Token, nil},
		{"expired", 24*time.Hour + 30*time.Second, b.key, good.Token, auth.ErrTokenExpired},
		{"expired, hand-made", 0, b.key, forge(testKey, hs256, claims(ann, iat-7200, iat-3600, 1)), auth.ErrTokenExpired},
		{"garbage", 0, b.key, "not a token", auth.ErrBadToken},
		{"empty", 0, b.key, "", auth.ErrBadToken},
		{"no API key", 0, "", good.Token, auth.ErrBadAPIKey},
		{"unknown API key", 0, "vlk_AAAA", good.Token, auth.ErrBadAPIKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			*b.now = t0.Add(tt.advance)
			user, err := b.svc.Authenticate(ctx, tt.apiKey, tt.token)
			if !errors.Is(err, tt.want) || (err != nil) != (tt.want != nil) {
				t.Fatalf("Authenticate = %d, %v; want %v", user, err, tt.want)
			}
			if err == nil && user != b.ann {
				t.Errorf("Authenticate = user %d, want %d", user, b.ann)
			}
			if err != nil && strings.Contains(err.Error(), tt.token[strings.LastIndex(tt.token, ".")+1:]) && tt.token != "" && !strings.HasSuffix(tt.token, ".") {
				t.Errorf("error %q quotes the token", err)
			}
		})
	}
}

func TestRevocation(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		revoke func(b *bundle) error
	}{
		{"RevokeSessions", func(b *bundle) error { return b.svc.RevokeSessions(ctx, b.ann) }},
		{"SetPassword", func(b *bundle) error { return b.svc.SetPassword(ctx, b.ann, "battery staple") }},
		{"user REMOVED", func(b *bundle) error {
			u, _ := b.users.User(ctx, b.ann)
			u.RemovedType, u.Type = u.Type, rx.Removed
			return b.users.UpdateUser(ctx, u)
		}},
		{"user deleted", func(b *bundle) error { return b.users.DeleteUser(ctx, b.ann) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := setup(t)
			s1, s2 := b.login(t), b.login(t)
			renewed, err := b.svc.Renew(ctx, s1.Token)
			if err != nil {
				t.Fatal(err)
			}
			if err := tt.revoke(b); err != nil {
				t.Fatal(err)
			}
			for _, tok := range []string{s1.Token, s2.Token, renewed.Token} {
				if _, err := b.svc.Authenticate(ctx, b.key, tok); !errors.Is(err, auth.ErrBadToken) {
					t.Errorf("Authenticate after %s = %v, want ErrBadToken", tt.name, err)
				}
				if _, err := b.svc.Renew(ctx, tok); !errors.Is(err, auth.ErrBadToken) {
					t.Errorf("Renew after %s = %v, want ErrBadToken", tt.name, err)
				}
			}
		})
	}
}

func TestRenew(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	s := b.login(t)
	if want := t0.Add(24 * time.Hour); !s.Expires.Equal(want) || s.User != b.ann {
		t.Errorf("Login = user %d expiring %s, want %d, %s", s.User, s.Expires, b.ann, want)
	}
	*b.now = t0.Add(23 * time.Hour)
	r, err := b.svc.Renew(ctx, s.Token)
	if err != nil {
		t.Fatal(err)
	}
	if want := t0.Add(47 * time.Hour); !r.Expires.Equal(want) || r.User != b.ann || r.Token == s.Token {
		t.Errorf("Renew = %+v, want a new token expiring %s", r, want)
	}
	*b.now = t0.Add(30 * time.Hour)
	if _, err := b.svc.Renew(ctx, s.Token); !errors.Is(err, auth.ErrTokenExpired) {
		t.Errorf("Renew of an expired token = %v, want ErrTokenExpired", err)
	}
	if u, err := b.svc.Authenticate(ctx, b.key, r.Token); err != nil || u != b.ann {
		t.Errorf("Authenticate(renewed) = %d, %v", u, err)
	}
}

// TestLockout walks the failed-login rule on a fake clock, for a real user
// and for a name nobody has: both must get the same answers.
func TestLockout(t *testing.T) {
	type step struct {
		advance    time.Duration
		password   string
		want       error
		retryAfter time.Duration
	}
	const right, wrong = "correct horse", "wrong horse!"
	steps := []step{
		{0, wrong, auth.ErrBadCredentials, 0}, // 1
		{0, wrong, auth.ErrBadCredentials, 0}, // 2
		{0, wrong, auth.ErrBadCredentials, 0}, // 3: throttled from now on
		{0, right, auth.ErrThrottled, time.Second},
		{500 * time.Millisecond, right, auth.ErrThrottled, 500 * time.Millisecond},
		{500 * time.Millisecond, wrong, auth.ErrBadCredentials, 0}, // 4
		{time.Second, wrong, auth.ErrThrottled, time.Second},
		{time.Second, wrong, auth.ErrBadCredentials, 0},      // 5
		{4 * time.Second, wrong, auth.ErrBadCredentials, 0},  // 6
		{8 * time.Second, wrong, auth.ErrBadCredentials, 0},  // 7
		{16 * time.Second, wrong, auth.ErrBadCredentials, 0}, // 8
		{32 * time.Second, wrong, auth.ErrBadCredentials, 0}, // 9
		{63 * time.Second, right, auth.ErrThrottled, time.Second},
		{time.Second, wrong, auth.ErrBadCredentials, 0}, // 10: locked
		{0, right, auth.ErrLocked, 15 * time.Minute},
		{14*time.Minute + 59*time.Second, right, auth.ErrLocked, time.Second},
		{time.Second, wrong, auth.ErrBadCredentials, 0}, // 11: locked again
		{10 * time.Minute, right, auth.ErrLocked, 5 * time.Minute},
	}
	for _, ident := range []string{"dr.ann", "nobody"} {
		t.Run(ident, func(t *testing.T) {
			b := setup(t)
			ctx := context.Background()
			for i, st := range steps {
				*b.now = b.now.Add(st.advance)
				_, err := b.svc.Login(ctx, b.key, ident, st.password)
				if !errors.Is(err, st.want) {
					t.Fatalf("step %d: Login = %v, want %v", i+1, err, st.want)
				}
				var le *auth.LockError
				if errors.As(err, &le) != (st.retryAfter != 0) || (le != nil && le.RetryAfter != st.retryAfter) {
					t.Fatalf("step %d: Login = %#v, want RetryAfter %s", i+1, err, st.retryAfter)
				}
			}
			if ident == "nobody" {
				return
			}
			// Once the lock ends, the right password gets in and resets the count.
			*b.now = b.now.Add(5 * time.Minute)
			b.login(t)
			for i := range 3 {
				if _, err := b.svc.Login(ctx, b.key, ident, wrong); !errors.Is(err, auth.ErrBadCredentials) {
					t.Fatalf("failure %d after a reset: %v", i+1, err)
				}
			}
		})
	}
}

func TestLoginRefusals(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	removed := authtest.AddUser(t, b.users, "gone", rx.MOR)
	if err := b.svc.SetPassword(ctx, removed, "correct horse"); err != nil {
		t.Fatal(err)
	}
	u, _ := b.users.User(ctx, removed)
	u.RemovedType, u.Type = u.Type, rx.Removed
	if err := b.users.UpdateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	authtest.AddUser(t, b.users, "nopass", rx.MOR)
	tests := []struct {
		name, apiKey, ident, password string
		want                          error
	}{
		{"right", b.key, "dr.ann", "correct horse", nil},
		{"wrong password", b.key, "dr.ann", "correct horsE", auth.ErrBadCredentials},
		{"uname is case-sensitive", b.key, "DR.ANN", "correct horse", auth.ErrBadCredentials},
		{"unknown user", b.key, "nobody", "correct horse", auth.ErrBadCredentials},
		{"REMOVED user", b.key, "gone", "correct horse", auth.ErrBadCredentials},
		{"user without password", b.key, "nopass", "", auth.ErrBadCredentials},
		{"empty identifier", b.key, "", "", auth.ErrBadCredentials},
		{"no API key", "", "dr.ann", "correct horse", auth.ErrBadAPIKey},
		{"unknown API key", "vlk_unknown", "dr.ann", "correct horse", auth.ErrBadAPIKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := b.svc.Login(ctx, tt.apiKey, tt.ident, tt.password)
			if !errors.Is(err, tt.want) || (err != nil) != (tt.want != nil) {
				t.Fatalf("Login = %+v, %v; want %v", s, err, tt.want)
			}
			// The three kinds of bad credentials read the same.
			if tt.want == auth.ErrBadCredentials && err.Error() != "auth: bad credentials" {
				t.Errorf("Login error %q says more than bad credentials", err)
			}
		})
	}
}

func TestAPIKeys(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	key, rec, err := b.svc.CreateAPIKey(ctx, "herd-app")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(key, "vlk_") || len(key) != 4+43 || rec.Name != "herd-app" || !rec.Created.Equal(t0) {
		t.Errorf("CreateAPIKey = %q, %+v", key, rec)
	}
	if err := b.svc.CheckAPIKey(ctx, key); err != nil {
		t.Errorf("CheckAPIKey(new key) = %v", err)
	}
	const operator = "operator-supplied-key-0123456789abcdef"
	e1, err := b.svc.EnsureAPIKey(ctx, "env", operator)
	if err != nil {
		t.Fatal(err)
	}
	e2, err := b.svc.EnsureAPIKey(ctx, "env", operator)
	if err != nil || e2 != e1 {
		t.Errorf("EnsureAPIKey again = %+v, %v; want %+v", e2, err, e1)
	}
	if err := b.svc.CheckAPIKey(ctx, operator); err != nil {
		t.Errorf("CheckAPIKey(operator key) = %v", err)
	}
	for _, weak := range []string{"abc123xyz", " " + operator} {
		if _, err := b.svc.EnsureAPIKey(ctx, "env", weak); !errors.Is(err, auth.ErrBadAPIKey) || strings.Contains(err.Error(), weak) {
			t.Errorf("EnsureAPIKey(%q) = %v, want ErrBadAPIKey without the key", weak, err)
		}
	}
	if err := b.svc.RevokeAPIKey(ctx, e1.ID); err != nil {
		t.Fatal(err)
	}
	if err := b.svc.CheckAPIKey(ctx, operator); !errors.Is(err, auth.ErrBadAPIKey) {
		t.Errorf("CheckAPIKey(revoked) = %v, want ErrBadAPIKey", err)
	}
	if _, err := b.svc.EnsureAPIKey(ctx, "env", operator); !errors.Is(err, auth.ErrBadAPIKey) {
		t.Errorf("EnsureAPIKey(revoked) = %v, want ErrBadAPIKey", err)
	}
	if err := b.svc.RevokeAPIKey(ctx, 999); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("RevokeAPIKey(unknown) = %v, want ErrNotFound", err)
	}
	keys, err := b.svc.APIKeys(ctx)
	if err != nil || len(keys) != 3 || keys[2].Revoked.IsZero() {
		t.Errorf("APIKeys = %+v, %v; want test, herd-app and revoked env", keys, err)
	}
}

func TestConfig(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	for _, svc := range []*auth.Service{
		{Store: b.svc.Store, Key: testKey[:31]},
		{Store: b.svc.Store},
		{Key: testKey},
	} {
		if _, err := svc.Login(ctx, b.key, "dr.ann", "correct horse"); !errors.Is(err, auth.ErrBadConfig) {
			t.Errorf("Login with %d-byte key, store %v: %v, want ErrBadConfig", len(svc.Key), svc.Store != nil, err)
		}
		if _, err := svc.Authenticate(ctx, b.key, "x.y.z"); !errors.Is(err, auth.ErrBadConfig) {
			t.Errorf("Authenticate: %v, want ErrBadConfig", err)
		}
	}
	if err := b.svc.SetPassword(ctx, b.ann, "short"); !errors.Is(err, auth.ErrWeakPassword) {
		t.Errorf("SetPassword(short) = %v, want ErrWeakPassword", err)
	}
	if err := b.svc.SetPassword(ctx, 999, "long enough"); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("SetPassword(unknown user) = %v, want ErrNotFound", err)
	}
}

func TestLockErrorMessage(t *testing.T) {
	tests := []struct {
		err  *auth.LockError
		want string
	}{
		{&auth.LockError{RetryAfter: 1500 * time.Millisecond}, "auth: too many failed logins, retry later: retry after 2s"},
		{&auth.LockError{Locked: true, RetryAfter: 15 * time.Minute}, "auth: locked after too many failed logins: retry after 900s"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
		if errors.Is(tt.err, auth.ErrLocked) != tt.err.Locked || errors.Is(tt.err, auth.ErrThrottled) == tt.err.Locked {
			t.Errorf("%#v matches the wrong sentinel", tt.err)
		}
	}
}

// ChangePassword checks the current password under the failed-login rule
// of the same identifier as Login: failures through either count for
// both. The new password then logs in, the old one no longer, and every
// earlier token is revoked.
func TestChangePassword(t *testing.T) {
	const right, wrong, next = "correct horse", "wrong horse!", "battery staple"
	b := setup(t)
	ctx := context.Background()
	old := b.login(t)

	if _, err := b.svc.ChangePassword(ctx, "dr.ann", right, "short"); !errors.Is(err, auth.ErrWeakPassword) {
		t.Fatalf("weak new password: %v, want ErrWeakPassword", err)
	}
	if _, err := b.svc.Login(ctx, b.key, "dr.ann", wrong); !errors.Is(err, auth.ErrBadCredentials) {
		t.Fatalf("login failure 1: %v", err)
	}
	for i := 2; i <= 3; i++ {
		if _, err := b.svc.ChangePassword(ctx, "dr.ann", wrong, next); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("failure %d: %v, want ErrBadCredentials", i, err)
		}
	}
	// Three failures: the next attempt waits a second, right or wrong,
	// whether it is a login or a change.
	var le *auth.LockError
	if _, err := b.svc.ChangePassword(ctx, "dr.ann", right, next); !errors.As(err, &le) || le.RetryAfter != time.Second {
		t.Fatalf("throttled change: %v, want a LockError of 1s", err)
	}
	if _, err := b.svc.Login(ctx, b.key, "dr.ann", right); !errors.Is(err, auth.ErrThrottled) {
		t.Fatalf("throttled login: %v, want ErrThrottled", err)
	}
	*b.now = b.now.Add(time.Second)
	user, err := b.svc.ChangePassword(ctx, "dr.ann", right, next)
	if err != nil || user != b.ann {
		t.Fatalf("ChangePassword = %d, %v; want %d", user, err, b.ann)
	}
	if _, err := b.svc.Authenticate(ctx, b.key, old.Token); !errors.Is(err, auth.ErrBadToken) {
		t.Errorf("a token from before the change: %v, want ErrBadToken", err)
	}
	if _, err := b.svc.Login(ctx, b.key, "dr.ann", right); !errors.Is(err, auth.ErrBadCredentials) {
		t.Errorf("the old password: %v, want ErrBadCredentials", err)
	}
	if _, err := b.svc.Login(ctx, b.key, "dr.ann", next); err != nil {
		t.Errorf("the new password: %v", err)
	}
	if _, err := b.svc.ChangePassword(ctx, "nobody", right, next); !errors.Is(err, auth.ErrBadCredentials) {
		t.Errorf("an unknown identifier: %v, want ErrBadCredentials", err)
	}
}
