// Package authtest is the conformance suite of [auth.Store]: every
// implementation runs [TestStore] and so behaves the same.
package authtest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vetlink/vetlink/auth"
	"github.com/vetlink/vetlink/rx"
)

// cheap keeps the suite fast; the cost parameters are not what it tests.
var cheap = auth.PasswordParams{Memory: 64, Time: 1, Threads: 1}

// TestStore runs the conformance suite. newStore returns an empty auth
// store and the rx store of the same database, whose users the auth store
// joins with; each subtest calls it once.
func TestStore(t *testing.T, newStore func(t *testing.T) (auth.Store, rx.Store)) {
	t.Run("Credentials", func(t *testing.T) { testCredentials(t, newStore) })
	t.Run("Generation", func(t *testing.T) { testGeneration(t, newStore) })
	t.Run("Failures", func(t *testing.T) { testFailures(t, newStore) })
	t.Run("APIKeys", func(t *testing.T) { testAPIKeys(t, newStore) })
	t.Run("InTx", func(t *testing.T) { testInTx(t, newStore) })
	t.Run("Service", func(t *testing.T) { testService(t, newStore) })
}

// AddUser creates a user named uname of type typ in users and returns its ID.
func AddUser(t testing.TB, users rx.Store, uname string, typ rx.UserType) rx.UserID {
	t.Helper()
	u := rx.User{Uname: uname, Type: typ, Email: uname + "@example.org", Firstname: "Ann", Lastname: "Vet"}
	if err := users.CreateUser(context.Background(), &u); err != nil {
		t.Fatalf("create user %s: %v", uname, err)
	}
	return u.ID
}

func testCredentials(t *testing.T, newStore func(t *testing.T) (auth.Store, rx.Store)) {
	ctx := context.Background()
	s, users := newStore(t)
	id := AddUser(t, users, "dr.ann", rx.VOR)

	got, err := s.Credentials(ctx, "nobody")
	if err != nil || got != (auth.Credentials{}) {
		t.Errorf("Credentials(nobody) = %+v, %v; want zero, nil", got, err)
	}
	got, err = s.Credentials(ctx, "dr.ann")
	if err != nil || got != (auth.Credentials{User: id}) {
		t.Errorf("Credentials(dr.ann) before a password = %+v, %v; want User %d only", got, err, id)
	}
	if err := s.SetPassword(ctx, id, "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Credentials(ctx, "dr.ann")
	want := auth.Credentials{User: id, PasswordHash: "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", Generation: 1}
	if got != want {
		t.Errorf("Credentials after SetPassword = %+v, want %+v", got, want)
	}
	if got, _ := s.Credentials(ctx, "DR.ANN"); got.User != 0 {
		t.Errorf("Credentials(DR.ANN) found user %d; unames are case-sensitive", got.User)
	}
	if err := s.SetPassword(ctx, 999999, "x"); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("SetPassword(unknown user) = %v, want ErrNotFound", err)
	}

	u, _ := users.User(ctx, id)
	u.RemovedType, u.Type = u.Type, rx.Removed
	if err := users.UpdateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Credentials(ctx, "dr.ann"); !got.Removed || got.User != id {
		t.Errorf("Credentials of a REMOVED user = %+v, want Removed", got)
	}
	// Deleting the user deletes its credentials.
	if err := users.DeleteUser(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Generation(ctx, id); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("Generation of a deleted user = %v, want ErrNotFound", err)
	}
	AddUser(t, users, "dr.ann", rx.VOR)
	if got, _ := s.Credentials(ctx, "dr.ann"); got.PasswordHash != "" || got.Generation != 0 {
		t.Errorf("a new user of a deleted one's uname inherited %+v", got)
	}
}

func testGeneration(t *testing.T, newStore func(t *testing.T) (auth.Store, rx.Store)) {
	ctx := context.Background()
	s, users := newStore(t)
	id := AddUser(t, users, "farm1", rx.FARM)
	steps := []struct {
		name string
		do   func() error
		want int64
	}{
		{"new user", func() error { return nil }, 0},
		{"revoke without password", func() error { return s.RevokeSessions(ctx, id) }, 1},
		{"set password", func() error { return s.SetPassword(ctx, id, "h1") }, 2},
		{"revoke", func() error { return s.RevokeSessions(ctx, id) }, 3},
		{"set password again", func() error { return s.SetPassword(ctx, id, "h2") }, 4},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		gen, removed, err := s.Generation(ctx, id)
		if err != nil || gen != st.want || removed {
			t.Errorf("after %s: Generation = %d, %v, %v; want %d, false, nil", st.name, gen, removed, err, st.want)
		}
	}
	if c, _ := s.Credentials(ctx, "farm1"); c.PasswordHash != "h2" {
		t.Errorf("RevokeSessions changed the hash: %q", c.PasswordHash)
	}
	if err := s.RevokeSessions(ctx, 999999); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("RevokeSessions(unknown) = %v, want ErrNotFound", err)
	}
	if _, _, err := s.Generation(ctx, 999999); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("Generation(unknown) = %v, want ErrNotFound", err)
	}
}

