-- 0007: deployments (issue 15) as rows of sink_targets with sink 'deployment':
--   route = the route that posts it (an aggregate's route for an aggregate's deployment),
--   context = 'deployment/<environment>', name = the environment,
--   host_object_id = the deployment's id on the host once created or found, so that a restart,
--   a replay or a crash never creates a second deployment for the same commit and environment.
-- state keeps fluxstatus's words: pending (GitHub in_progress, GitLab running), success, failure.
ALTER TABLE sink_targets ADD COLUMN host_object_id TEXT;

-- The inspection contract: one row per route, commit and environment.
CREATE VIEW deployments AS
  SELECT route, repo, commit_sha, name AS environment, state, host_object_id AS host_deployment_id,
         updated_at, sync_state, last_error, description, attempts
  FROM sink_targets WHERE sink = 'deployment';
