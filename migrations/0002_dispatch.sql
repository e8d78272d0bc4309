-- 0002: the outbox. Dispatch bookkeeping on commit_statuses: when a pending key is next due,
-- whether a send may have reached the host unrecorded, and what the host last confirmed.
ALTER TABLE commit_statuses ADD COLUMN next_attempt_ms INTEGER;           -- NULL: due at once
ALTER TABLE commit_statuses ADD COLUMN in_flight INTEGER NOT NULL DEFAULT 0;  -- 1: list before re-posting
ALTER TABLE commit_statuses ADD COLUMN synced_state TEXT;                 -- last confirmed on the host
ALTER TABLE commit_statuses ADD COLUMN synced_description TEXT;
CREATE INDEX commit_statuses_due ON commit_statuses(sync_state, next_attempt_ms);
CREATE INDEX delivery_attempts_key ON delivery_attempts(route, repo, commit_sha, context);
