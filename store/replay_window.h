// Which statuses a replay touches: the keys of the commits whose events arrived in a time
// window (optionally one route, one commit). Read side for --dry-run, write side to mark them
// for re-sync, and what dispatch did to them since. Owns the SQL that joins event_log to
// commit_statuses, and replay's reads of delivery_attempts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "store/commit_statuses.h"

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
std::int64_t CountWindowEvents(SQLite::Database& db, const ReplayWindow& window);

// The (route, commit) pairs of the window's events that name a commit, in that order.
struct WindowCommit {
  std::string route;
  std::string commit_sha;
};
std::vector<WindowCommit> WindowCommits(SQLite::Database& db, const ReplayWindow& window);

// Marks the commit's statuses on the route (except skipped ones) pending, due now, attempts
// reset, and in_flight, so dispatch lists the host first and posts only what the host lacks —
// even a status that was synced or had failed. Returns how many were marked.
std::int64_t MarkCommitForResync(SQLite::Database& db, const std::string& route, const std::string& commit_sha);

// The rows of `keys` as they are now (a key without a row is left out), read in ONE read
// transaction: a read transaction per key costs file locks each, too slow for a big window.
std::vector<StatusRow> LoadStatuses(SQLite::Database& db, const std::vector<core::StatusKey>& keys);

// The newest delivery_attempts id (0 when none): what a replay's report counts from.
std::int64_t LastDeliveryAttemptId(SQLite::Database& db);
// The outcome of every delivery attempt after `after_id`, with its key.
struct KeyOutcome {
  core::StatusKey key;
  std::string outcome;
};
std::vector<KeyOutcome> DeliveryOutcomesAfter(SQLite::Database& db, std::int64_t after_id);

}  // namespace fluxstatus::store
