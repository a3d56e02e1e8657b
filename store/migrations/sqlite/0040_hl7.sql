-- hl7 jobs: messages received from lab instruments over MLLP, and the
-- queue of NAHLN reports with the outcome of their attempts. Instants are
-- microseconds since the Unix epoch, UTC.

CREATE TABLE hl7_inbound_messages (
	id                  TEXT PRIMARY KEY,
	source              TEXT NOT NULL,
	sending_application TEXT NOT NULL,
	sending_facility    TEXT NOT NULL,
	control_id          TEXT NOT NULL,
	message_type        TEXT NOT NULL,
	remote_addr         TEXT NOT NULL,
	received_at         BIGINT NOT NULL,
	data                BLOB NOT NULL
);
-- A retransmission (same sender, same MSH-10) is stored once.
CREATE UNIQUE INDEX hl7_inbound_messages_once ON hl7_inbound_messages (source, sending_facility, control_id);
CREATE INDEX hl7_inbound_messages_by_time ON hl7_inbound_messages (source, received_at);

CREATE TABLE hl7_nahln_reports (
	id              TEXT PRIMARY KEY,
	report          TEXT NOT NULL,
	status          TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected', 'invalid', 'failed')),
	attempts        INTEGER NOT NULL DEFAULT 0,
	created_at      BIGINT NOT NULL,
	next_attempt_at BIGINT NOT NULL,
	last_attempt_at BIGINT,
	last_error      TEXT NOT NULL DEFAULT '',
	ack_code        TEXT NOT NULL DEFAULT '',
	ack_errors      TEXT NOT NULL DEFAULT '[]'
);
-- The claim scans pending reports in due order.
CREATE INDEX hl7_nahln_reports_due ON hl7_nahln_reports (next_attempt_at) WHERE status = 'pending';
