package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseConfig(t *testing.T) {
	env := map[string]string{"VETLINK_ADDR": ":9000", "VETLINK_DB": "/var/lib/vetlink/v.db"}
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want config
	}{
		{"defaults", nil, nil, config{Addr: ":8080", DB: "vetlink.db"}},
		{"environment", nil, env, config{Addr: ":9000", DB: "/var/lib/vetlink/v.db"}},
		{"flags win", []string{"-addr", "127.0.0.1:1", "-db", "postgres://h/db"}, env, config{Addr: "127.0.0.1:1", DB: "postgres://h/db"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseConfig(tt.args, func(k string) string { return tt.env[k] })
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
	_, err := parseConfig([]string{"serve"}, func(string) string { return "" })
	require.ErrorContains(t, err, `unexpected arguments ["serve"]`)
}

func TestServerStartsOnSQLiteAndAnswersHealth(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := config{Addr: "127.0.0.1:0", DB: filepath.Join(t.TempDir(), "vetlink.db")}
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- run(ctx, cfg, slog.New(slog.DiscardHandler), ready) }()

	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("server stopped before listening: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start within 30 s")
	}
	resp, err := http.Get("http://" + addr + "/healthz")
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	var h health
	require.NoError(t, json.Unmarshal(body, &h))
	require.Equal(t, "ok", h.Status)
	require.Equal(t, "sqlite", h.Database)

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err, "a clean stop is not an error")
	case <-time.After(30 * time.Second):
		t.Fatal("server did not stop within 30 s")
	}
}

func TestServerRefusesBadDatabase(t *testing.T) {
	err := run(context.Background(), config{Addr: "127.0.0.1:0", DB: "mysql://x"}, slog.New(slog.DiscardHandler), nil)
	require.ErrorContains(t, err, `unsupported scheme "mysql"`)
}
