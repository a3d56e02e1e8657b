package main

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/vetlink/vetlink/hl7/mllp"
	"github.com/vetlink/vetlink/vetview"
)

// The domain packages import no telemetry: each exposes a small observer
// (vetview.Observer, mllp.Observer, webhook.Observer, mail.Observer) or a
// method to poll, and the adapters here turn them into instruments.

// jobMetrics adapts vetview.Observer: runs, misses, lateness and duration
// per job kind.
type jobMetrics struct {
	runs     metric.Int64Counter
	missed   metric.Int64Counter
	lateness metric.Float64Histogram
	duration metric.Float64Histogram
}

// latenessBuckets are the bucket bounds, in seconds, of a job's lateness:
// from a poll's delay to a run taken over from a dead server.
var latenessBuckets = []float64{0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600}

// runBuckets are the bucket bounds, in seconds, of a run's duration.
var runBuckets = []float64{0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600}

func (t *telemetry) jobObserver() (*jobMetrics, error) {
	m := &jobMetrics{}
	var err, e error
	m.runs, e = t.meter.Int64Counter("vetlink.job.runs", metric.WithUnit("{run}"),
		metric.WithDescription("Job runs that ended, by kind and outcome (ok, failed, given_back, lease_lost, skipped)."))
	err = errors.Join(err, e)
	m.missed, e = t.meter.Int64Counter("vetlink.job.missed", metric.WithUnit("{occurrence}"),
		metric.WithDescription("Occurrences of a job's schedule skipped because they came due while it ran or no server ran it, by kind."))
	err = errors.Join(err, e)
	m.lateness, e = t.meter.Float64Histogram("vetlink.job.lateness", metric.WithUnit("s"),
		metric.WithDescription("Time from a run's scheduled instant to its start, by kind."),
		metric.WithExplicitBucketBoundaries(latenessBuckets...))
	err = errors.Join(err, e)
	m.duration, e = t.meter.Float64Histogram("vetlink.job.duration", metric.WithUnit("s"),
		metric.WithDescription("Duration of job runs, by kind and outcome."),
		metric.WithExplicitBucketBoundaries(runBuckets...))
	return m, errors.Join(err, e)
}

// RunStarted records the run's lateness.
func (m *jobMetrics) RunStarted(e vetview.RunEvent) {
	m.lateness.Record(context.Background(), max(e.Lateness, 0).Seconds(),
		metric.WithAttributeSet(attribute.NewSet(attribute.String("job.kind", e.Job.Kind))))
}

// RunFinished counts the run and records its duration.
func (m *jobMetrics) RunFinished(e vetview.RunEvent) {
	attrs := metric.WithAttributeSet(attribute.NewSet(attribute.String("job.kind", e.Job.Kind), attribute.String("outcome", string(e.Outcome))))
	m.runs.Add(context.Background(), 1, attrs)
	if e.Outcome != vetview.OutcomeSkipped && !(e.Outcome == vetview.OutcomeGivenBack && e.Duration == 0) {
		m.duration.Record(context.Background(), e.Duration.Seconds(), attrs)
	}
}

// OccurrencesMissed counts the skipped occurrences.
func (m *jobMetrics) OccurrencesMissed(j vetview.Job, n int) {
	m.missed.Add(context.Background(), int64(n), metric.WithAttributeSet(attribute.NewSet(attribute.String("job.kind", j.Kind))))
}

// serverGauge polls the vetview registry for the servers live and stale.
func (t *telemetry) serverGauge(servers func(context.Context) ([]vetview.ServerStatus, error)) error {
	_, err := t.meter.Int64ObservableGauge("vetlink.servers", metric.WithUnit("{server}"),
		metric.WithDescription("Servers in the vetview registry, live or stale (missed their heartbeats)."),
		metric.WithInt64Callback(func(ctx context.Context, o metric.Int64Observer) error {
			ctx, cancel := context.WithTimeout(ctx, pollTimeout)
			defer cancel()
			ss, err := servers(ctx)
			if err != nil {
				t.callbackError("the server registry", err)
				return nil
			}
			live, stale := 0, 0
			for _, s := range ss {
				if s.Stale {
					stale++
				} else {
					live++
				}
			}
			o.Observe(int64(live), metric.WithAttributes(attribute.String("state", "live")))
			o.Observe(int64(stale), metric.WithAttributes(attribute.String("state", "stale")))
			return nil
		}))
	return err
}

// mllpMetrics adapts mllp.Observer: messages and their ACK codes per
// listener.
type mllpMetrics struct {
	messages metric.Int64Counter
	duration metric.Float64Histogram
}

func (t *telemetry) mllpObserver() (*mllpMetrics, error) {
	m := &mllpMetrics{}
	var err, e error
	m.messages, e = t.meter.Int64Counter("vetlink.mllp.messages", metric.WithUnit("{message}"),
		metric.WithDescription("HL7 messages received over MLLP, by listener and acknowledgment code (AA, AE, AR; CA, CE, CR; none)."))
	err = errors.Join(err, e)
	m.duration, e = t.meter.Float64Histogram("vetlink.mllp.duration", metric.WithUnit("s"),
		metric.WithDescription("Time from a message's arrival to its acknowledgment, by listener."),
		metric.WithExplicitBucketBoundaries(durationBuckets...))
	return m, errors.Join(err, e)
}

