// status_changes (view status_history): a row whenever a key's state, description or target URL
// changes, in log order. Owns every SQL statement on the table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "core/commit_status.h"
#include "core/fold.h"

namespace fluxstatus::store {

// One status_history row, as `rebuild --check` and a commit's re-fold compare it.
struct ChangeRow {
  core::StatusKey key;
  std::string state, description, event_time, recorded_at;
  std::int64_t event_id = 0;

  friend bool operator==(const ChangeRow&, const ChangeRow&) = default;
};

// Reads status_history by event (then row) one row at a time, so `rebuild --check` walks it
// beside a fresh fold without holding it in memory.
class ChangeReader {
 public:
  explicit ChangeReader(SQLite::Database& db);
  // The next row, or nullptr at the end; valid until the next call.
  const ChangeRow* Next();

 private:
  SQLite::Statement q_;
  ChangeRow row_;
};

// The key's newest `limit` rows, oldest first (a check run's recent history). Reads only.
std::vector<ChangeRow> RecentChanges(SQLite::Database& db, const core::StatusKey& key, std::size_t limit);

// Not thread-safe: owned by the thread that owns the connection.
class StatusChanges {
 public:
  explicit StatusChanges(SQLite::Database& db);

  // Appends a status_history entry for a change of the key to `state` (recorded_at: its
  // updated_at, the received_at of the event that made the change).
  void Record(const core::StatusKey& key, const core::KeyState& state);

  // One commit's rows on one route, in the order they were recorded.
  std::vector<ChangeRow> ForCommit(const std::string& route, const std::string& commit_sha);
  // Removes every row of the key (a re-fold rewrites its history).
  void DeleteKey(const core::StatusKey& key);

  // Rows of the events up to through_event_id (prune): counted, or deleted (returns how many).
  std::int64_t CountThrough(std::int64_t through_event_id);
  std::int64_t DeleteThrough(std::int64_t through_event_id);

  // Empties the table (rebuild, inside its transaction).
  void Clear();
  // Rebuild's bulk load: drops the table's secondary indexes and returns the statements that
  // recreate them (CreateIndexes in database.h).
  std::vector<std::string> DropIndexes();

 private:
  SQLite::Database& db_;
  SQLite::Statement record_;
};

}  // namespace fluxstatus::store
