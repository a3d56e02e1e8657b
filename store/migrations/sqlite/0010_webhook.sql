-- webhook: subscriptions, the outbox of events, deliveries and their attempts.

CREATE TABLE webhook_subscriptions (
	id              TEXT PRIMARY KEY,
	name            TEXT NOT NULL DEFAULT '',
	url             TEXT NOT NULL,
	department      TEXT NOT NULL DEFAULT '',
	format          TEXT NOT NULL,
	secrets         TEXT NOT NULL,           -- JSON array of {key, expires_at}
	active          INTEGER NOT NULL,
	strict_200      INTEGER NOT NULL DEFAULT 0,
	max_in_flight   INTEGER NOT NULL DEFAULT 0,
	failing_since   BIGINT,
	disabled_at     BIGINT,
	disabled_reason TEXT NOT NULL DEFAULT '',
	created_at      BIGINT NOT NULL,
	updated_at      BIGINT NOT NULL
);

CREATE TABLE webhook_subscription_events (
	subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
	event_type      TEXT NOT NULL,
	PRIMARY KEY (subscription_id, event_type)
);
CREATE INDEX webhook_subscription_events_type ON webhook_subscription_events (event_type);

CREATE TABLE webhook_events (
	id          TEXT PRIMARY KEY,
	type        TEXT NOT NULL,
	resource_id TEXT NOT NULL,
	department  TEXT NOT NULL DEFAULT '',
	data        TEXT,
	occurred_at BIGINT NOT NULL
);

CREATE TABLE webhook_deliveries (
	id              TEXT PRIMARY KEY,
	event_id        TEXT NOT NULL REFERENCES webhook_events (id),
	subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
	event_type      TEXT NOT NULL,
	state           TEXT NOT NULL,
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at BIGINT NOT NULL,
	lease_owner     TEXT,
	lease           TEXT,
	last_status     INTEGER NOT NULL DEFAULT 0,
	last_error      TEXT NOT NULL DEFAULT '',
	created_at      BIGINT NOT NULL,
	updated_at      BIGINT NOT NULL,
	completed_at    BIGINT
);
-- The claim scans pending deliveries by due time.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, created_at);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);

CREATE TABLE webhook_attempts (
	id              INTEGER PRIMARY KEY,
	delivery_id     TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
	number          INTEGER NOT NULL,
	started_at      BIGINT NOT NULL,
	duration_us     BIGINT NOT NULL,
	status_code     INTEGER NOT NULL,
	response        TEXT NOT NULL,
	error           TEXT NOT NULL,
	next_attempt_at BIGINT
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);
