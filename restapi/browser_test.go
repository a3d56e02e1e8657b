package restapi_test

import (
	"context"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/restapi"
	"github.com/vetlink/vetlink/rx/rxtest"
	"github.com/vetlink/vetlink/store/storetest"
)

// TestBrowsablePageInChromium opens a list in a real headless Chromium and
// keeps a screenshot in artifacts/restapi-cases.png for a person to look
// at. The browser holds a token the way an extension would: a proxy in
// front of the API adds it to every request. It checks that the page
// rendered with its style sheet under the Content-Security-Policy (the
// header band is the accent colour, so browse.css loaded) and that the DOM
// holds the JSON and the links. Chromium comes from Debian's chromium
// package; under CI=true a missing browser fails the test.
func TestBrowsablePageInChromium(t *testing.T) {
	browser := chromium()
	if browser == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed: CI must look at the browsable API (apt-get install chromium)")
		}
		t.Skip("chromium is not installed")
	}
	db := storetest.SQLite(t)
	h := &storetest.Herd{Animals: 20, Cases: 40, Current: 4, Years: 1, Now: rxtest.Start}
	storetest.SeedHerd(t, db, h)
	api := restapi.New(restapi.Config{Store: db.RestAPI(), Verifier: testTokens})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Set("Authorization", "Bearer all")
		api.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	page := fmt.Sprintf("%s/api/0.1/cases/?farm=%d&initiation__gte=2025-01-01&limit=4&expose_prescription=false", srv.URL, h.MOR)

	run := func(args ...string) string {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
			"--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
			"--user-data-dir=" + t.TempDir(), "--window-size=1280,1400"}
		out, err := exec.CommandContext(ctx, browser, append(append(base, args...), page)...).Output()
		require.NoError(t, err)
		return string(out)
	}
	dom := run("--dump-dom")
	for _, want := range []string{`<pre id="json">`, `"count": `, `expose_prescription=true`, `/api/0.1/cases/?farm=`, `icontains_not`, `cases.read`} {
		require.Contains(t, dom, want)
	}

	shot := filepath.Join(artifacts(t), "restapi-cases.png")
	run("--screenshot=" + shot)
	f, err := os.Open(shot)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	require.Equal(t, 1280, img.Bounds().Dx())
	// The header band is --accent, #0b6e4f: the style sheet loaded.
	r, g, b, _ := img.At(5, 5).RGBA()
	require.Equal(t, [3]uint32{0x0b, 0x6e, 0x4f}, [3]uint32{r >> 8, g >> 8, b >> 8}, "top-left pixel of the header")
	colours := map[uint32]bool{}
	for x := 0; x < img.Bounds().Dx(); x += 3 {
		for y := 100; y < 600; y += 3 {
			r, g, b, _ := img.At(x, y).RGBA()
			colours[(r>>8)<<16|(g>>8)<<8|b>>8] = true
		}
	}
	require.Greater(t, len(colours), 20, "the page body looks empty")
	t.Logf("screenshot: %s", shot)
}

// chromium returns the path of a headless-capable Chromium, or "".
func chromium() string {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// artifacts returns the directory where tests keep what a person should
// look at: $VETLINK_ARTIFACTS, or artifacts/ at the repository root.
func artifacts(t *testing.T) string {
	dir := os.Getenv("VETLINK_ARTIFACTS")
	if dir == "" {
		wd, err := os.Getwd()
		require.NoError(t, err)
		dir = filepath.Join(strings.TrimSuffix(wd, string(filepath.Separator)+"restapi"), "artifacts")
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return dir
}
