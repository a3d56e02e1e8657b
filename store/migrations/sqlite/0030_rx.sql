-- rx: users and their VCPR relationships, prescriptions (with the immutable
-- protocol snapshot), cases, their tasks and withholds. Instants are
-- microseconds since the Unix epoch, UTC.

CREATE TABLE rx_users (
	id           INTEGER PRIMARY KEY,
	uname        TEXT NOT NULL UNIQUE,
	user_type    TEXT NOT NULL,
	email        TEXT NOT NULL,
	firstname    TEXT NOT NULL,
	lastname     TEXT NOT NULL,
	suffix       TEXT NOT NULL,
	phone        TEXT NOT NULL,
	sandbox_of   BIGINT,
	removed_type TEXT NOT NULL,
	created_at   BIGINT NOT NULL
);

CREATE TABLE rx_relations (
	kind     TEXT NOT NULL,
	left_id  BIGINT NOT NULL REFERENCES rx_users (id) ON DELETE CASCADE,
	right_id BIGINT NOT NULL REFERENCES rx_users (id) ON DELETE CASCADE,
	PRIMARY KEY (left_id, kind, right_id)
);
CREATE INDEX rx_relations_right ON rx_relations (right_id);

-- Parties are not foreign keys: deleting a sandbox client keeps the
-- prescriptions written to it.
CREATE TABLE rx_prescriptions (
	id           TEXT PRIMARY KEY,
	protocol     TEXT NOT NULL,
	vor_id       BIGINT NOT NULL,
	mor_id       BIGINT NOT NULL,
	refills      INTEGER NOT NULL CHECK (refills >= 0),
	expiration   BIGINT,
	created_at   BIGINT NOT NULL,
	metadata     TEXT NOT NULL,
	status       TEXT NOT NULL,
	fills_used   INTEGER NOT NULL CHECK (fills_used >= 0 AND fills_used <= refills + 1),
	renewal_of   TEXT,
	requested_by BIGINT,
	version      BIGINT NOT NULL
);
CREATE INDEX rx_prescriptions_vor ON rx_prescriptions (vor_id, created_at);
CREATE INDEX rx_prescriptions_mor ON rx_prescriptions (mor_id, created_at);

CREATE TABLE rx_cases (
	id          INTEGER PRIMARY KEY,
	rx_id       TEXT NOT NULL REFERENCES rx_prescriptions (id),
	animal_id   TEXT NOT NULL,
	initiation  BIGINT NOT NULL,
	note        TEXT NOT NULL,
	mor_id      BIGINT NOT NULL,
	vor_id      BIGINT NOT NULL,
	case_data   TEXT NOT NULL,
	species     TEXT NOT NULL,
	head        INTEGER NOT NULL,
	enrolled_by BIGINT NOT NULL,
	created_at  BIGINT NOT NULL
);
CREATE INDEX rx_cases_rx ON rx_cases (rx_id, id);

-- status is REQUIRED, EXECUTED, CANCELLED or RECALLED; DUE and OVERDUE are
-- derived when read.
CREATE TABLE rx_tasks (
	id           INTEGER PRIMARY KEY,
	case_id      BIGINT NOT NULL REFERENCES rx_cases (id),
	rx_id        TEXT NOT NULL,
	mor_id       BIGINT NOT NULL,
	vor_id       BIGINT NOT NULL,
	animal_id    TEXT NOT NULL,
	kind         TEXT NOT NULL,
	do_at        BIGINT NOT NULL,
	executor     BIGINT,
	status       TEXT NOT NULL,
	product      TEXT NOT NULL,
	route        TEXT NOT NULL,
	dose         TEXT,
	volume       TEXT,
	treatment    INTEGER NOT NULL,
	seq          INTEGER NOT NULL,
	rule         TEXT,
	promise      INTEGER NOT NULL,
	prom_id      BIGINT NOT NULL,
	promise_name TEXT NOT NULL,
	promise_kind TEXT NOT NULL,
	data         TEXT,
	done_at      BIGINT,
	done_by      BIGINT,
	recorded_at  BIGINT,
	note         TEXT NOT NULL
);
CREATE INDEX rx_tasks_case ON rx_tasks (case_id, do_at, id);
-- Today's tasks: only pending tasks are in this index, so the query costs
-- the size of the farm's open work, not of its history.
CREATE INDEX rx_tasks_pending ON rx_tasks (mor_id, do_at) WHERE status = 'REQUIRED';
CREATE INDEX rx_tasks_pending_rx ON rx_tasks (rx_id) WHERE status = 'REQUIRED';
-- Treatment records (21 CFR 530.5) by time given.
CREATE INDEX rx_tasks_given ON rx_tasks (mor_id, done_at) WHERE status = 'EXECUTED' AND kind = 'models.DoseTask';

-- release_at is the later of meat_until and milk_until: "under withhold
-- at T" is release_at > T, a range scan of the newest withholds.
CREATE TABLE rx_withholds (
	id          INTEGER PRIMARY KEY,
	case_id     BIGINT NOT NULL UNIQUE REFERENCES rx_cases (id),
	rx_id       TEXT NOT NULL,
	mor_id      BIGINT NOT NULL,
	animal_id   TEXT NOT NULL,
	initiated   BIGINT NOT NULL,
	meat_until  BIGINT NOT NULL,
	milk_until  BIGINT NOT NULL,
	release_at  BIGINT NOT NULL,
	wt_note     TEXT NOT NULL,
	note        TEXT NOT NULL,
	meat_cause  TEXT NOT NULL,
	milk_cause  TEXT NOT NULL
);
CREATE INDEX rx_withholds_release ON rx_withholds (mor_id, release_at);
CREATE INDEX rx_withholds_animal ON rx_withholds (mor_id, animal_id, release_at);
