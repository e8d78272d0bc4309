// Which statuses a replay touches: the keys of the commits whose events arrived in a time
// window (optionally one route, one commit; the window's events are event_log.h's). Read side
// for --dry-run, write side to mark them for re-sync. What dispatch did to them since is
// delivery_attempts.h's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "store/commit_statuses.h"
#include "store/event_log.h"

namespace fluxstatus::store {

struct ReplayPlan {
  std::int64_t events = 0;
  std::optional<std::int64_t> first_id, last_id;
  std::vector<StatusRow> keys;  // the statuses that would be re-synced
};

ReplayPlan PlanReplay(SQLite::Database& db, const ReplayWindow& window);

// Marks the commit's statuses on the route (except skipped ones) pending, due now, attempts
// reset, and in_flight, so dispatch lists the host first and posts only what the host lacks —
// even a status that was synced or had failed. Returns how many were marked.
std::int64_t MarkCommitForResync(SQLite::Database& db, const std::string& route, const std::string& commit_sha);

// The rows of `keys` as they are now (a key without a row is left out), read in ONE read
// transaction: a read transaction per key costs file locks each, too slow for a big window.
std::vector<StatusRow> LoadStatuses(SQLite::Database& db, const std::vector<core::SinkKey>& targets);

}  // namespace fluxstatus::store
