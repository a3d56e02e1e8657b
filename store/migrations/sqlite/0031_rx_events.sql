-- rx: events recorded on an animal (a calving) that withdrawal terms count
-- from, such as a dry-cow product's "milk 96 hours after calving".

CREATE TABLE rx_events (
	id          INTEGER PRIMARY KEY,
	mor_id      BIGINT NOT NULL,
	animal_id   TEXT NOT NULL,
	kind        TEXT NOT NULL,
	at          BIGINT NOT NULL,
	recorded_by BIGINT NOT NULL,
	recorded_at BIGINT NOT NULL
);
CREATE INDEX rx_events_animal ON rx_events (mor_id, animal_id, at);
