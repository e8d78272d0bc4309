#include "store/commit_statuses.h"

#include <stdexcept>

#include "core/rfc3339.h"
#include "store/database.h"
#include "store/fold_snapshot.h"
#include "store/statement_use.h"
#include "store/status_key_columns.h"

namespace fluxstatus::store {
namespace {

// The columns ReadStatusRow expects, in order, for every SELECT of whole rows: the key and its
// folded state as fold_snapshot has them (read by its ReadKeyState), then the sync columns.
const std::string kStatusColumns = std::string(kKeyStateColumns) +
                                   ", sync_state, synced_at, attempts, last_error, next_attempt_ms, in_flight,"
                                   " synced_state, synced_description";

const std::string kLoad = std::string("SELECT ") + kStatusColumns +
                          " FROM commit_statuses WHERE route = ? AND repo = ? AND commit_sha = ?"
                          " AND context = ?";
constexpr const char* kSave =
    "INSERT OR REPLACE INTO commit_statuses (route, repo, commit_sha, context, state, description,"
    " target_url, event_id, event_time, event_time_ms, updated_at, sync_state, synced_at, attempts,"
    " last_error, next_attempt_ms, in_flight, synced_state, synced_description)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
const std::string kAll =
    std::string("SELECT ") + kStatusColumns + " FROM commit_statuses ORDER BY route, repo, commit_sha, context";
const std::string kForCommit = std::string("SELECT ") + kStatusColumns +
                               " FROM commit_statuses WHERE route = ? AND commit_sha = ? ORDER BY context";
constexpr const char* kDelete =
    "DELETE FROM commit_statuses WHERE route = ? AND repo = ? AND commit_sha = ? AND context = ?";
const std::string kDue = std::string("SELECT ") + kStatusColumns +
                         " FROM commit_statuses WHERE sync_state = 'pending'"
                         " AND (next_attempt_ms IS NULL OR next_attempt_ms <= ?)"
                         " ORDER BY updated_at LIMIT ?";
constexpr const char* kPending = "SELECT count(*), min(updated_at) FROM commit_statuses WHERE sync_state = 'pending'";
constexpr const char* kBySyncState = "SELECT sync_state, count(*) FROM commit_statuses GROUP BY sync_state";
constexpr const char* kRoutes = "SELECT DISTINCT route FROM commit_statuses ORDER BY route";
constexpr const char* kClear = "DELETE FROM commit_statuses";

// Only the filters given appear in the WHERE clause, and the prefix is bound with its '%':
// `(?2 IS NULL OR commit_sha LIKE ?2 || '%')` would defeat the LIKE optimisation (a full scan).
std::string QueryStatusSql(const StatusFilter& filter) {
  std::string sql = std::string("SELECT ") + kStatusColumns + " FROM commit_statuses WHERE 1";
  if (filter.route) sql += " AND route = ?1";
  if (filter.commit_prefix) sql += " AND commit_sha LIKE ?2";
  if (filter.state) sql += " AND state = ?3";
  if (filter.since_ms) sql += " AND event_time_ms >= ?4";
  sql += " ORDER BY event_time_ms DESC, route, commit_sha, context";
  return filter.limit ? sql + " LIMIT ?5" : sql;
}

std::optional<std::string> OptionalText(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getString();
}

}  // namespace

// Reads the current row of a statement that selected kStatusColumns (no declaration in the
// header: only this module reads whole rows).
StatusRow ReadStatusRow(SQLite::Statement& q) {
  StatusRow r;
  r.key = ReadStatusKey(q);
  r.fold = ReadKeyState(q, "commit_statuses");
  auto sync = SyncStateFromString(q.getColumn(10).getString());
  if (!sync) throw std::runtime_error("commit_statuses holds an unknown state");
  r.sync.sync_state = *sync;
  r.sync.synced_at = OptionalText(q.getColumn(11));
  r.sync.attempts = q.getColumn(12).getInt64();
  r.sync.last_error = OptionalText(q.getColumn(13));
  if (!q.getColumn(14).isNull()) r.sync.next_attempt_ms = q.getColumn(14).getInt64();
  r.sync.in_flight = q.getColumn(15).getInt() != 0;
  r.sync.synced_state = OptionalText(q.getColumn(16));
  r.sync.synced_description = OptionalText(q.getColumn(17));
  return r;
}

CommitStatuses::CommitStatuses(SQLite::Database& db) : db_(db), load_(db, kLoad), save_(db, kSave) {}

std::optional<StatusRow> CommitStatuses::Load(const core::StatusKey& key) {
  StatementUse use(load_);
  BindStatusKey(load_, key);
  std::optional<StatusRow> row;
  if (load_.executeStep()) row = ReadStatusRow(load_);
  return row;
}

void CommitStatuses::Save(const StatusRow& r) {
  StatementUse use(save_);
  BindStatusKey(save_, r.key);
  save_.bind(5, std::string(core::ToString(r.fold.state)));
  save_.bind(6, r.fold.description);
  if (!r.fold.target_url.empty()) save_.bind(7, r.fold.target_url);
  save_.bind(8, static_cast<int64_t>(r.fold.event_id));
  save_.bind(9, core::FormatRfc3339Millis(r.fold.event_time_ms));
  save_.bind(10, static_cast<int64_t>(r.fold.event_time_ms));
  save_.bind(11, r.fold.updated_at);
  save_.bind(12, std::string(ToString(r.sync.sync_state)));
  if (r.sync.synced_at) save_.bind(13, *r.sync.synced_at);
  save_.bind(14, static_cast<int64_t>(r.sync.attempts));
  if (r.sync.last_error) save_.bind(15, *r.sync.last_error);
  if (r.sync.next_attempt_ms) save_.bind(16, static_cast<int64_t>(*r.sync.next_attempt_ms));
  save_.bind(17, r.sync.in_flight ? 1 : 0);
  if (r.sync.synced_state) save_.bind(18, *r.sync.synced_state);
  if (r.sync.synced_description) save_.bind(19, *r.sync.synced_description);
  save_.exec();
}

void CommitStatuses::Delete(const core::StatusKey& key) {
  SQLite::Statement q(db_, kDelete);
  BindStatusKey(q, key);
  q.exec();
}

std::vector<StatusRow> CommitStatuses::All() {
  SQLite::Statement q(db_, kAll);
  std::vector<StatusRow> rows;
  while (q.executeStep()) rows.push_back(ReadStatusRow(q));
  return rows;
}

std::vector<StatusRow> CommitStatuses::ForCommit(const std::string& route, const std::string& commit_sha) {
  if (!for_commit_) for_commit_.emplace(db_, kForCommit);
  StatementUse use(*for_commit_);
  for_commit_->bind(1, route);
  for_commit_->bind(2, commit_sha);
  std::vector<StatusRow> rows;
  while (for_commit_->executeStep()) rows.push_back(ReadStatusRow(*for_commit_));
  return rows;
}

std::vector<StatusRow> CommitStatuses::Due(std::int64_t now_ms, std::size_t limit) {
  if (!due_) due_.emplace(db_, kDue);
  StatementUse use(*due_);
  due_->bind(1, static_cast<int64_t>(now_ms));
  due_->bind(2, static_cast<int64_t>(limit));
  std::vector<StatusRow> rows;
  while (due_->executeStep()) rows.push_back(ReadStatusRow(*due_));
  return rows;
}

CommitStatuses::PendingCount CommitStatuses::Pending() {
  SQLite::Statement q(db_, kPending);
  PendingCount out;
  if (q.executeStep()) {
    out.keys = q.getColumn(0).getInt64();
    out.oldest_updated_at = OptionalText(q.getColumn(1));
  }
  return out;
}

std::map<std::string, std::int64_t> CommitStatuses::CountBySyncState() {
  SQLite::Statement q(db_, kBySyncState);
  std::map<std::string, std::int64_t> counts;
  while (q.executeStep()) counts[q.getColumn(0).getString()] = q.getColumn(1).getInt64();
  return counts;
}

void CommitStatuses::Clear() { db_.exec(kClear); }

std::vector<std::string> CommitStatuses::DropIndexes() { return DropSecondaryIndexes(db_, "commit_statuses"); }

std::vector<StatusRow> QueryStatus(SQLite::Database& db, const StatusFilter& filter) {
  SQLite::Statement q(db, QueryStatusSql(filter));
  if (filter.route) q.bind(1, *filter.route);
  if (filter.commit_prefix) q.bind(2, *filter.commit_prefix + "%");
  if (filter.state) q.bind(3, *filter.state);
  if (filter.since_ms) q.bind(4, static_cast<std::int64_t>(*filter.since_ms));
  if (filter.limit) q.bind(5, static_cast<std::int64_t>(*filter.limit));
  std::vector<StatusRow> rows;
  while (q.executeStep()) rows.push_back(ReadStatusRow(q));
  return rows;
}

std::vector<std::string> StatusRoutes(SQLite::Database& db) {
  SQLite::Statement q(db, kRoutes);
  std::vector<std::string> routes;
  while (q.executeStep()) routes.push_back(q.getColumn(0).getString());
  return routes;
}

}  // namespace fluxstatus::store
