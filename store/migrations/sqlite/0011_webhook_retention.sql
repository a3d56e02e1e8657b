-- webhook: retention (prune the delivery log) and recovery of deliveries
-- failed only because their subscription was disabled.

-- parked marks a delivery that was pending when its subscription was
-- disabled and failed for that reason alone; it is cleared when the
-- delivery is pending again. Deliveries failed that way before this
-- version carry the disabling's error text.
ALTER TABLE webhook_deliveries ADD COLUMN parked INTEGER NOT NULL DEFAULT 0;
UPDATE webhook_deliveries SET parked = 1
	WHERE state = 'failed' AND last_error LIKE 'subscription disabled: %';
CREATE INDEX webhook_deliveries_parked ON webhook_deliveries (subscription_id, created_at) WHERE parked;

-- The prune walks each table by age.
CREATE INDEX webhook_deliveries_completed ON webhook_deliveries (completed_at) WHERE completed_at IS NOT NULL;
CREATE INDEX webhook_attempts_started ON webhook_attempts (started_at, id);
CREATE INDEX webhook_events_occurred ON webhook_events (occurred_at, id);
