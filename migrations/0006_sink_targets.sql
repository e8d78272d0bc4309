-- 0006: sinks beyond the route's own commit statuses. One row per thing fluxstatus shows on a
-- Git host that is derived from the folded statuses rather than from one event: today an
-- aggregate (`aggregates:`), posted through its route as the commit status `fleet/<name>`.
-- The columns are commit_statuses' (the key, the folded state, the sync columns moved by the
-- same core/sync_state transitions), keyed also by `sink`; what only one sink has is extra:
--   sink 'aggregate': name = the aggregate's name, context = 'fleet/<name>', route = the
--                     route that posts it, members_ready / members_total = the verdict's counts.
-- event_id names the newest member event counted; it is no foreign key, because an aggregate
-- is re-derived from the members' statuses (prune may delete that event).
CREATE TABLE sink_targets (
  sink               TEXT    NOT NULL,
  route              TEXT    NOT NULL,
  repo               TEXT    NOT NULL,
  commit_sha         TEXT    NOT NULL COLLATE NOCASE,
  context            TEXT    NOT NULL,
  state              TEXT    NOT NULL CHECK (state IN ('pending', 'success', 'failure', 'error')),
  description        TEXT    NOT NULL,
  target_url         TEXT,
  event_id           INTEGER NOT NULL,
  event_time         TEXT    NOT NULL,
  event_time_ms      INTEGER NOT NULL,
  updated_at         TEXT    NOT NULL,
  sync_state         TEXT    NOT NULL CHECK (sync_state IN ('pending', 'synced', 'failed', 'skipped')),
  synced_at          TEXT,
  attempts           INTEGER NOT NULL DEFAULT 0,
  last_error         TEXT,
  next_attempt_ms    INTEGER,
  in_flight          INTEGER NOT NULL DEFAULT 0,
  synced_state       TEXT,
  synced_description TEXT,
  members_ready      INTEGER,
  members_total      INTEGER,
  name               TEXT    NOT NULL,
  -- sink last: a lookup by commit (LIKE 'abc%') then takes sink_targets_commit.
  PRIMARY KEY (route, repo, commit_sha, context, sink)
);
CREATE INDEX sink_targets_commit ON sink_targets(commit_sha);
CREATE INDEX sink_targets_due ON sink_targets(sync_state, next_attempt_ms);

-- The inspection contract: one row per aggregate and commit.
CREATE VIEW aggregate_status AS
  SELECT name, repo, commit_sha, context, state, description, members_ready,
         members_total, updated_at, sync_state, route, last_error
  FROM sink_targets WHERE sink = 'aggregate';
