-- oauth: the OAuth 2.0 server of the integration API and the integration
-- catalogue. Secrets (client secrets, codes, refresh tokens) are kept as
-- their SHA-256; signing keys sealed under the server's secret key.
-- Instants are microseconds since the Unix epoch, UTC; lists are JSON text.

CREATE TABLE oauth_groups (
	id          INTEGER PRIMARY KEY,
	name        TEXT NOT NULL,
	permissions TEXT NOT NULL
);

CREATE TABLE oauth_virtual_users (
	id           INTEGER PRIMARY KEY,
	name         TEXT NOT NULL,
	organisation TEXT NOT NULL,
	group_id     INTEGER NOT NULL REFERENCES oauth_groups (id),
	created_at   BIGINT NOT NULL
);

CREATE TABLE oauth_integrations (
	id                  INTEGER PRIMARY KEY,
	name                TEXT NOT NULL UNIQUE,
	description         TEXT NOT NULL,
	visibility          TEXT NOT NULL CHECK (visibility IN ('all', 'organisations', 'countries')),
	visible_to          TEXT NOT NULL,
	grant_type          TEXT NOT NULL,
	client_type         TEXT NOT NULL CHECK (client_type IN ('confidential', 'public')),
	redirect_uris       TEXT NOT NULL,
	scopes              TEXT NOT NULL,
	notify              TEXT NOT NULL CHECK (notify IN ('email', 'hookup')),
	email               TEXT NOT NULL,
	hookup_url          TEXT NOT NULL,
	hookup_subscription TEXT NOT NULL,
	created_at          BIGINT NOT NULL,
	updated_at          BIGINT NOT NULL
);

CREATE TABLE oauth_clients (
	id              TEXT PRIMARY KEY,
	secret_hash     TEXT NOT NULL,
	name            TEXT NOT NULL,
	client_type     TEXT NOT NULL CHECK (client_type IN ('confidential', 'public')),
	grant_types     TEXT NOT NULL,
	redirect_uris   TEXT NOT NULL,
	scopes          TEXT NOT NULL,
	organisation    TEXT NOT NULL,
	registration_id BIGINT,
	virtual_user_id INTEGER REFERENCES oauth_virtual_users (id),
	created_at      BIGINT NOT NULL,
	revoked_at      BIGINT
);

CREATE TABLE oauth_registrations (
	id              INTEGER PRIMARY KEY,
	integration_id  INTEGER NOT NULL REFERENCES oauth_integrations (id),
	organisation    TEXT NOT NULL,
	country         TEXT NOT NULL,
	client_id       TEXT NOT NULL REFERENCES oauth_clients (id),
	virtual_user_id INTEGER NOT NULL REFERENCES oauth_virtual_users (id),
	created_at      BIGINT NOT NULL,
	UNIQUE (integration_id, organisation)
);

CREATE TABLE oauth_auth_requests (
	id                    TEXT PRIMARY KEY,
	client_id             TEXT NOT NULL REFERENCES oauth_clients (id),
	redirect_uri          TEXT NOT NULL,
	scopes                TEXT NOT NULL,
	state                 TEXT NOT NULL,
	nonce                 TEXT NOT NULL,
	response_type         TEXT NOT NULL,
	response_mode         TEXT NOT NULL,
	code_challenge        TEXT NOT NULL,
	code_challenge_method TEXT NOT NULL,
	user_id               BIGINT NOT NULL,
	auth_time             BIGINT,
	done                  BOOLEAN NOT NULL,
	code_hash             TEXT UNIQUE,
	code_used_at          BIGINT,
	created_at            BIGINT NOT NULL,
	expires_at            BIGINT NOT NULL
);

CREATE TABLE oauth_refresh_tokens (
	id              TEXT PRIMARY KEY,
	token_hash      TEXT NOT NULL UNIQUE,
	family          TEXT NOT NULL,
	client_id       TEXT NOT NULL REFERENCES oauth_clients (id),
	subject         TEXT NOT NULL,
	user_id         BIGINT NOT NULL,
	virtual_user_id BIGINT NOT NULL,
	organisation    TEXT NOT NULL,
	scopes          TEXT NOT NULL,
	audience        TEXT NOT NULL,
	amr             TEXT NOT NULL,
	auth_time       BIGINT,
	created_at      BIGINT NOT NULL,
	expires_at      BIGINT NOT NULL,
	used_at         BIGINT,
	revoked_at      BIGINT
);
CREATE INDEX oauth_refresh_tokens_family ON oauth_refresh_tokens (family);
CREATE INDEX oauth_refresh_tokens_client ON oauth_refresh_tokens (client_id);

CREATE TABLE oauth_access_tokens (
	id              TEXT PRIMARY KEY,
	client_id       TEXT NOT NULL REFERENCES oauth_clients (id),
	subject         TEXT NOT NULL,
	user_id         BIGINT NOT NULL,
	virtual_user_id BIGINT NOT NULL,
	organisation    TEXT NOT NULL,
	scopes          TEXT NOT NULL,
	family          TEXT NOT NULL,
	auth_request_id TEXT NOT NULL,
	created_at      BIGINT NOT NULL,
	expires_at      BIGINT NOT NULL,
	revoked_at      BIGINT
);
CREATE INDEX oauth_access_tokens_family ON oauth_access_tokens (family) WHERE family <> '';
CREATE INDEX oauth_access_tokens_client ON oauth_access_tokens (client_id);
CREATE INDEX oauth_access_tokens_auth_request ON oauth_access_tokens (auth_request_id) WHERE auth_request_id <> '';

CREATE TABLE oauth_signing_keys (
	id          TEXT PRIMARY KEY,
	algorithm   TEXT NOT NULL,
	private_key TEXT NOT NULL,
	created_at  BIGINT NOT NULL
);
