-- 0004: retention. `fluxstatus prune --before T` deletes a prefix of the log (every event up to
-- some id); the fold state it reached at that id is kept here, so `rebuild` seeds from it and
-- folds only the newer events, reproducing current_status and the status_history that is left.

-- Per key, the folded state after every event with id <= fold_horizon.through_event_id.
-- event_id may name a pruned event: the snapshot is what remains of it.
CREATE TABLE fold_snapshot (
  route         TEXT    NOT NULL,
  repo          TEXT    NOT NULL,
  commit_sha    TEXT    NOT NULL COLLATE NOCASE,
  context       TEXT    NOT NULL,
  state         TEXT    NOT NULL CHECK (state IN ('pending', 'success', 'failure', 'error')),
  description   TEXT    NOT NULL,
  target_url    TEXT,
  event_id      INTEGER NOT NULL,
  event_time_ms INTEGER NOT NULL,
  updated_at    TEXT    NOT NULL,
  PRIMARY KEY (route, repo, commit_sha, context)
);

-- One row once something was pruned: which log prefix fold_snapshot stands for.
CREATE TABLE fold_horizon (
  id               INTEGER PRIMARY KEY CHECK (id = 1),
  through_event_id INTEGER NOT NULL,  -- every event with id <= this is folded into fold_snapshot
  before           TEXT    NOT NULL,  -- the last prune's cutoff (RFC 3339)
  pruned_at        TEXT    NOT NULL
);

-- The only way to delete from event_log: inside its transaction, prune puts one row here
-- naming the highest id it may delete, and removes it before committing, so no other
-- connection ever sees a row. Everything else is still refused, as before.
CREATE TABLE event_log_prune_permit (
  through_event_id INTEGER NOT NULL
);

DROP TRIGGER event_log_no_delete;
CREATE TRIGGER event_log_no_delete BEFORE DELETE ON event_log
WHEN OLD.id > coalesce((SELECT max(through_event_id) FROM event_log_prune_permit), 0)
BEGIN SELECT RAISE(ABORT, 'event_log is append-only (only `fluxstatus prune` deletes from it)'); END;
