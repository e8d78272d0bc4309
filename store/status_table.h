// The folded status tables: commit_statuses (view current_status) and status_changes
// (view status_history). Owns every SQL statement on them.
#pragma once

#include <cstdint>
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

struct StatusRow {
  core::StatusKey key;
  core::KeyState fold;
  std::string updated_at;
  SyncInfo sync;
};

// The commit_statuses columns ReadStatusRow expects, in order, for SELECTs on the table.
extern const char* const kStatusColumns;
// Reads the current row of a statement that selected kStatusColumns.
StatusRow ReadStatusRow(SQLite::Statement& q);

// One status_history row, as `rebuild --check` compares it.
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

// Not thread-safe: owned by the thread that owns the connection.
class StatusTable {
 public:
  explicit StatusTable(SQLite::Database& db);

  std::optional<StatusRow> Load(const core::StatusKey& key);
  // Inserts or replaces the key's row (event_time text is derived from fold.event_time_ms).
  void Save(const StatusRow& row);
  // Appends a status_history entry for a change of the key's state.
  void RecordChange(const core::StatusKey& key, const core::KeyState& state, const std::string& recorded_at);

  // One commit's rows on one route, and its status_history entries in order (a per-commit re-fold).
  std::vector<StatusRow> ForCommit(const std::string& route, const std::string& commit_sha);
  std::vector<ChangeRow> HistoryOfCommit(const std::string& route, const std::string& commit_sha);
  // Removes the key's row / its status_history entries.
  void Remove(const core::StatusKey& key);
  void RemoveHistory(const core::StatusKey& key);

  // Every row, ordered by key (for rebuild comparison and `status`).
  std::vector<StatusRow> All();
  // status_history as text lines, in order, for rebuild comparison.
  std::vector<std::string> HistoryDigest();
  // Empties both tables (rebuild, inside its transaction).
  void Clear();
  // Rebuild's bulk load: drops the secondary indexes of both tables (inside the caller's
  // transaction) and returns the statements that recreate them, read from the schema itself.
  std::vector<std::string> DropIndexes();
  void CreateIndexes(const std::vector<std::string>& statements);

 private:
  SQLite::Database& db_;
  SQLite::Statement load_;
  SQLite::Statement save_;
  SQLite::Statement record_change_;
};

}  // namespace fluxstatus::store
