package webhook_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"time"

	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/webhook"
)

// A business change and its event commit together; the dispatcher then
// delivers the event, signed, to the subscribed receiver.
func ExampleDispatcher() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "vetlink-example")
	defer os.RemoveAll(dir)
	db, err := store.Open(ctx, filepath.Join(dir, "vetlink.db"))
	if err != nil {
		panic(err)
	}
	defer db.Close()
	// Subscriptions' signing secrets are stored sealed under the server's
	// secret key, which never goes into the database.
	serverKey := make([]byte, 32)
	rand.Read(serverKey)
	if err := db.SetSecretKey(serverKey); err != nil {
		panic(err)
	}

	// The receiver: verifies the signature, then prints the body.
	secret := webhook.NewSecret()
	key, _ := webhook.ParseKey(secret)
	got := make(chan string, 1)
	verifier := &webhook.Verifier{Keys: []webhook.Key{key}}
	rc := httptest.NewServer(verifier.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- string(body)
	})))
	defer rc.Close()

	// The receiver is on loopback, which the SSRF guard refuses by default;
	// the Service checks URLs with the same Guard as the Dispatcher.
	guard := &webhook.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
	svc := &webhook.Service{Store: db.Webhooks(), Guard: guard}
	if _, err := svc.CreateSubscription(ctx, webhook.Subscription{
		URL:     rc.URL,
		Events:  []webhook.EventType{"consultation.created_or_updated"},
		Format:  webhook.FormatForm,
		Secrets: []webhook.Secret{{Key: secret}},
		Active:  true,
	}); err != nil {
		panic(err)
	}

	d := &webhook.Dispatcher{
		Store: db.Webhooks(),
		Guard: guard,
	}
	err = db.InTx(ctx, func(ctx context.Context) error {
		// ... save the consultation through the store, then:
		_, err := svc.Publish(ctx, webhook.Event{Type: "consultation.created_or_updated", ResourceID: "123"})
		return err
	})
	if err != nil {
		panic(err)
	}
	d.Wake()

	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- d.Run(runCtx) }()
	select {
	case body := <-got:
		fmt.Println(body)
	case <-time.After(10 * time.Second):
		fmt.Println("timed out")
	}
	stop()
	<-done
	// Output: consultation_id=123
}
