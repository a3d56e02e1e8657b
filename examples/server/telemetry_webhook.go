package main

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/vetlink/vetlink/webhook"
)

// webhookMetrics adapts webhook.Observer: attempts per subscription and
// outcome with their latency, and a client span per attempt.
type webhookMetrics struct {
	webhook.BaseObserver
	tracer   trace.Tracer
	attempts metric.Int64Counter
	latency  metric.Float64Histogram
	queued   metric.Float64Histogram
}

func (t *telemetry) webhookObserver() (*webhookMetrics, error) {
	m := &webhookMetrics{tracer: t.tracer}
	var err, e error
	m.attempts, e = t.meter.Int64Counter("vetlink.webhook.attempts", metric.WithUnit("{attempt}"),
		metric.WithDescription("Webhook delivery attempts, by subscription and verdict (delivered, retry, give_up, disable): delivered ones are the deliveries, the rest the failures."))
	err = errors.Join(err, e)
	m.latency, e = t.meter.Float64Histogram("vetlink.webhook.attempt.duration", metric.WithUnit("s"),
		metric.WithDescription("Time from sending a delivery to the receiver's answer, by subscription."),
		metric.WithExplicitBucketBoundaries(durationBuckets...))
	err = errors.Join(err, e)
	m.queued, e = t.meter.Float64Histogram("vetlink.webhook.queued", metric.WithUnit("s"),
		metric.WithDescription("Time a delivery waited between being due and its attempt, by subscription."),
		metric.WithExplicitBucketBoundaries(latenessBuckets...))
	return m, errors.Join(err, e)
}

// AttemptStarted starts the attempt's span and records its wait.
func (m *webhookMetrics) AttemptStarted(ctx context.Context, a webhook.AttemptInfo) context.Context {
	m.queued.Record(ctx, max(a.Queued, 0).Seconds(), metric.WithAttributeSet(attribute.NewSet(attribute.String("subscription", a.SubscriptionID.String()))))
	ctx, _ = m.tracer.Start(ctx, "webhook "+string(a.EventType), trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(
			attribute.String("webhook.subscription", a.SubscriptionID.String()),
			attribute.String("webhook.delivery", a.DeliveryID.String()),
			attribute.String("webhook.event_type", string(a.EventType)),
			attribute.Int("webhook.attempt", a.Number),
		))
	return ctx
}

// AttemptSucceeded counts a delivery.
func (m *webhookMetrics) AttemptSucceeded(ctx context.Context, a webhook.AttemptInfo, r webhook.AttemptResult) {
	m.ended(ctx, a, r)
}

// AttemptFailed counts a failure under its verdict.
func (m *webhookMetrics) AttemptFailed(ctx context.Context, a webhook.AttemptInfo, r webhook.AttemptResult) {
	m.ended(ctx, a, r)
}

func (m *webhookMetrics) ended(ctx context.Context, a webhook.AttemptInfo, r webhook.AttemptResult) {
	sub := attribute.String("subscription", a.SubscriptionID.String())
	verdict := verdictLabel(r.Verdict)
	m.attempts.Add(ctx, 1, metric.WithAttributeSet(attribute.NewSet(sub, attribute.String("verdict", verdict))))
	m.latency.Record(ctx, r.Latency.Seconds(), metric.WithAttributeSet(attribute.NewSet(sub)))
	span := trace.SpanFromContext(ctx)
	span.SetAttributes(attribute.Int("http.response.status_code", r.StatusCode), attribute.String("webhook.verdict", verdict))
	if r.Verdict != webhook.Delivered {
		span.SetStatus(codes.Error, r.Error)
	}
	span.End()
}

// verdictLabel is a verdict as a label value: delivered, retry, give_up,
// disable.
func verdictLabel(v webhook.Verdict) string {
	switch v {
	case webhook.Delivered:
		return "delivered"
	case webhook.Retry:
		return "retry"
	case webhook.GiveUp:
		return "give_up"
	case webhook.Disable:
		return "disable"
	}
	return strings.ToLower(strconv.Itoa(int(v)))
}

// webhookBacklogGauges poll the pending deliveries per subscription: how
// many wait, how many are due, and the age of the oldest.
func (t *telemetry) webhookBacklogGauges(backlog func(context.Context) ([]webhook.Backlog, error)) error {
	pending, err1 := t.meter.Int64ObservableGauge("vetlink.webhook.backlog", metric.WithUnit("{delivery}"),
		metric.WithDescription("Pending webhook deliveries per subscription (due, or waiting for a retry)."))
	due, err2 := t.meter.Int64ObservableGauge("vetlink.webhook.due", metric.WithUnit("{delivery}"),
		metric.WithDescription("Pending webhook deliveries due now, per subscription."))
	oldest, err3 := t.meter.Float64ObservableGauge("vetlink.webhook.oldest_pending_age", metric.WithUnit("s"),
		metric.WithDescription("Age of the oldest pending webhook delivery per subscription: how far behind it is."))
	if err := errors.Join(err1, err2, err3); err != nil {
		return err
	}
	_, err := t.meter.RegisterCallback(func(ctx context.Context, o metric.Observer) error {
		ctx, cancel := context.WithTimeout(ctx, pollTimeout)
		defer cancel()
		bs, err := backlog(ctx)
		if err != nil {
			t.callbackError("the webhook backlog", err)
			return nil
		}
		for _, b := range bs {
			sub := metric.WithAttributes(attribute.String("subscription", b.SubscriptionID.String()))
			o.ObserveInt64(pending, int64(b.Pending), sub)
			o.ObserveInt64(due, int64(b.Due), sub)
			o.ObserveFloat64(oldest, b.OldestAge.Seconds(), sub)
		}
		return nil
	}, pending, due, oldest)
	return err
}
