package oauth_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"golang.org/x/oauth2"

	"github.com/vetlink/vetlink/oauth"
	"github.com/vetlink/vetlink/oauth/storage"
	"github.com/vetlink/vetlink/store/storetest"
)

// TestAuthorizationCodeInBrowser runs the authorization-code flow with
// PKCE for a public client in a real headless Chromium (Debian's chromium
// package): the app sends the user to the authorize endpoint, the user
// signs in and allows on the login page, the browser lands on the app's
// loopback redirect URI with the code, and the app exchanges it. Under
// CI=true a missing chromium fails the test; elsewhere it skips.
// Screenshots of the login page and of the landing go to artifacts/.
func TestAuthorizationCodeInBrowser(t *testing.T) {
	browser := ""
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			browser = p
			break
		}
	}
	if browser == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed: CI must run the browser flow (apt-get install chromium)")
		}
		t.Skip("chromium is not installed")
	}
	b := setup(t, storetest.SQLite(t))
	ctx := context.Background()

	landed := make(chan url.Values, 1)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		landed <- r.URL.Query()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html><body><main id="done">Signed in to the barn tablet.</main></body></html>`)
	}))
	defer app.Close()
	c, _, err := b.srv.CreateClient(ctx, oauth.NewClient{Name: "Barn tablet", Type: storage.Public,
		GrantTypes:   []storage.GrantType{storage.AuthorizationCode, storage.RefreshTokenGrant},
		RedirectURIs: []string{app.URL + "/cb"}, Scopes: []string{"cases.read", "offline_access"}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := oauth2.Config{ClientID: c.ID, RedirectURL: app.URL + "/cb", Scopes: []string{"cases.read", "offline_access"},
		Endpoint: oauth2.Endpoint{AuthURL: b.issuer + oauth.AuthorizePath, TokenURL: b.issuer + oauth.TokenPath,
			AuthStyle: oauth2.AuthStyleInParams}}
	verifier := oauth2.GenerateVerifier()

	artifacts := filepath.Join("..", "artifacts")
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser), chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.Flag("disable-dev-shm-usage", true), chromedp.WindowSize(390, 900))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	bctx, cancelC := chromedp.NewContext(actx)
	defer cancelC()
	// The first action starts the browser, which lives as long as that
	// action's context: start it without a deadline, then bound the test.
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	tctx, cancelT := context.WithTimeout(bctx, 60*time.Second)
	defer cancelT()
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			buf, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return chromedp.Void{}, err
			}
			return chromedp.Void{}, os.WriteFile(filepath.Join(artifacts, "oauth-"+name+".png"), buf, 0o644)
		}
	}
	allow := func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		loaded := chromedp.Events(ctx, page.LoadEventFired)
		if _, err := chromedp.Click(chromedp.ID("allow"))(ctx, tg); err != nil {
			return chromedp.Void{}, err
		}
		for _, err := range loaded {
			return chromedp.Void{}, err
		}
		return chromedp.Void{}, fmt.Errorf("allowing loaded no page")
	}
	if err := chromedp.Do(tctx,
		chromedp.Navigate(cfg.AuthCodeURL("tablet-state", oauth2.S256ChallengeOption(verifier))),
		chromedp.WaitVisible(chromedp.ID("uname")),
		shot("login"),
		chromedp.SendKeys(chromedp.ID("uname"), b.user.Uname),
		chromedp.SendKeys(chromedp.ID("password"), b.pass),
		chromedp.Action[chromedp.Void](allow),
		chromedp.WaitVisible(chromedp.ID("done")),
		shot("landed"),
	); err != nil {
		t.Fatal(err)
	}
	var q url.Values
	select {
	case q = <-landed:
	case <-time.After(10 * time.Second):
		t.Fatal("the browser never reached the app's redirect URI")
	}
	if q.Get("state") != "tablet-state" || q.Get("code") == "" {
		t.Fatalf("redirect query %v: want the state and a code", q)
	}
	tok, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if status, p := b.resource(t, tok.AccessToken); status != 200 || p.User != b.user.ID || p.ClientID != c.ID {
		t.Errorf("resource with the browser-won token: %d %+v", status, p)
	}
}
