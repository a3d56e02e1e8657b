-- vetview: the server registry, interface jobs with their leases, and the
-- bounded run history. Instants are microseconds since the Unix epoch, UTC.

CREATE TABLE vetview_servers (
	id                 TEXT PRIMARY KEY,
	name               TEXT NOT NULL,
	host               TEXT NOT NULL,
	pid                INTEGER NOT NULL,
	version            TEXT NOT NULL,
	started_at         BIGINT NOT NULL,
	heartbeat_at       BIGINT NOT NULL,
	heartbeat_every_us BIGINT NOT NULL CHECK (heartbeat_every_us > 0)
);
CREATE INDEX vetview_servers_by_name ON vetview_servers (name, started_at);

CREATE TABLE vetview_jobs (
	id          TEXT PRIMARY KEY,
	name        TEXT NOT NULL UNIQUE,
	kind        TEXT NOT NULL,
	settings    TEXT NOT NULL,
	every_us    BIGINT,
	cron        TEXT,
	active      BOOLEAN NOT NULL,
	created_at  BIGINT NOT NULL,
	updated_at  BIGINT NOT NULL,
	next_run_at BIGINT NOT NULL,
	-- The lease of the run in progress; all NULL when there is none.
	lease_token        TEXT,
	lease_server_id    TEXT,
	lease_server       TEXT,
	lease_scheduled_at BIGINT,
	lease_started_at   BIGINT,
	lease_until        BIGINT,
	CHECK ((every_us IS NULL) <> (cron IS NULL))
);
-- The claim scans active jobs in due order.
CREATE INDEX vetview_jobs_due ON vetview_jobs (next_run_at) WHERE active;

CREATE TABLE vetview_job_servers (
	job_id      TEXT NOT NULL REFERENCES vetview_jobs (id) ON DELETE CASCADE,
	server_name TEXT NOT NULL,
	PRIMARY KEY (job_id, server_name)
);
CREATE INDEX vetview_job_servers_by_server ON vetview_job_servers (server_name, job_id);

CREATE TABLE vetview_runs (
	id           TEXT PRIMARY KEY,
	job_id       TEXT NOT NULL REFERENCES vetview_jobs (id) ON DELETE CASCADE,
	server_id    TEXT NOT NULL,
	server       TEXT NOT NULL,
	scheduled_at BIGINT NOT NULL,
	started_at   BIGINT NOT NULL,
	finished_at  BIGINT,
	error        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX vetview_runs_by_job ON vetview_runs (job_id, started_at, id);
CREATE INDEX vetview_runs_unfinished ON vetview_runs (job_id) WHERE finished_at IS NULL;
