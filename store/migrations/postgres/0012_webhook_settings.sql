-- webhook: per-subscription settings (attempt timeout, custom headers,
-- rate limit). Event-type patterns ("prescription.*") live in
-- webhook_subscription_events as they are.
ALTER TABLE webhook_subscriptions ADD COLUMN timeout_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE webhook_subscriptions ADD COLUMN headers JSONB NOT NULL DEFAULT '{}';
ALTER TABLE webhook_subscriptions ADD COLUMN rate_limit DOUBLE PRECISION NOT NULL DEFAULT 0;
