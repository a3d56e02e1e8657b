package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
)

// The server's telemetry goes through one instrumentation API,
// OpenTelemetry: every instrument is created once on an OpenTelemetry
// meter, and read both by the Prometheus exporter (GET /metrics, for
// those who scrape) and, when the standard OTEL_* variables ask for it,
// by an OTLP exporter that pushes to a collector. With
// prometheus/client_golang directly there would be a second API for the
// OTLP side, or no OTLP at all. Traces, one span per HTTP request, go to
// OTLP only.
//
// The environment variables are OpenTelemetry's own:
//
//	OTEL_SDK_DISABLED=true                 no metrics, no traces, no /metrics
//	OTEL_EXPORTER_OTLP_ENDPOINT            push metrics and traces over OTLP/HTTP
//	OTEL_EXPORTER_OTLP_{METRICS,TRACES}_ENDPOINT   one signal only
//	OTEL_{METRICS,TRACES}_EXPORTER=otlp|none      switch a signal's OTLP export on or off
//	OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT, _COMPRESSION, OTEL_METRIC_EXPORT_INTERVAL,
//	OTEL_TRACES_SAMPLER, OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES  as specified
//
// Only the http/protobuf protocol is built in.

// instrumentationName names the meter and tracer of the server.
const instrumentationName = "github.com/vetlink/vetlink/examples/server"

// telemetry is the server's meter and tracer with their exporters.
type telemetry struct {
	meter      metric.Meter
	tracer     trace.Tracer
	propagator propagation.TextMapPropagator
	// metrics serves the Prometheus exposition; nil when the SDK is
	// disabled.
	metrics http.Handler
	// shutdown flushes and stops the exporters.
	shutdown func(context.Context) error
	logger   *slog.Logger

	httpDuration metric.Float64Histogram
	httpActive   metric.Int64UpDownCounter
}

// otelEnv reports what the OTEL_* variables of getenv ask for.
type otelEnv struct {
	disabled      bool
	otlpMetrics   bool
	otlpTraces    bool
	protocolWarns string
}

func readOTelEnv(getenv func(string) string) otelEnv {
	var e otelEnv
	e.disabled = strings.EqualFold(strings.TrimSpace(getenv("OTEL_SDK_DISABLED")), "true")
	endpoint := getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != ""
	// A signal goes to OTLP when its exporter is "otlp", or when it is
	// not named and an endpoint for it is set; "none" switches it off.
	signal := func(exporterVar, endpointVar string) bool {
		switch strings.ToLower(strings.TrimSpace(getenv(exporterVar))) {
		case "none":
			return false
		case "otlp":
			return true
		default:
			return endpoint || getenv(endpointVar) != ""
		}
	}
	e.otlpMetrics = signal("OTEL_METRICS_EXPORTER", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT")
	e.otlpTraces = signal("OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
	if p := getenv("OTEL_EXPORTER_OTLP_PROTOCOL"); p != "" && p != "http/protobuf" {
		e.protocolWarns = p
	}
	return e
}

// newTelemetry sets up the meter and tracer for this process. version
// becomes the resource's service.version; OTEL_SERVICE_NAME and
// OTEL_RESOURCE_ATTRIBUTES override the defaults.
func newTelemetry(ctx context.Context, getenv func(string) string, version string, logger *slog.Logger) (*telemetry, error) {
	env := readOTelEnv(getenv)
	t := &telemetry{
		propagator: propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}),
		shutdown:   func(context.Context) error { return nil },
		logger:     logger,
	}
	if env.disabled {
		logger.Info("telemetry off (OTEL_SDK_DISABLED)")
		t.meter = metricnoop.NewMeterProvider().Meter(instrumentationName)
		t.tracer = tracenoop.NewTracerProvider().Tracer(instrumentationName)
		return t, t.instruments()
	}
	if env.protocolWarns != "" {
		logger.Warn("telemetry: only OTLP over http/protobuf is built in; using it", "OTEL_EXPORTER_OTLP_PROTOCOL", env.protocolWarns)
	}
	res, err := resource.New(ctx,
		resource.WithAttributes(
			attribute.String("service.name", "vetlink-server"),
			attribute.String("service.version", version),
		),
		resource.WithFromEnv(), // OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES win
		resource.WithHost(),
		resource.WithProcessPID(),
	)
	if err != nil && res == nil {
		return nil, fmt.Errorf("telemetry: resource: %w", err)
	}

	// Each server has its own registry: nothing global, so that tests can
	// run several servers in one process.
	reg := prometheus.NewRegistry()
	promExporter, err := otelprom.New(otelprom.WithRegisterer(reg))
	if err != nil {
		return nil, fmt.Errorf("telemetry: prometheus exporter: %w", err)
	}
	metricOpts := []sdkmetric.Option{sdkmetric.WithResource(res), sdkmetric.WithReader(promExporter)}
	if env.otlpMetrics {
		exp, err := otlpmetrichttp.New(ctx)
		if err != nil {
			return nil, fmt.Errorf("telemetry: OTLP metric exporter: %w", err)
		}
		// The interval comes from OTEL_METRIC_EXPORT_INTERVAL (default 60 s).
		metricOpts = append(metricOpts, sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp)))
	}
	mp := sdkmetric.NewMeterProvider(metricOpts...)

	// Spans are made even without an exporter, so that a request's trace
	// context passes on; the sampler follows OTEL_TRACES_SAMPLER.
	traceOpts := []sdktrace.TracerProviderOption{sdktrace.WithResource(res)}
	if env.otlpTraces {
		exp, err := otlptracehttp.New(ctx)
		if err != nil {
			return nil, fmt.Errorf("telemetry: OTLP trace exporter: %w", err)
		}
		traceOpts = append(traceOpts, sdktrace.WithBatcher(exp))
	}
	tp := sdktrace.NewTracerProvider(traceOpts...)

	t.meter = mp.Meter(instrumentationName)
	t.tracer = tp.Tracer(instrumentationName)
	t.metrics = promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)})
	t.shutdown = func(ctx context.Context) error {
		return errors.Join(tp.Shutdown(ctx), mp.Shutdown(ctx))
	}
	logger.Info("telemetry on", "metrics", "/metrics", "otlp_metrics", env.otlpMetrics, "otlp_traces", env.otlpTraces)
	return t, t.instruments()
}

// durationBuckets are the bucket bounds, in seconds, of the latency
// histograms: those OpenTelemetry's HTTP conventions recommend.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

// instruments creates the HTTP instruments; the domain adapters create
// theirs in telemetry_domain.go.
func (t *telemetry) instruments() error {
	var err, e error
	t.httpDuration, e = t.meter.Float64Histogram("http.server.request.duration",
		metric.WithUnit("s"), metric.WithDescription("Duration of HTTP requests, by route (the OpenAPI path template) and status."),
		metric.WithExplicitBucketBoundaries(durationBuckets...))
	err = errors.Join(err, e)
	t.httpActive, e = t.meter.Int64UpDownCounter("http.server.active_requests",
		metric.WithUnit("{request}"), metric.WithDescription("HTTP requests in progress."))
	return errors.Join(err, e)
}

// observe reports an instrument's callback error to the log, once per
// failure, without failing the scrape.
func (t *telemetry) callbackError(what string, err error) {
	if err != nil && !errors.Is(err, context.Canceled) {
		t.logger.Warn("telemetry: reading "+what, "err", err)
	}
}

// pollTimeout bounds the database reads of a gauge's callback.
const pollTimeout = 2 * time.Second
