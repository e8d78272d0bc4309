-- 0008: check runs (issue 16) as rows of sink_targets with sink 'check': one per status of a
-- route whose report lists `check`, with the status's key, state and words:
--   name = the run's name (the status's context),
--   host_object_id = the id of the key's newest run on GitHub once created or found. A run in
--   progress is updated in place; a completed run never changes again, so a later change
--   starts a new run of the same name and this id moves to it.
-- state keeps fluxstatus's words: pending (a run in progress), success, failure, error
-- (completed with the conclusion failure).

-- The inspection contract: one row per route, commit and context.
CREATE VIEW check_runs AS
  SELECT route, repo, commit_sha, context, state, host_object_id AS host_check_run_id,
         updated_at, sync_state, last_error, description, attempts
  FROM sink_targets WHERE sink = 'check';

-- A check run's calls are made for the same key as its status's: delivery_attempts says which
-- sink each call was for. Rows from before this migration read 'status' (an aggregate's and a
-- deployment's calls are told apart by their contexts, fleet/… and deployment/…, as before).
ALTER TABLE delivery_attempts ADD COLUMN sink TEXT NOT NULL DEFAULT 'status';
