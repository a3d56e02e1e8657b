-- vetview: each occurrence (job, scheduled time) is claimed once. A run
-- that repeats an occurrence names the run it repeats (rerun_of) and why
-- (rerun_reason), and the unique index lets the database refuse a second
-- claim of the same occurrence from the same predecessor: two servers can
-- never both start an occurrence, whatever their clocks or leases say.

ALTER TABLE vetview_runs ADD COLUMN rerun_of TEXT;
ALTER TABLE vetview_runs ADD COLUMN rerun_reason TEXT NOT NULL DEFAULT '';
-- Runs repeated before this migration name their predecessor.
UPDATE vetview_runs SET
	rerun_of = (SELECT p.id FROM vetview_runs p
		WHERE p.job_id = vetview_runs.job_id AND p.scheduled_at = vetview_runs.scheduled_at
		AND (p.started_at < vetview_runs.started_at OR (p.started_at = vetview_runs.started_at AND p.id < vetview_runs.id))
		ORDER BY p.started_at DESC, p.id DESC LIMIT 1),
	rerun_reason = 'a re-run recorded before the reason was kept'
WHERE EXISTS (SELECT 1 FROM vetview_runs p
	WHERE p.job_id = vetview_runs.job_id AND p.scheduled_at = vetview_runs.scheduled_at
	AND (p.started_at < vetview_runs.started_at OR (p.started_at = vetview_runs.started_at AND p.id < vetview_runs.id)));
CREATE UNIQUE INDEX vetview_runs_one_claim_per_occurrence
	ON vetview_runs (job_id, scheduled_at, (COALESCE(rerun_of, '')));
