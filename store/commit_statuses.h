// commit_statuses (view current_status): one row per key, the folded state and what dispatch
// did with it. Owns every SQL statement on the table: the writer's load and save, dispatch's
// outbox reads, the CLI's status queries, replay's marking. status_history is status_changes.h's.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "core/commit_status.h"
#include "core/fold.h"
#include "core/sync_state.h"

namespace fluxstatus::store {

// The sync columns and their states are core's (core/sync_state.h): every change to them is a
// transition there; this table only loads and saves them.
using core::SyncInfo;
using core::SyncState;
using core::SyncStateFromString;
using core::ToString;

// One commit_statuses row: a key with its folded state and sync columns (core::KeySync, the
// pair the sync transitions take). The folded state is the same core::KeyState a fold_snapshot
// row holds; the sync columns are what only this table has.
// A sink_targets row (store/sink_targets.h) is a StatusRow too, with `sink` naming its kind:
// dispatch takes both alike.
struct StatusRow : core::KeySync {
  core::StatusKey key;
  core::Sink sink = core::Sink::kCommitStatus;  // which table the row is in
};

// `fluxstatus status`: which rows, newest event time first.
struct StatusFilter {
  std::optional<std::string> route;
  std::optional<std::string> commit_prefix;  // hex; matched with LIKE 'prefix%' (indexed)
  std::optional<std::string> state;          // pending | success | failure | error
  std::optional<std::int64_t> since_ms;      // event time at or after this instant
  std::optional<std::int64_t> limit;         // the newest N rows (by event time)
};

// Newest event time first.
std::vector<StatusRow> QueryStatus(SQLite::Database& db, const StatusFilter& filter);

// The routes that have at least one status, in name order (for "no such route" messages when
// no routes are configured and any route name is accepted).
std::vector<std::string> StatusRoutes(SQLite::Database& db);

// Not thread-safe: owned by the thread that owns the connection.
class CommitStatuses {
 public:
  explicit CommitStatuses(SQLite::Database& db);

  std::optional<StatusRow> Load(const core::StatusKey& key);
  // Inserts or replaces the key's row (event_time text is derived from fold.event_time_ms).
  void Save(const StatusRow& row);
  // Removes the key's row (a re-fold that no longer yields the key).
  void Delete(const core::StatusKey& key);

  // Every row, ordered by key (for rebuild comparison and `status`).
  std::vector<StatusRow> All();
  // One commit's rows on one route, by context.
  std::vector<StatusRow> ForCommit(const std::string& route, const std::string& commit_sha);

  // Dispatch's outbox: pending keys whose next attempt time has come, oldest change first, at
  // most `limit`.
  std::vector<StatusRow> Due(std::int64_t now_ms, std::size_t limit);
  // How many keys are pending, and the updated_at of the oldest (nullopt when none).
  struct PendingCount {
    std::int64_t keys = 0;
    std::optional<std::string> oldest_updated_at;
  };
  PendingCount Pending();
  // How many keys are in each sync_state; a state no key is in is absent.
  std::map<std::string, std::int64_t> CountBySyncState();

  // Empties the table (rebuild, inside its transaction; status_changes has its own Clear).
  void Clear();
  // Rebuild's bulk load: drops the table's secondary indexes (inside the caller's transaction)
  // and returns the statements that recreate them (CreateIndexes in database.h).
  std::vector<std::string> DropIndexes();

 private:
  SQLite::Database& db_;
  SQLite::Statement load_;
  SQLite::Statement save_;
  std::optional<SQLite::Statement> due_, for_commit_;  // prepared on first use
};

}  // namespace fluxstatus::store
