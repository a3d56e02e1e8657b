-- rx: idempotent enrollment, the herd-wide clearance, and the
-- veterinarian's confirmation of active ingredients on a prescription.
--
-- idem_key is the Idempotency-Key an enrollment carried: a retried request
-- with the same key, from the same user on the same farm, finds the case
-- the first one made instead of making a second. NULL when none was given.
ALTER TABLE rx_cases ADD COLUMN idem_key TEXT;
CREATE UNIQUE INDEX rx_cases_idem ON rx_cases (mor_id, enrolled_by, idem_key) WHERE idem_key IS NOT NULL;

-- The herd of a farm is every animal its cases name: this index answers
-- "which animals has farm M" without reading the cases' rows.
CREATE INDEX rx_cases_herd ON rx_cases (mor_id, animal_id, head);

-- confirmations records, per treatment, the active ingredient the
-- veterinarian confirmed for a product protocol.Classify cannot identify
-- (a JSON array; empty for none).
ALTER TABLE rx_prescriptions ADD COLUMN confirmations JSONB NOT NULL DEFAULT '[]';
