package openapi_test

import (
	"context"
	"image/png"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/openapi"
	"github.com/vetlink/vetlink/store/storetest"
)

// TestDocsPage reads /docs as a person would: every operation of the
// document is on the page, and headless Chromium renders it (the
// screenshot is kept in artifacts/ for a person to look at). Chromium comes
// from Debian's chromium package; .ci/run installs it, and under CI=true a
// missing browser fails the test rather than skipping it.
func TestDocsPage(t *testing.T) {
	e := newTestEnv(t, storetest.SQLite(t))
	code, body := e.do(t, nil, http.MethodGet, "/docs", nil)
	require.Equal(t, http.StatusOK, code)
	page := string(body)
	doc, err := openapi.Swagger()
	require.NoError(t, err)
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			require.Contains(t, page, `id="op-`+op.OperationID+`"`, "%s %s is not on the page", method, path)
		}
	}
	for _, doc := range []string{"/openapi.yaml", "/openapi.json"} {
		code, _ := e.do(t, nil, http.MethodGet, doc, nil)
		require.Equal(t, http.StatusOK, code, doc)
	}

	browser := chromium()
	if browser == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed: CI must look at the docs page (apt-get install chromium)")
		}
		t.Skip("chromium is not installed")
	}
	shot := filepath.Join(artifacts(t), "docs.png")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-quic", "--no-first-run", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--hide-scrollbars",
		"--user-data-dir="+t.TempDir(), "--window-size=1280,1600",
		"--screenshot="+shot, e.URL+"/docs")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)

	f, err := os.Open(shot)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	b := img.Bounds()
	require.Equal(t, 1280, b.Dx())
	// The page's header band is #17404f: the page rendered with its style,
	// not as unstyled text or an error page.
	r, g, bl, _ := img.At(20, 20).RGBA()
	require.Equal(t, [3]uint32{0x17, 0x40, 0x4f}, [3]uint32{r >> 8, g >> 8, bl >> 8}, "top-left pixel of the header")
	// And the body below it is not blank: count distinct colours in a strip.
	colours := map[uint32]bool{}
	for x := 0; x < b.Dx(); x += 3 {
		for y := 300; y < 700; y += 3 {
			r, g, bl, _ := img.At(x, y).RGBA()
			colours[(r>>8)<<16|(g>>8)<<8|bl>>8] = true
		}
	}
	require.Greater(t, len(colours), 20, "the page body looks empty")
	t.Logf("screenshot: %s (%s colours sampled)", shot, strconv.Itoa(len(colours)))
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
		dir = filepath.Join(strings.TrimSuffix(wd, string(filepath.Separator)+"openapi"), "artifacts")
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return dir
}
