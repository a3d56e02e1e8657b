package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/vetlink/vetlink/vetview"
	"github.com/vetlink/vetlink/webhook"
)

// WebhookMaintenanceKindName is the kind name of the webhook maintenance job.
const WebhookMaintenanceKindName = "webhook-maintenance"

// DefaultWebhookRetentionDays is the retention of a new webhook
// maintenance job: a month of delivery log, enough to answer "did the lab
// system get that result?" about any recent event.
const DefaultWebhookRetentionDays = 30

// maxWebhookRetentionDays bounds RetentionDays at ten years: beyond that
// the job would never prune anything a clinic still has.
const maxWebhookRetentionDays = 3650

// WebhookMaintenanceSettings configure a job of kind "webhook-maintenance".
type WebhookMaintenanceSettings struct {
	// RetentionDays is how long the delivery log is kept: each run deletes
	// the attempts, the succeeded and failed deliveries, and the
	// unreferenced events older than this many days before the run's
	// scheduled time. At least 1; pending deliveries are always kept.
	RetentionDays int `json:"retentionDays"`
}

// Validate checks the settings when a job is configured.
func (s WebhookMaintenanceSettings) Validate() error {
	if s.RetentionDays < 1 || s.RetentionDays > maxWebhookRetentionDays {
		return fmt.Errorf("retentionDays %d: must be between 1 and %d", s.RetentionDays, maxWebhookRetentionDays)
	}
	return nil
}

// Retention returns RetentionDays as a duration.
func (s WebhookMaintenanceSettings) Retention() time.Duration {
	return time.Duration(s.RetentionDays) * 24 * time.Hour
}

// A WebhookMaintenanceReport is what one maintenance run did.
type WebhookMaintenanceReport struct {
	// Recovered counts the stranded deliveries made pending again.
	Recovered int
	// Cutoff is the age limit of the log: what is older was pruned.
	Cutoff time.Time
	// Pruned counts what was deleted from the delivery log.
	Pruned webhook.PruneResult
}

// MaintainWebhooks does one maintenance run as of at: it recovers the
// stranded deliveries ([webhook.Service.RecoverStranded]), then prunes the
// delivery log older than retention before at ([webhook.Service.Prune]).
// Recovering first means a stranded delivery older than the retention is
// sent, not deleted. The report counts what was done, also when an error
// stopped the run part way.
func MaintainWebhooks(ctx context.Context, svc *webhook.Service, at time.Time, retention time.Duration) (WebhookMaintenanceReport, error) {
	r := WebhookMaintenanceReport{Cutoff: at.Add(-retention).UTC()}
	var err error
	r.Recovered, err = svc.RecoverStranded(ctx)
	if err != nil {
		return r, fmt.Errorf("jobs: webhook-maintenance: recover stranded deliveries: %w", err)
	}
	r.Pruned, err = svc.Prune(ctx, r.Cutoff)
	if err != nil {
		return r, fmt.Errorf("jobs: webhook-maintenance: prune the delivery log before %s: %w", r.Cutoff.Format(time.RFC3339), err)
	}
	return r, nil
}

// WebhookMaintenanceKind returns the kind "webhook-maintenance": each run
// does [MaintainWebhooks] through svc as of the run's scheduled time, and
// logs what it did to logger (nil means slog.Default()): one entry with
// the number of deliveries recovered and of attempts, deliveries and
// events pruned.
//
// A run repeated after a crash finds what the first one did not finish:
// recovering and pruning are both idempotent. Schedule it daily, e.g.
// cron "30 3 * * *", on any one server.
func WebhookMaintenanceKind(svc *webhook.Service, logger *slog.Logger) vetview.Kind[WebhookMaintenanceSettings] {
	return vetview.Kind[WebhookMaintenanceSettings]{
		Name:        WebhookMaintenanceKindName,
		Title:       "Webhook maintenance",
		Description: "Sends webhook deliveries stranded by a subscription that was disabled and is enabled again, and deletes the delivery log older than the retention period.",
		Defaults:    WebhookMaintenanceSettings{RetentionDays: DefaultWebhookRetentionDays},
		Run: func(ctx context.Context, run vetview.RunInfo, s WebhookMaintenanceSettings) error {
			r, err := MaintainWebhooks(ctx, svc, run.ScheduledAt, s.Retention())
			l := logger
			if l == nil {
				l = slog.Default()
			}
			level := slog.LevelInfo
			if err != nil {
				level = slog.LevelError
			}
			l.LogAttrs(ctx, level, "webhook maintenance",
				slog.String("job", run.Job.Name),
				slog.Int("recovered", r.Recovered),
				slog.Time("cutoff", r.Cutoff),
				slog.Int("attempts_pruned", r.Pruned.Attempts),
				slog.Int("deliveries_pruned", r.Pruned.Deliveries),
				slog.Int("events_pruned", r.Pruned.Events))
			return err
		},
	}
}
