package main

import (
	"net/http"
	"strconv"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/vetlink/vetlink/openapi"
)

// unmatchedRoute labels requests that matched no operation of the API (a
// 404, a 405) and the pages outside it (the document, the docs page), so
// that a scanner's random paths do not each become a time series.
const unmatchedRoute = "other"

// instrument wraps next with a span and the HTTP metrics for each request.
// The route label is the OpenAPI path template the openapi gate resolved
// (openapi.RouteSlot), or fixed when the server's own mux routed it
// (/healthz, /readyz, /metrics). The trace context of the request's
// traceparent/tracestate headers (W3C) is continued.
func (t *telemetry) instrument(fixedRoute string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ctx := t.propagator.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
		ctx, span := t.tracer.Start(ctx, r.Method, trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(
				attribute.String("http.request.method", r.Method),
				attribute.String("url.path", r.URL.Path),
				attribute.String("url.scheme", scheme(r)),
				attribute.String("user_agent.original", r.UserAgent()),
			))
		defer span.End()
		ctx, slot := openapi.WithRouteSlot(ctx)
		active := metric.WithAttributeSet(attribute.NewSet(attribute.String("http.request.method", r.Method)))
		t.httpActive.Add(ctx, 1, active)
		defer t.httpActive.Add(ctx, -1, active)

		sw := &statusRecorder{ResponseWriter: w}
		defer func() {
			// A panic is answered by openapi.Logged inside; one that
			// escapes still gets its span and its count, as a 500.
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			p := recover()
			if p != nil {
				status = http.StatusInternalServerError
			}
			route := fixedRoute
			if route == "" {
				route = slot.Route()
			}
			if route == "" {
				route = unmatchedRoute
			}
			span.SetName(r.Method + " " + route)
			span.SetAttributes(attribute.String("http.route", route), attribute.Int("http.response.status_code", status))
			if status >= 500 {
				span.SetStatus(codes.Error, strconv.Itoa(status))
			}
			t.httpDuration.Record(ctx, time.Since(start).Seconds(), metric.WithAttributeSet(attribute.NewSet(
				attribute.String("http.request.method", r.Method),
				attribute.String("http.route", route),
				attribute.Int("http.response.status_code", status),
			)))
			if p != nil {
				panic(p)
			}
		}()
		next.ServeHTTP(sw, r.WithContext(ctx))
	})
}

func scheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

// statusRecorder remembers the status of a response.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }
