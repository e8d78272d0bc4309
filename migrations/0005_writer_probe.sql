-- 0005: the writer's probe. After a failed commit (disk full, I/O error, a lock) the service
-- is unready; Kubernetes then sends it no events, so none could prove that writing works
-- again. The writer re-tests by itself: it inserts one event-sized row here and deletes it in
-- the same committed transaction, so the probe needs free pages and a WAL append just as an
-- event does. The table is empty between probes.
CREATE TABLE writer_probe (
  id      INTEGER PRIMARY KEY,
  payload BLOB    NOT NULL
);
