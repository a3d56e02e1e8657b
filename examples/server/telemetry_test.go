package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"regexp"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/vetlink/vetlink/openapi"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
	"github.com/vetlink/vetlink/webhook"
)

// opsServer runs the real server (run) with cfg on a loopback port until
// the test ends, and returns its base URL.
func opsServer(t *testing.T, cfg config) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cfg.Addr = "127.0.0.1:0"
	if cfg.SecretKey == "" {
		cfg.SecretKey = e2eSecretKey
	}
	if cfg.APIKey == "" {
		cfg.APIKey = e2eAPIKey
	}
	cfg.AdminUsername, cfg.AdminPassword = "administrator", e2eAdminPassword
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- run(ctx, cfg, slog.New(slog.DiscardHandler), ready) }()
	var base string
	select {
	case addr := <-ready:
		base = "http://" + addr
	case err := <-done:
		cancel()
		t.Fatalf("server stopped before listening: %v", err)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("server did not start within 30 s")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(30 * time.Second):
			t.Error("server did not stop within 30 s")
		}
	})
	return base
}

// get returns the status and body of GET base+path.
func get(t *testing.T, base, path string, header ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	require.NoError(t, err)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

func TestMetricsExposeTheInstrumentsByRoute(t *testing.T) {
	base := opsServer(t, config{DB: storetest.SQLitePath(t), ServerName: "metrics-1"})
	// A few requests: an operation with a path parameter (401 without a
	// token), one routed to no operation, and the liveness check.
	for _, id := range []string{"1", "2", "3"} {
		code, _ := get(t, base, "/api/users/"+id, openapi.APIKeyHeader, e2eAPIKey)
		require.Equal(t, http.StatusUnauthorized, code)
	}
	code, _ := get(t, base, "/api/no/such/operation/4711")
	require.Equal(t, http.StatusNotFound, code)
	code, _ = get(t, base, "/healthz")
	require.Equal(t, http.StatusOK, code)

	// The scheduler registers the server in the background: scrape until
	// the registry shows it.
	var metrics string
	require.Eventually(t, func() bool {
		code, metrics = get(t, base, "/metrics")
		return code == http.StatusOK && regexp.MustCompile(`vetlink_servers\{[^}]*state="live"[^}]*\} 1\n`).MatchString(metrics)
	}, 20*time.Second, 50*time.Millisecond, "the server registers itself")
	// Labels come sorted by name; the exporter adds the scope's.
	tests := []struct{ name, pattern string }{
		{"route template, method and status", `http_server_request_duration_seconds_count\{http_request_method="GET",http_response_status_code="401",http_route="/api/users/\{id\}",[^}]*\} 3\n`},
		{"no operation is one series", `http_server_request_duration_seconds_count\{http_request_method="GET",http_response_status_code="404",http_route="other",[^}]*\} 1\n`},
		{"the server's own routes", `http_server_request_duration_seconds_count\{[^}]*http_route="/healthz"[^}]*\} 1\n`},
		{"latency buckets", `http_server_request_duration_seconds_bucket\{[^}]*http_route="/api/users/\{id\}"[^}]*le="0.005"\}`},
		{"requests in progress", `http_server_active_requests\{http_request_method="GET"`},
		{"servers live", `vetlink_servers\{[^}]*state="live"[^}]*\} 1\n`},
		{"servers stale", `vetlink_servers\{[^}]*state="stale"[^}]*\} 0\n`},
		{"pool in use", `vetlink_db_pool_connections\{db_system="sqlite",[^}]*state="in_use"`},
		{"pool limit", `vetlink_db_pool_max_connections\{db_system="sqlite"`},
		{"pool waits", `vetlink_db_pool_waits_total\{`},
		{"mail backlog", `vetlink_mail_backlog\{[^}]*\} 0\n`},
		{"scope", `otel_scope_name="github.com/vetlink/vetlink/examples/server"`},
		{"resource", `target_info\{[^}]*service_name="vetlink-server"`},
	}
	for _, tt := range tests {
		require.Regexp(t, tt.pattern, metrics, tt.name)
	}
	require.NotContains(t, metrics, "/api/users/1", "raw paths never become labels")
	require.NotContains(t, metrics, "4711")
}

func TestReadinessFailsOnTheWrongSchemaVersion(t *testing.T) {
	path := storetest.SQLitePath(t)
	base := opsServer(t, config{DB: path})
	code, body := get(t, base, "/readyz")
	require.Equal(t, http.StatusOK, code, body)
	var rd readiness
	require.NoError(t, json.Unmarshal([]byte(body), &rd))
	require.Equal(t, "ready", rd.Status)
	require.Equal(t, rd.KnownVersion, rd.SchemaVersion)

	// A newer build migrates the database further: this one must not
	// serve, but it is alive.
	db, err := store.Open(context.Background(), path)
	require.NoError(t, err)
	defer db.Close()
	_, err = db.SQL().Exec(`INSERT INTO vetlink_schema_migrations (version, name, applied_at) VALUES (?, 'from a newer build', ?)`, rd.KnownVersion+1, time.Now().Unix())
	require.NoError(t, err)
	code, body = get(t, base, "/readyz")
	require.Equal(t, http.StatusServiceUnavailable, code, body)
	require.NoError(t, json.Unmarshal([]byte(body), &rd))
	require.Equal(t, "not ready", rd.Status)
	require.Equal(t, rd.KnownVersion+1, rd.SchemaVersion)
	require.Contains(t, rd.Error, "schema version")
	code, body = get(t, base, "/healthz")
	require.Equal(t, http.StatusOK, code, "liveness does not depend on the database: %s", body)
}

func TestReadinessFailsWhenTheDatabaseIsGone(t *testing.T) {
	db := storetest.SQLite(t)
	var ready atomic.Bool
	ready.Store(true)
	h := readyHandler(&ready, db)
	tests := []struct {
		name  string
		setup func()
		code  int
		error string
	}{
		{"ready", func() {}, http.StatusOK, ""},
		{"stopping", func() { ready.Store(false) }, http.StatusServiceUnavailable, "starting or stopping"},
		{"database closed", func() { ready.Store(true); db.Close() }, http.StatusServiceUnavailable, "the database did not answer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.setup()
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/readyz", nil))
			require.Equal(t, tt.code, w.Code, w.Body.String())
			var rd readiness
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &rd))
			require.Equal(t, tt.error, rd.Error)
		})
	}
}

