#include "store/status_changes.h"

#include <algorithm>

#include "core/rfc3339.h"
#include "store/database.h"
#include "store/statement_use.h"
#include "store/status_key_columns.h"

namespace fluxstatus::store {
namespace {

constexpr const char* kRecord =
    "INSERT INTO status_changes (route, repo, commit_sha, context, state, description, event_id,"
    " event_time, recorded_at) VALUES (?,?,?,?,?,?,?,?,?)";
constexpr const char* kColumns =
    "SELECT route, repo, commit_sha, context, state, description, event_id, event_time, recorded_at"
    " FROM status_changes";
const std::string kByEvent = std::string(kColumns) + " ORDER BY event_id, id";
const std::string kForCommit = std::string(kColumns) + " WHERE route = ? AND commit_sha = ? ORDER BY id";
// The newest first (status_changes_key), turned round by the caller.
const std::string kRecentForKey =
    std::string(kColumns) + " WHERE route = ? AND repo = ? AND commit_sha = ? AND context = ? ORDER BY id DESC LIMIT ?";
constexpr const char* kDeleteKey =
    "DELETE FROM status_changes WHERE route = ? AND repo = ? AND commit_sha = ? AND context = ?";
constexpr const char* kCountThrough = "SELECT count(*) FROM status_changes WHERE event_id <= ?1";
constexpr const char* kDeleteThrough = "DELETE FROM status_changes WHERE event_id <= ?1";
constexpr const char* kClear = "DELETE FROM status_changes";

// Reads a row of a statement that selected kColumns.
void ReadChange(SQLite::Statement& q, ChangeRow& row) {
  row.key = {q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(),
             q.getColumn(3).getString()};
  row.state = q.getColumn(4).getString();
  row.description = q.getColumn(5).getString();
  row.event_id = q.getColumn(6).getInt64();
  row.event_time = q.getColumn(7).getString();
  row.recorded_at = q.getColumn(8).getString();
}

}  // namespace

ChangeReader::ChangeReader(SQLite::Database& db) : q_(db, kByEvent) {}

const ChangeRow* ChangeReader::Next() {
  if (!q_.executeStep()) return nullptr;
  ReadChange(q_, row_);
  return &row_;
}

StatusChanges::StatusChanges(SQLite::Database& db) : db_(db), record_(db, kRecord) {}

void StatusChanges::Record(const core::StatusKey& key, const core::KeyState& state) {
  StatementUse use(record_);
  BindStatusKey(record_, key);
  record_.bind(5, std::string(core::ToString(state.state)));
  record_.bind(6, state.description);
  record_.bind(7, static_cast<int64_t>(state.event_id));
  record_.bind(8, core::FormatRfc3339Millis(state.event_time_ms));
  record_.bind(9, state.updated_at);
  record_.exec();
}

std::vector<ChangeRow> RecentChanges(SQLite::Database& db, const core::StatusKey& key, std::size_t limit) {
  SQLite::Statement q(db, kRecentForKey);
  BindStatusKey(q, key);
  q.bind(5, static_cast<int64_t>(limit));
  std::vector<ChangeRow> rows;
  while (q.executeStep()) ReadChange(q, rows.emplace_back());
  std::reverse(rows.begin(), rows.end());
  return rows;
}

std::vector<ChangeRow> StatusChanges::ForCommit(const std::string& route, const std::string& commit_sha) {
  SQLite::Statement q(db_, kForCommit);
  q.bind(1, route);
  q.bind(2, commit_sha);
  std::vector<ChangeRow> rows;
  while (q.executeStep()) ReadChange(q, rows.emplace_back());
  return rows;
}

void StatusChanges::DeleteKey(const core::StatusKey& key) {
  SQLite::Statement q(db_, kDeleteKey);
  BindStatusKey(q, key);
  q.exec();
}

std::int64_t StatusChanges::CountThrough(std::int64_t through_event_id) {
  SQLite::Statement q(db_, kCountThrough);
  q.bind(1, static_cast<int64_t>(through_event_id));
  q.executeStep();
  return q.getColumn(0).getInt64();
}

std::int64_t StatusChanges::DeleteThrough(std::int64_t through_event_id) {
  SQLite::Statement q(db_, kDeleteThrough);
  q.bind(1, static_cast<int64_t>(through_event_id));
  return q.exec();
}

void StatusChanges::Clear() { db_.exec(kClear); }

std::vector<std::string> StatusChanges::DropIndexes() { return DropSecondaryIndexes(db_, "status_changes"); }

}  // namespace fluxstatus::store
