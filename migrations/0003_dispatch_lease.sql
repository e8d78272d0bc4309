-- 0003: the dispatch lease. Only the process holding the lease sends statuses to Git hosts, so
-- `serve` and a `replay` on the same database (or two services by mistake) never send the same
-- key at once. A holder renews its row well before expires_at_ms; a row past its expiry (a
-- holder that died or hung) may be taken over. Holder: "hostname/pidnsN:pid:random".
CREATE TABLE dispatch_lease (
  name          TEXT    PRIMARY KEY,
  holder        TEXT    NOT NULL,
  expires_at_ms INTEGER NOT NULL
);
