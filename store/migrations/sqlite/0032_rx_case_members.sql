-- rx: the animals of a group case, so that "may cow 34 be shipped" finds
-- the withholds of the pen she was treated in, not only her own cases.
-- pos keeps the order in which the farm listed them.

CREATE TABLE rx_case_members (
	case_id   BIGINT NOT NULL REFERENCES rx_cases (id),
	pos       INTEGER NOT NULL,
	mor_id    BIGINT NOT NULL,
	animal_id TEXT NOT NULL,
	PRIMARY KEY (case_id, pos),
	UNIQUE (case_id, animal_id)
);
CREATE INDEX rx_case_members_animal ON rx_case_members (mor_id, animal_id);
