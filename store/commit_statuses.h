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

namespace fluxstatus::store {

enum class SyncState { kPending, kSynced, kFailed, kSkipped };
std::string_view ToString(SyncState s);

// What dispatch has done for a key, kept across folds of the same state.
struct SyncInfo {
  SyncState sync_state = SyncState::kPending;
  std::optional<std::string> synced_at;
  std::int64_t attempts = 0;
  std::optional<std::string> last_error;
  std::optional<std::int64_t> next_attempt_ms;  // pending: not before this time (NULL: now)
  bool in_flight = false;  // a send may have reached the host unrecorded: list first
  std::optional<std::string> synced_state;        // what the host last confirmed
  std::optional<std::string> synced_description;

  // Facts about the host survive any re-fold of the key; dispatch progress does not.
  void KeepHostFacts(const SyncInfo& old) {
    in_flight = old.in_flight;
    synced_state = old.synced_state;
    synced_description = old.synced_description;
    synced_at = old.synced_at;
  }
};

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
std::optional<SyncState> SyncStateFromString(std::string_view s);

// One status_history row, as `rebuild --check` compares it.
struct ChangeRow {
  core::StatusKey key;
  std::string state, description, event_time, recorded_at;
  std::int64_t event_id = 0;
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
