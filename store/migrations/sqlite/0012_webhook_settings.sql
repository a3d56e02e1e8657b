-- webhook: per-subscription settings (attempt timeout, custom headers,
-- rate limit). Event-type patterns ("prescription.*") live in
-- webhook_subscription_events as they are.
ALTER TABLE webhook_subscriptions ADD COLUMN timeout_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE webhook_subscriptions ADD COLUMN headers TEXT NOT NULL DEFAULT '{}';
ALTER TABLE webhook_subscriptions ADD COLUMN rate_limit REAL NOT NULL DEFAULT 0;
