package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/store/storetest"
)

// The secrets the README's walk-through uses by default.
const (
	walkthroughAdminPassword = "walkthrough-admin-pw"
	walkthroughAPIKey        = "vlk_walkthrough_key_0123456789abcdef"
)

// walkthroughBlock returns the first ```sh block under the "## Walk-through"
// heading of the README.
func walkthroughBlock(t *testing.T, readme string) string {
	t.Helper()
	_, section, ok := strings.Cut(readme, "\n## Walk-through\n")
	require.True(t, ok, "README.md has no ## Walk-through section")
	if i := strings.Index(section, "\n## "); i >= 0 {
		section = section[:i]
	}
	_, block, ok := strings.Cut(section, "\n```sh\n")
	require.True(t, ok, "the Walk-through section has no ```sh block")
	block, _, ok = strings.Cut(block, "\n```")
	require.True(t, ok, "the ```sh block of the Walk-through is not closed")
	return block
}

// TestREADMEWalkthrough runs the README's walk-through, as written,
// against the real server, so the README cannot drift from what the
// server does.
func TestREADMEWalkthrough(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	block := walkthroughBlock(t, string(readme))

	dsn := storetest.SQLitePath(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := config{
		Addr:          "127.0.0.1:0",
		DB:            dsn,
		KeyFile:       filepath.Join(t.TempDir(), "vetlink.key"),
		AdminPassword: walkthroughAdminPassword,
		APIKey:        walkthroughAPIKey,
	}
	// The server's log, where the walk-through finds the mailed links, as
	// in the README's command (2>server.log).
	logPath := filepath.Join(t.TempDir(), "server.log")
	logFile, err := os.Create(logPath)
	require.NoError(t, err)
	defer logFile.Close()
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- run(ctx, cfg, slog.New(slog.NewJSONHandler(logFile, nil)), ready) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("server stopped before listening: %v", err)
	case <-time.After(15 * time.Second):
		t.Fatal("server did not start within 15 s")
	}

	sh, cancelSh := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancelSh()
	cmd := exec.CommandContext(sh, "bash", "-euo", "pipefail", "-c", block)
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "API=http://"+addr, "LOG="+logPath)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	require.NoError(t, err, "the walk-through failed\nstdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())

	out := strings.TrimRight(stdout.String(), "\n")
	last := out[strings.LastIndexByte(out, '\n')+1:]
	require.Contains(t, last, `"animalId":"Bossie34"`, "the last step lists the withholds\nstdout:\n%s", out)

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err, "a graceful shutdown returns nil")
	case <-time.After(15 * time.Second):
		t.Fatal("server did not stop within 15 s")
	}
}
