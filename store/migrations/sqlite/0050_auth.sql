-- auth: the reference server's credentials. Password hashes and session
-- generations sit beside rx's users; failed logins are counted per
-- identifier (names that match no user too); API keys are kept only as
-- their SHA-256. Instants are microseconds since the Unix epoch, UTC.

CREATE TABLE auth_credentials (
	user_id       INTEGER PRIMARY KEY REFERENCES rx_users (id) ON DELETE CASCADE,
	password_hash TEXT NOT NULL,
	generation    BIGINT NOT NULL,
	updated_at    BIGINT NOT NULL
);

CREATE TABLE auth_login_failures (
	identifier   TEXT PRIMARY KEY,
	failures     INTEGER NOT NULL CHECK (failures > 0),
	last_failure BIGINT NOT NULL
);

CREATE TABLE auth_api_keys (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	key_hash   TEXT NOT NULL UNIQUE,
	created_at BIGINT NOT NULL,
	revoked_at BIGINT
);
