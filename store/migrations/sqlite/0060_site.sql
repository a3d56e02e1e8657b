-- site: the application's own records — addresses, preferences, logins,
-- comments, messages between users, e-mail confirmation tokens, help
-- screens and client log lines. Instants are microseconds since the Unix
-- epoch, UTC. Tokens are stored as their SHA-256 (hex), never in clear.

CREATE TABLE site_addresses (
	user_id  BIGINT PRIMARY KEY REFERENCES rx_users (id) ON DELETE CASCADE,
	bus_name TEXT NOT NULL,
	address1 TEXT NOT NULL,
	address2 TEXT NOT NULL,
	town     TEXT NOT NULL,
	state    TEXT NOT NULL,
	zip      TEXT NOT NULL,
	country  TEXT NOT NULL
);

CREATE TABLE site_prefs (
	user_id      BIGINT PRIMARY KEY REFERENCES rx_users (id) ON DELETE CASCADE,
	sandbox_name TEXT NOT NULL,
	email_tips   BOOLEAN NOT NULL,
	email_news   BOOLEAN NOT NULL,
	rx_header    TEXT NOT NULL
);

CREATE TABLE site_visits (
	id      INTEGER PRIMARY KEY,
	user_id BIGINT NOT NULL REFERENCES rx_users (id) ON DELETE CASCADE,
	at      BIGINT NOT NULL,
	message TEXT NOT NULL
);
CREATE INDEX site_visits_user ON site_visits (user_id, at);

-- A comment outlives its author, as an anonymous one.
CREATE TABLE site_comments (
	id         INTEGER PRIMARY KEY,
	user_id    BIGINT REFERENCES rx_users (id) ON DELETE SET NULL,
	public     BOOLEAN NOT NULL,
	comment    TEXT NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE INDEX site_comments_created ON site_comments (created_at);

CREATE TABLE site_messages (
	id          INTEGER PRIMARY KEY,
	from_id     BIGINT NOT NULL REFERENCES rx_users (id) ON DELETE CASCADE,
	to_id       BIGINT NOT NULL REFERENCES rx_users (id) ON DELETE CASCADE,
	subject     TEXT NOT NULL,
	message     TEXT NOT NULL,
	detail      TEXT NOT NULL,
	sent_at     BIGINT NOT NULL,
	token_hash  TEXT UNIQUE,
	expires_at  BIGINT,
	answer      BOOLEAN,
	answered_at BIGINT,
	CHECK ((token_hash IS NULL) = (expires_at IS NULL))
);
CREATE INDEX site_messages_from ON site_messages (from_id, sent_at);
CREATE INDEX site_messages_to ON site_messages (to_id, sent_at);

CREATE TABLE site_email_tokens (
	token_hash TEXT PRIMARY KEY,
	user_id    BIGINT NOT NULL REFERENCES rx_users (id) ON DELETE CASCADE,
	email      TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	used_at    BIGINT
);
CREATE INDEX site_email_tokens_user ON site_email_tokens (user_id);

CREATE TABLE site_help (
	help_key TEXT PRIMARY KEY,
	msg      TEXT NOT NULL,
	lang     TEXT NOT NULL
);

-- Log lines keep the user's ID, not a reference: they outlive the user.
CREATE TABLE site_log (
	id      INTEGER PRIMARY KEY,
	level   TEXT NOT NULL,
	message TEXT NOT NULL,
	user_id BIGINT,
	at      BIGINT NOT NULL
);
CREATE INDEX site_log_at ON site_log (at);
