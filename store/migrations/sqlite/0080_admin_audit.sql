-- admin: the audit log of what administrators change through the admin API
-- and the dashboard (servers, jobs, webhooks): who, when, what. The actor
-- is kept as an ID, not a reference: the record outlives the account.
-- Instants are microseconds since the Unix epoch, UTC.

CREATE TABLE admin_audit (
	id       INTEGER PRIMARY KEY,
	at       BIGINT NOT NULL,
	actor_id BIGINT NOT NULL,
	action   TEXT NOT NULL,
	target   TEXT NOT NULL,
	detail   TEXT
);
CREATE INDEX admin_audit_at ON admin_audit (at);
