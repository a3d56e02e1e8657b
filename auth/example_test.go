package auth_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/vetlink/vetlink/auth"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/store"
)

// A server adopts its operator's API key, a user logs in, later requests
// authenticate with the token, and revoking the user's sessions ends them.
func ExampleService() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "vetlink-auth-example")
	defer os.RemoveAll(dir)
	db, err := store.Open(ctx, filepath.Join(dir, "vetlink.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()

	svc := &auth.Service{
		Store: db.Auth(),
		Key:   []byte("a random key of at least 32 bytes, from the config"),
	}
	const apiKey = "vlk_example-key-from-VETLINK_API_KEY"
	if _, err := svc.EnsureAPIKey(ctx, "env", apiKey); err != nil {
		fmt.Println(err)
		return
	}
	ann := rx.User{Uname: "dr.ann", Type: rx.VOR, Email: "ann@example.org"}
	if err := db.Rx().CreateUser(ctx, &ann); err != nil {
		fmt.Println(err)
		return
	}
	if err := svc.SetPassword(ctx, ann.ID, "correct horse battery"); err != nil {
		fmt.Println(err)
		return
	}

	// POST /api/users/logins
	_, err = svc.Login(ctx, apiKey, "dr.ann", "wrong")
	fmt.Println("wrong password:", err)
	sess, err := svc.Login(ctx, apiKey, "dr.ann", "correct horse battery")
	if err != nil {
		fmt.Println(err)
		return
	}
	// A later request: X-APIKEY and X-Auth-Token.
	user, err := svc.Authenticate(ctx, apiKey, sess.Token)
	fmt.Println("authenticated as dr.ann:", user == ann.ID, err)

	svc.RevokeSessions(ctx, ann.ID)
	_, err = svc.Authenticate(ctx, apiKey, sess.Token)
	fmt.Println("after RevokeSessions:", errors.Is(err, auth.ErrBadToken))
	// Output:
	// wrong password: auth: bad credentials
	// authenticated as dr.ann: true <nil>
	// after RevokeSessions: true
}