func testFailures(t *testing.T, newStore func(t *testing.T) (auth.Store, rx.Store)) {
	ctx := context.Background()
	s, users := newStore(t)
	AddUser(t, users, "mor1", rx.MOR)
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 123456000, time.UTC)
	for _, ident := range []string{"mor1", "ghost"} {
		for i := 1; i <= 3; i++ {
			n, err := s.RecordFailure(ctx, ident, t0.Add(time.Duration(i)*time.Minute))
			if err != nil || n != i {
				t.Fatalf("RecordFailure(%s) #%d = %d, %v", ident, i, n, err)
			}
		}
		c, err := s.Credentials(ctx, ident)
		if err != nil || c.Failures != 3 || !c.LastFailure.Equal(t0.Add(3*time.Minute)) {
			t.Errorf("Credentials(%s) = %+v, %v; want 3 failures, last at %s", ident, c, err, t0.Add(3*time.Minute))
		}
	}
	if err := s.ResetFailures(ctx, "mor1"); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.Credentials(ctx, "mor1"); c.Failures != 0 || !c.LastFailure.IsZero() {
		t.Errorf("after ResetFailures: %+v", c)
	}
	if c, _ := s.Credentials(ctx, "ghost"); c.Failures != 3 {
		t.Errorf("ResetFailures(mor1) touched ghost: %+v", c)
	}
	if err := s.ResetFailures(ctx, "never-failed"); err != nil {
		t.Errorf("ResetFailures of a clean identifier: %v", err)
	}

	// A day after its latest failure a count starts again from one, and
	// counts that old are forgotten, whoever fails next.
	later := t0.Add(3*time.Minute + auth.ForgetFailuresAfter)
	if n, err := s.RecordFailure(ctx, "ghost", later); err != nil || n != 1 {
		t.Errorf("RecordFailure(ghost) a day later = %d, %v; want a new count of 1", n, err)
	}
	if _, err := s.RecordFailure(ctx, "sprayed", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordFailure(ctx, "someone", later.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.Credentials(ctx, "sprayed"); c.Failures != 0 || !c.LastFailure.IsZero() {
		t.Errorf("a count a day old is kept: %+v", c)
	}
}

func testAPIKeys(t *testing.T, newStore func(t *testing.T) (auth.Store, rx.Store)) {
	ctx := context.Background()
	s, _ := newStore(t)
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	a := auth.APIKey{Name: "herd-app", Hash: auth.HashAPIKey("key-a"), Created: t0}
	b := auth.APIKey{Name: "lab", Hash: auth.HashAPIKey("key-b"), Created: t0.Add(time.Hour)}
	for _, k := range []*auth.APIKey{&a, &b} {
		if err := s.CreateAPIKey(ctx, k); err != nil || k.ID == 0 {
			t.Fatalf("CreateAPIKey(%s) = %v, ID %d", k.Name, err, k.ID)
		}
	}
	dup := auth.APIKey{Name: "again", Hash: a.Hash, Created: t0}
	if err := s.CreateAPIKey(ctx, &dup); !errors.Is(err, auth.ErrConflict) {
		t.Errorf("CreateAPIKey(same hash) = %v, want ErrConflict", err)
	}
	if got, err := s.APIKeyByHash(ctx, b.Hash); err != nil || got != b {
		t.Errorf("APIKeyByHash = %+v, %v; want %+v", got, err, b)
	}
	if _, err := s.APIKeyByHash(ctx, auth.HashAPIKey("other")); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("APIKeyByHash(unknown) = %v, want ErrNotFound", err)
	}
	if err := s.RevokeAPIKey(ctx, a.ID, t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeAPIKey(ctx, a.ID, t0.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeAPIKey(ctx, 999999, t0); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("RevokeAPIKey(unknown) = %v, want ErrNotFound", err)
	}
	a.Revoked = t0.Add(2 * time.Hour)
	got, err := s.APIKeys(ctx)
	if err != nil || len(got) != 2 || got[0] != a || got[1] != b {
		t.Errorf("APIKeys = %+v, %v; want [%+v %+v]", got, err, a, b)
	}
}

func testInTx(t *testing.T, newStore func(t *testing.T) (auth.Store, rx.Store)) {
	ctx := context.Background()
	s, users := newStore(t)
	id := AddUser(t, users, "tor1", rx.TOR)
	boom := errors.New("boom")
	err := s.InTx(ctx, func(ctx context.Context) error {
		if err := s.SetPassword(ctx, id, "h"); err != nil {
			return err
		}
		if _, err := s.RecordFailure(ctx, "tor1", time.Now()); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v", err)
	}
	if c, _ := s.Credentials(ctx, "tor1"); c.PasswordHash != "" || c.Generation != 0 || c.Failures != 0 {
		t.Errorf("after rollback: %+v", c)
	}
}

// testService drives auth.Service through the store, end to end.
func testService(t *testing.T, newStore func(t *testing.T) (auth.Store, rx.Store)) {
	ctx := context.Background()
	s, users := newStore(t)
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	svc := &auth.Service{Store: s, Key: []byte("0123456789abcdef0123456789abcdef"), Hashing: cheap,
		Now: func() time.Time { return now }}
	id := AddUser(t, users, "dr.bo", rx.VOR)
	if err := svc.SetPassword(ctx, id, "correct horse"); err != nil {
		t.Fatal(err)
	}
	key, _, err := svc.CreateAPIKey(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	sess, err := svc.Login(ctx, key, "dr.bo", "correct horse")
	if err != nil || sess.User != id {
		t.Fatalf("Login = %+v, %v", sess, err)
	}
	if got, err := svc.Authenticate(ctx, key, sess.Token); err != nil || got != id {
		t.Errorf("Authenticate = %d, %v; want %d", got, err, id)
	}
	if err := svc.RevokeSessions(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, key, sess.Token); !errors.Is(err, auth.ErrBadToken) {
		t.Errorf("Authenticate after RevokeSessions = %v, want ErrBadToken", err)
	}
	if _, err := svc.Login(ctx, key, "dr.bo", "wrong horse"); !errors.Is(err, auth.ErrBadCredentials) {
		t.Errorf("Login with a wrong password = %v, want ErrBadCredentials", err)
	}
}