// MessageAnswered counts the message under its ACK code.
func (m *mllpMetrics) MessageAnswered(e mllp.MessageEvent) {
	code := e.Code
	if code == "" {
		code = "none"
	} else if !e.Written {
		code += "_unsent"
	}
	ctx := context.Background()
	m.messages.Add(ctx, 1, metric.WithAttributeSet(attribute.NewSet(attribute.String("listener", e.Listener), attribute.String("ack", code))))
	m.duration.Record(ctx, e.Duration.Seconds(), metric.WithAttributeSet(attribute.NewSet(attribute.String("listener", e.Listener))))
}

// poolGauges reports the database connection pool (database/sql's Stats:
// the server reaches PostgreSQL through pgx's database/sql driver).
func (t *telemetry) poolGauges(db *sql.DB, engine string) error {
	engineAttr := attribute.String("db.system", engine)
	conns, err1 := t.meter.Int64ObservableGauge("vetlink.db.pool.connections", metric.WithUnit("{connection}"),
		metric.WithDescription("Connections of the database pool, by state (in_use, idle)."))
	maxOpen, err2 := t.meter.Int64ObservableGauge("vetlink.db.pool.max_connections", metric.WithUnit("{connection}"),
		metric.WithDescription("The most connections the pool opens."))
	waits, err3 := t.meter.Int64ObservableCounter("vetlink.db.pool.waits", metric.WithUnit("{wait}"),
		metric.WithDescription("Times a query waited for a free connection."))
	waited, err4 := t.meter.Float64ObservableCounter("vetlink.db.pool.wait_time", metric.WithUnit("s"),
		metric.WithDescription("Total time queries waited for a free connection."))
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return err
	}
	_, err := t.meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		s := db.Stats()
		o.ObserveInt64(conns, int64(s.InUse), metric.WithAttributes(engineAttr, attribute.String("state", "in_use")))
		o.ObserveInt64(conns, int64(s.Idle), metric.WithAttributes(engineAttr, attribute.String("state", "idle")))
		o.ObserveInt64(maxOpen, int64(s.MaxOpenConnections), metric.WithAttributes(engineAttr))
		o.ObserveInt64(waits, s.WaitCount, metric.WithAttributes(engineAttr))
		o.ObserveFloat64(waited, s.WaitDuration.Seconds(), metric.WithAttributes(engineAttr))
		return nil
	}, conns, maxOpen, waits, waited)
	return err
}

// mailBacklogGauge polls the number of mails waiting in the outbox.
func (t *telemetry) mailBacklogGauge(backlog func(context.Context) (int, error)) error {
	_, err := t.meter.Int64ObservableGauge("vetlink.mail.backlog", metric.WithUnit("{mail}"),
		metric.WithDescription("Mails waiting in the outbox (pending, due or waiting for a retry)."),
		metric.WithInt64Callback(func(ctx context.Context, o metric.Int64Observer) error {
			ctx, cancel := context.WithTimeout(ctx, pollTimeout)
			defer cancel()
			n, err := backlog(ctx)
			if err != nil {
				t.callbackError("the mail backlog", err)
				return nil
			}
			o.Observe(int64(n))
			return nil
		}))
	return err
}

// mailMetrics adapts mail.Observer: attempts per kind and outcome. Its
// Backlog is the same number the polled gauge reads, so it is not
// recorded twice.
type mailMetrics struct {
	attempts metric.Int64Counter
	duration metric.Float64Histogram
}

func (t *telemetry) mailObserver() (*mailMetrics, error) {
	m := &mailMetrics{}
	var err, e error
	m.attempts, e = t.meter.Int64Counter("vetlink.mail.attempts", metric.WithUnit("{attempt}"),
		metric.WithDescription("Attempts to send a mail, by kind and outcome (sent, failed)."))
	err = errors.Join(err, e)
	m.duration, e = t.meter.Float64Histogram("vetlink.mail.attempt.duration", metric.WithUnit("s"),
		metric.WithDescription("Duration of attempts to send a mail, by kind."),
		metric.WithExplicitBucketBoundaries(durationBuckets...))
	return m, errors.Join(err, e)
}

// Backlog does nothing: the gauge polls the store at each read.
func (m *mailMetrics) Backlog(int) {}

// Attempted counts the attempt.
func (m *mailMetrics) Attempted(kind string, sent bool, d time.Duration) {
	outcome := "failed"
	if sent {
		outcome = "sent"
	}
	ctx := context.Background()
	m.attempts.Add(ctx, 1, metric.WithAttributeSet(attribute.NewSet(attribute.String("mail.kind", kind), attribute.String("outcome", outcome))))
	m.duration.Record(ctx, d.Seconds(), metric.WithAttributeSet(attribute.NewSet(attribute.String("mail.kind", kind))))
}
