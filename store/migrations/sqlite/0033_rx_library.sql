-- rx: the protocol library behind the VCPR Protocol Editor API. Protocols
-- are kept whole as JSON (unknown members included), with the columns the
-- lists filter on beside them; shares to one VOR; and the reference data
-- protocols are built from and validated against (tags, diagnoses,
-- eligibilities, promises, label claims, FDA Green Book drugs).
-- Instants are microseconds since the Unix epoch, UTC.

-- Deleting a protocol sets status DEPRECATED; the row stays. owner_id is
-- not a foreign key, as for prescriptions: a removed user's protocols stay.
CREATE TABLE rx_library_protocols (
	id             INTEGER PRIMARY KEY,
	owner_id       BIGINT NOT NULL,
	name           TEXT NOT NULL,
	status         TEXT NOT NULL,
	share_all      BOOLEAN NOT NULL,
	share_clonable BOOLEAN NOT NULL,
	created_at     BIGINT NOT NULL,
	edited_at      BIGINT NOT NULL,
	protocol       TEXT NOT NULL
);
CREATE INDEX rx_library_protocols_owner ON rx_library_protocols (owner_id, name);
CREATE INDEX rx_library_protocols_all ON rx_library_protocols (name) WHERE share_all;

CREATE TABLE rx_library_shares (
	px_id    BIGINT NOT NULL REFERENCES rx_library_protocols (id),
	share_to BIGINT NOT NULL,
	clonable BOOLEAN NOT NULL,
	PRIMARY KEY (px_id, share_to)
);
CREATE INDEX rx_library_shares_to ON rx_library_shares (share_to);

CREATE TABLE rx_library_tags (
	id   INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	tag  TEXT NOT NULL
);

CREATE TABLE rx_library_diagnoses (
	id   INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE
);

CREATE TABLE rx_library_eligibilities (
	id          INTEGER PRIMARY KEY,
	name        TEXT NOT NULL UNIQUE,
	fda_species TEXT NOT NULL
);

-- owner_id NULL: a public promise, offered to every VOR.
CREATE TABLE rx_library_promises (
	id       INTEGER PRIMARY KEY,
	owner_id BIGINT,
	name     TEXT NOT NULL,
	promise  TEXT NOT NULL
);
CREATE INDEX rx_library_promises_owner ON rx_library_promises (owner_id);

CREATE TABLE rx_library_labels (
	id    INTEGER PRIMARY KEY,
	claim TEXT NOT NULL
);

-- ndc is the FDA product code, labeler-product; its sections are kept
-- apart so that a search by either is an equality.
CREATE TABLE rx_library_greenbook (
	ndc          TEXT PRIMARY KEY,
	ndc_labeler  TEXT NOT NULL,
	ndc_product  TEXT NOT NULL,
	drug         TEXT NOT NULL
);
CREATE INDEX rx_library_greenbook_product ON rx_library_greenbook (ndc_product);
