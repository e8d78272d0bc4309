-- 0001: the event log, the folded status tables and the inspection views.
-- Never edit once merged: add 0002_… instead. Times are RFC 3339 UTC text with milliseconds
-- (sortable as text); *_ms columns hold the same instant as integers for ordering.

-- The append-only log: every accepted event, its raw body kept byte for byte.
CREATE TABLE event_log (
  id               INTEGER PRIMARY KEY,
  received_at      TEXT    NOT NULL,
  route            TEXT    NOT NULL,
  kind             TEXT    NOT NULL,
  namespace        TEXT    NOT NULL,
  name             TEXT    NOT NULL,
  severity         TEXT    NOT NULL,
  reason           TEXT    NOT NULL,
  message          TEXT    NOT NULL,
  revision         TEXT,
  commit_sha       TEXT COLLATE NOCASE,
  no_commit_reason TEXT,
  event_time       TEXT    NOT NULL,
  event_time_ms    INTEGER NOT NULL,
  body_sha256      BLOB    NOT NULL,
  body             TEXT    NOT NULL
);
-- Exact duplicate deliveries (same route, byte-identical body) are stored once.
CREATE UNIQUE INDEX event_log_route_body ON event_log(route, body_sha256);
CREATE INDEX event_log_commit ON event_log(commit_sha);
CREATE INDEX event_log_received ON event_log(received_at);

CREATE TRIGGER event_log_no_update BEFORE UPDATE ON event_log
BEGIN SELECT RAISE(ABORT, 'event_log is append-only'); END;
CREATE TRIGGER event_log_no_delete BEFORE DELETE ON event_log
BEGIN SELECT RAISE(ABORT, 'event_log is append-only'); END;

-- The folded state: one row per (route, repo, commit, context), derived from event_log.
CREATE TABLE commit_statuses (
  route         TEXT    NOT NULL,
  repo          TEXT    NOT NULL,
  commit_sha    TEXT    NOT NULL COLLATE NOCASE,
  context       TEXT    NOT NULL,
  state         TEXT    NOT NULL CHECK (state IN ('pending', 'success', 'failure', 'error')),
  description   TEXT    NOT NULL,
  target_url    TEXT,
  event_id      INTEGER NOT NULL REFERENCES event_log(id),
  event_time    TEXT    NOT NULL,
  event_time_ms INTEGER NOT NULL,
  updated_at    TEXT    NOT NULL,
  sync_state    TEXT    NOT NULL CHECK (sync_state IN ('pending', 'synced', 'failed', 'skipped')),
  synced_at     TEXT,
  attempts      INTEGER NOT NULL DEFAULT 0,
  last_error    TEXT,
  PRIMARY KEY (route, repo, commit_sha, context)
);
-- `WHERE commit_sha LIKE 'abc%'` uses this index: LIKE is case-insensitive and the column is NOCASE.
CREATE INDEX commit_statuses_commit ON commit_statuses(commit_sha);
CREATE INDEX commit_statuses_sync ON commit_statuses(sync_state);

-- Every change of a key's state, in log order.
CREATE TABLE status_changes (
  id          INTEGER PRIMARY KEY,
  route       TEXT    NOT NULL,
  repo        TEXT    NOT NULL,
  commit_sha  TEXT    NOT NULL COLLATE NOCASE,
  context     TEXT    NOT NULL,
  state       TEXT    NOT NULL,
  description TEXT    NOT NULL,
  event_id    INTEGER NOT NULL REFERENCES event_log(id),
  event_time  TEXT    NOT NULL,
  recorded_at TEXT    NOT NULL
);
CREATE INDEX status_changes_commit ON status_changes(commit_sha);
CREATE INDEX status_changes_key ON status_changes(route, repo, commit_sha, context);

-- Authenticated requests rejected with 400/413: Flux never resends a 4xx, so keep them.
CREATE TABLE rejected_events (
  id          INTEGER PRIMARY KEY,
  received_at TEXT NOT NULL,
  route       TEXT NOT NULL,
  reason      TEXT NOT NULL,
  body        BLOB NOT NULL
);

-- Every call to a Git host (filled by dispatch).
CREATE TABLE delivery_attempts (
  id           INTEGER PRIMARY KEY,
  route        TEXT    NOT NULL,
  repo         TEXT    NOT NULL,
  commit_sha   TEXT    NOT NULL COLLATE NOCASE,
  context      TEXT    NOT NULL,
  state        TEXT    NOT NULL,
  attempted_at TEXT    NOT NULL,
  http_status  INTEGER,
  outcome      TEXT    NOT NULL,
  error        TEXT,
  duration_ms  INTEGER NOT NULL
);
CREATE INDEX delivery_attempts_commit ON delivery_attempts(commit_sha);

-- The inspection contract (README "SQL"): stable names and columns.
CREATE VIEW events AS
  SELECT id, received_at, route, kind, namespace, name, severity, reason, message, revision,
         commit_sha, event_time, body, no_commit_reason
  FROM event_log;

CREATE VIEW current_status AS
  SELECT route, repo, commit_sha, context, state, description, target_url, event_id, event_time,
         updated_at, sync_state, synced_at, attempts, last_error
  FROM commit_statuses;

CREATE VIEW status_history AS
  SELECT route, repo, commit_sha, context, state, description, event_id, event_time, recorded_at
  FROM status_changes;
