package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"path/filepath"
	"runtime"
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
		{"roles from the environment", nil, map[string]string{"VETLINK_ROLES": "api"}, config{Addr: ":8080", DB: "vetlink.db", Roles: roles{noJobs: true, noDispatcher: true}}},
		{"roles flag wins", []string{"-roles", "jobs,dispatcher", "-name", "interfaces-1"}, map[string]string{"VETLINK_ROLES": "api"},
			config{Addr: ":8080", DB: "vetlink.db", ServerName: "interfaces-1", Roles: roles{noAPI: true}}},
		{"all roles", []string{"-roles", "all"}, nil, config{Addr: ":8080", DB: "vetlink.db"}},
		{"webhook allow", []string{"-webhook-allow", "127.0.0.1, 10.20.3.4/16"}, nil,
			config{Addr: ":8080", DB: "vetlink.db", WebhookAllow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("10.20.0.0/16")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseConfig(tt.args, func(k string) string { return tt.env[k] })
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
	bad := []struct {
		args []string
		want string
	}{
		{[]string{"serve"}, `unexpected arguments ["serve"]`},
		{[]string{"-roles", "api,mail"}, `roles "api,mail": unknown role "mail"; the roles are api, jobs, dispatcher, or all`},
		{[]string{"-roles", ","}, `unknown role ""`},
		{[]string{"-webhook-allow", "10.0.0.0/33"}, `webhook-allow "10.0.0.0/33": "10.0.0.0/33" is not an address/prefix range`},
		{[]string{"-webhook-allow", "intranet"}, `"intranet" is neither an address nor an address/prefix range`},
	}
	for _, tt := range bad {
		_, err := parseConfig(tt.args, func(string) string { return "" })
		require.ErrorContains(t, err, tt.want, "%q", tt.args)
	}
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
	require.NotEmpty(t, h.Version, "the version from the build information")
	require.Equal(t, runtime.Version(), h.Go)

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