func TestRolesKeepTheDispatcherAndJobsOffAnAPIServer(t *testing.T) {
	onEachEngine(t, func(t *testing.T, dsn string) {
		var received atomic.Int64
		receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			received.Add(1)
		}))
		defer receiver.Close()
		allow := []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}

		api := opsServer(t, config{DB: dsn, ServerName: "api-1", Roles: roles{noJobs: true, noDispatcher: true}, WebhookAllow: allow})
		// A committed change with a webhook pending for the receiver.
		db, err := store.Open(context.Background(), dsn)
		require.NoError(t, err)
		defer db.Close()
		key, err := hex.DecodeString(e2eSecretKey)
		require.NoError(t, err)
		require.NoError(t, db.SetSecretKey(key))
		svc := &webhook.Service{Store: db.Webhooks(), Guard: &webhook.Guard{Allow: allow}}
		_, err = svc.CreateSubscription(context.Background(), webhook.Subscription{
			URL: receiver.URL, Events: []webhook.EventType{"prescription.*"}, Active: true,
			Secrets: []webhook.Secret{{Key: webhook.NewSecret()}},
		})
		require.NoError(t, err)
		require.NoError(t, db.InTx(context.Background(), func(ctx context.Context) error {
			_, err := svc.Publish(ctx, webhook.Event{Type: "prescription.created", ResourceID: "rx-1"})
			return err
		}))

		time.Sleep(3 * time.Second) // several dispatcher polls, had it one
		require.Zero(t, received.Load(), "an api server delivers no webhook")
		servers, err := db.Vetview().Servers(context.Background())
		require.NoError(t, err)
		require.Empty(t, servers, "an api server runs no scheduler, so it is not in the registry")
		code, _ := get(t, api, "/api/users/1", openapi.APIKeyHeader, e2eAPIKey)
		require.Equal(t, http.StatusUnauthorized, code, "it serves the API")

		// The interface server sharing the database does both.
		jobs := opsServer(t, config{DB: dsn, ServerName: "interfaces-1", Roles: roles{noAPI: true}, WebhookAllow: allow})
		require.Eventually(t, func() bool { return received.Load() == 1 }, 20*time.Second, 50*time.Millisecond,
			"the dispatcher server delivers what the api server published")
		require.Eventually(t, func() bool {
			servers, err = db.Vetview().Servers(context.Background())
			return err == nil && len(servers) == 1
		}, 20*time.Second, 50*time.Millisecond, "the jobs server registers itself")
		require.Equal(t, "interfaces-1", servers[0].Name)
		code, _ = get(t, jobs, "/api/users/1", openapi.APIKeyHeader, e2eAPIKey)
		require.Equal(t, http.StatusNotFound, code, "it serves no API")
		code, _ = get(t, jobs, "/readyz")
		require.Equal(t, http.StatusOK, code, "but is watched")
	})
}

