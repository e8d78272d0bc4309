#include "store/commit_statuses.h"

#include <stdexcept>

#include "core/rfc3339.h"
#include "store/database.h"
#include "store/fold_snapshot.h"
#include "store/statement_use.h"
#include "store/status_key_columns.h"
#include "store/status_row_columns.h"

namespace fluxstatus::store {
namespace {

const std::string& kStatusColumns = StatusRowColumns();

const std::string kLoad = std::string("SELECT ") + kStatusColumns +
                          " FROM commit_statuses WHERE route = ? AND repo = ? AND commit_sha = ?"
                          " AND context = ?";
const std::string kSave = "INSERT OR REPLACE INTO commit_statuses (" + StatusRowInsertColumns() +
                          ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
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

constexpr const char* kTable = "commit_statuses";

}  // namespace

CommitStatuses::CommitStatuses(SQLite::Database& db) : db_(db), load_(db, kLoad), save_(db, kSave) {}

std::optional<StatusRow> CommitStatuses::Load(const core::StatusKey& key) {
  StatementUse use(load_);
  BindStatusKey(load_, key);
  std::optional<StatusRow> row;
  if (load_.executeStep()) row = ReadStatusRow(load_, kTable);
  return row;
}

void CommitStatuses::Save(const StatusRow& r) {
  StatementUse use(save_);
  BindStatusRow(save_, r);
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
  while (q.executeStep()) rows.push_back(ReadStatusRow(q, kTable));
  return rows;
}

std::vector<StatusRow> CommitStatuses::ForCommit(const std::string& route, const std::string& commit_sha) {
  if (!for_commit_) for_commit_.emplace(db_, kForCommit);
  StatementUse use(*for_commit_);
  for_commit_->bind(1, route);
  for_commit_->bind(2, commit_sha);
  std::vector<StatusRow> rows;
  while (for_commit_->executeStep()) rows.push_back(ReadStatusRow(*for_commit_, kTable));
  return rows;
}

std::vector<StatusRow> CommitStatuses::Due(std::int64_t now_ms, std::size_t limit) {
  if (!due_) due_.emplace(db_, kDue);
  StatementUse use(*due_);
  due_->bind(1, static_cast<int64_t>(now_ms));
  due_->bind(2, static_cast<int64_t>(limit));
  std::vector<StatusRow> rows;
  while (due_->executeStep()) rows.push_back(ReadStatusRow(*due_, kTable));
  return rows;
}

CommitStatuses::PendingCount CommitStatuses::Pending() {
  SQLite::Statement q(db_, kPending);
  return ReadPendingCount(q);
}

std::map<std::string, std::int64_t> CommitStatuses::CountBySyncState() {
  SQLite::Statement q(db_, kBySyncState);
  return ReadCountsBySyncState(q);
}

void CommitStatuses::Clear() { db_.exec(kClear); }

std::vector<std::string> CommitStatuses::DropIndexes() { return DropSecondaryIndexes(db_, "commit_statuses"); }

std::vector<StatusRow> QueryStatus(SQLite::Database& db, const StatusFilter& filter) {
  SQLite::Statement q(db, "SELECT " + kStatusColumns + " FROM commit_statuses" + StatusFilterSql(filter));
  BindStatusFilter(q, filter);
  std::vector<StatusRow> rows;
  while (q.executeStep()) rows.push_back(ReadStatusRow(q, kTable));
  return rows;
}

std::vector<std::string> StatusRoutes(SQLite::Database& db) {
  SQLite::Statement q(db, kRoutes);
  std::vector<std::string> routes;
  while (q.executeStep()) routes.push_back(q.getColumn(0).getString());
  return routes;
}

}  // namespace fluxstatus::store
