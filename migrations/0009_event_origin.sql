-- 0009: how each event reached the log (issue 17): `http` (a Flux Provider's POST to
-- /hook/{route}), `direct` (a controller's POST in direct mode), `import` (the `ingest` verb) or
-- `resync` (synthesized from the cluster's Flux objects by `resync`). Events logged before this
-- migration read `http`: the log never recorded how they came, and the Provider is the usual way.
ALTER TABLE event_log ADD COLUMN origin TEXT NOT NULL DEFAULT 'http'
  CHECK (origin IN ('http', 'direct', 'import', 'resync'));

-- docs/sql.md's resync queries read the log's resync events; only those are indexed, so the
-- index costs nothing per event that came any other way.
CREATE INDEX event_log_resync ON event_log(id) WHERE origin = 'resync';

DROP VIEW events;
CREATE VIEW events AS
  SELECT id, received_at, route, kind, namespace, name, severity, reason, message, revision,
         commit_sha, event_time, body, no_commit_reason, origin
  FROM event_log;