func TestOTelSDKDisabledTurnsTelemetryOff(t *testing.T) {
	t.Setenv("OTEL_SDK_DISABLED", "true")
	base := opsServer(t, config{DB: storetest.SQLitePath(t)})
	code, _ := get(t, base, "/metrics")
	require.Equal(t, http.StatusNotFound, code)
	code, _ = get(t, base, "/healthz")
	require.Equal(t, http.StatusOK, code)
}

func TestReadOTelEnv(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want otelEnv
	}{
		{"nothing set: Prometheus only", nil, otelEnv{}},
		{"disabled", map[string]string{"OTEL_SDK_DISABLED": "TRUE"}, otelEnv{disabled: true}},
		{"disabled only by true", map[string]string{"OTEL_SDK_DISABLED": "1"}, otelEnv{}},
		{"endpoint: both signals", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, otelEnv{otlpMetrics: true, otlpTraces: true}},
		{"traces endpoint only", map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c:4318/v1/traces"}, otelEnv{otlpTraces: true}},
		{"metrics exporter none", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_METRICS_EXPORTER": "none"}, otelEnv{otlpTraces: true}},
		{"exporter otlp without endpoint: the default one", map[string]string{"OTEL_TRACES_EXPORTER": "otlp"}, otelEnv{otlpTraces: true}},
		{"grpc asked for", map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, otelEnv{protocolWarns: "grpc"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, readOTelEnv(func(k string) string { return tt.env[k] }))
		})
	}
}

func TestInstrumentContinuesTheCallersTrace(t *testing.T) {
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	tel, err := newTelemetry(context.Background(), func(string) string { return "" }, "test", slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	tel.tracer = tp.Tracer("test")
	h := tel.instrument("/healthz", healthHandler("test"))

	const traceID, parentID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	r := httptest.NewRequest(http.MethodGet, "/healthz", nil)
	r.Header.Set("traceparent", "00-"+traceID+"-"+parentID+"-01")
	h.ServeHTTP(httptest.NewRecorder(), r)
	got := spans.GetSpans()
	require.Len(t, got, 1)
	require.Equal(t, "GET /healthz", got[0].Name)
	require.Equal(t, traceID, got[0].SpanContext.TraceID().String())
	require.Equal(t, parentID, got[0].Parent.SpanID().String())
	require.True(t, got[0].Parent.IsRemote())

	// Without a traceparent, a new trace; the propagator is W3C's.
	spans.Reset()
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/healthz", nil))
	got = spans.GetSpans()
	require.Len(t, got, 1)
	require.False(t, got[0].Parent.IsValid())
	require.Contains(t, tel.propagator.Fields(), "traceparent")
	var _ propagation.TextMapPropagator = tel.propagator
}

func TestVersionOf(t *testing.T) {
	tests := []struct {
		name string
		bi   debug.BuildInfo
		want string
	}{
		{"released", debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}, Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef"}}}, "v1.4.0"},
		{"checkout", debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.time", Value: "2026-12-02T07:00:00Z"}, {Key: "vcs.modified", Value: "true"}}},
			"(devel) 0123456789ab 2026-12-02T07:00:00Z modified"},
		{"no VCS", debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "(devel)"},
		{"test binary", debug.BuildInfo{}, "(devel)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, versionOf(&tt.bi))
		})
	}
	require.True(t, strings.TrimSpace(buildVersion()) != "")
}
