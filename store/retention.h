// Retention: `fluxstatus prune --before T`. Deletes a prefix of the event log (every event up to
// the last one received before T), the status_history rows of those events, and the delivery
// attempts and rejected requests older than T, in ONE transaction, after folding the prefix
// into the fold snapshot so that `rebuild` still reproduces current_status exactly. The one
// sanctioned way to delete: it orchestrates; each table's DELETE (and event_log's permit) is
// in that table's module.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include <SQLiteCpp/Database.h>

#include "core/route_catalog.h"

namespace fluxstatus::store {

struct PruneReport {
  std::string cutoff;                 // T, RFC 3339
  std::int64_t through_event_id = 0;  // the log prefix folded into the snapshot (0: none)
  std::int64_t events = 0;            // event_log rows deleted (or, dry run, to delete)
  std::int64_t events_kept = 0;       // of the prefix, kept: a current status names them
  std::int64_t changes = 0;           // status_history rows
  std::int64_t attempts = 0;          // delivery_attempts rows
  std::int64_t rejections = 0;        // rejected_events rows
  std::int64_t snapshot_keys = 0;     // statuses in the fold snapshot afterwards (not in a dry run)
};

// Prune refuses to snapshot a log that current_status disagrees with: the snapshot would
// make the disagreement permanent. The message names the first key and the fix.
class PruneRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What Prune would delete, counted in one read transaction; writes nothing.
PruneReport PlanPrune(SQLite::Database& db, std::int64_t cutoff_ms);

// Prunes everything before cutoff_ms in one write transaction (foreign keys are checked once,
// at the end, instead of per deleted row). Throws PruneRefused, or SQLite::Exception on I/O
// failure; then nothing changed.
PruneReport Prune(SQLite::Database& db, const core::RouteCatalog& routes, std::int64_t cutoff_ms, std::int64_t now_ms);

}  // namespace fluxstatus::store
