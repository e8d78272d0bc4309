// Which statuses a replay touches: the keys of the commits whose events arrived in a time
// window (optionally one route, one commit). Read side for --dry-run, write side to mark them
// for re-sync. Owns the SQL that joins event_log to commit_statuses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "store/status_table.h"

namespace fluxstatus::store {

struct ReplayWindow {
  std::int64_t since_ms = 0;
  std::optional<std::int64_t> until_ms;
  std::optional<std::string> route;
  std::optional<std::string> commit;  // full SHA or prefix
};

struct ReplayPlan {
  std::int64_t events = 0;
  std::optional<std::int64_t> first_id, last_id;
  std::vector<StatusRow> keys;  // the statuses that would be re-synced
};

ReplayPlan PlanReplay(SQLite::Database& db, const ReplayWindow& window);

// Marks the window's keys (except routes without a provider) pending, attempts reset, and
// in_flight, so dispatch lists the host first and posts only what the host lacks.
// Returns how many keys were marked. Run it inside the writer's connection.
std::int64_t MarkForResync(SQLite::Database& db, const ReplayWindow& window);

}  // namespace fluxstatus::store
