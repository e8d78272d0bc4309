#include "store/sink_targets.h"

#include <stdexcept>

#include "store/statement_use.h"
#include "store/status_key_columns.h"
#include "store/status_row_columns.h"

namespace fluxstatus::store {
namespace {

constexpr const char* kTable = "sink_targets";

// The row's columns (StatusRowColumns, then the extras at 18-22), for every SELECT of whole rows.
const std::string& SinkColumns() {
  static const std::string columns = StatusRowColumns() + ", members_ready, members_total, sink, name, host_object_id";
  return columns;
}

const std::string& Select() {
  static const std::string select = "SELECT " + SinkColumns() + " FROM sink_targets";
  return select;
}

const std::string kLoad = Select() + " WHERE route = ? AND repo = ? AND commit_sha = ? AND context = ? AND sink = ?";
const std::string kSave = "INSERT OR REPLACE INTO sink_targets (" + StatusRowInsertColumns() +
                          ", members_ready, members_total, sink, name, host_object_id)"
                          " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
constexpr const char* kDelete =
    "DELETE FROM sink_targets WHERE route = ? AND repo = ? AND commit_sha = ? AND context = ? AND sink = ?";
const std::string kAll = Select() + " WHERE sink = ? ORDER BY route, repo, commit_sha, context";
const std::string kForCommit = Select() + " WHERE sink = ? AND commit_sha = ? ORDER BY route, repo, context";
const std::string kDue = Select() +
                         " WHERE sync_state = 'pending' AND (next_attempt_ms IS NULL OR next_attempt_ms <= ?)"
                         " ORDER BY updated_at LIMIT ?";
constexpr const char* kPending = "SELECT count(*), min(updated_at) FROM sink_targets WHERE sync_state = 'pending'";
constexpr const char* kBySyncState = "SELECT sync_state, count(*) FROM sink_targets GROUP BY sync_state";
constexpr const char* kClear = "DELETE FROM sink_targets WHERE sink = ?";

core::Sink SinkFromText(const std::string& text) {
  for (auto sink : core::kDerivedSinks) {
    if (core::ToString(sink) == text) return sink;
  }
  throw std::runtime_error("sink_targets holds an unknown sink '" + text + "'");
}

SinkRow ReadSinkRow(SQLite::Statement& q) {
  SinkRow r;
  static_cast<StatusRow&>(r) = ReadStatusRow(q, kTable);
  if (!q.getColumn(18).isNull()) r.members_ready = q.getColumn(18).getInt64();
  if (!q.getColumn(19).isNull()) r.members_total = q.getColumn(19).getInt64();
  r.sink = SinkFromText(q.getColumn(20).getString());
  r.name = q.getColumn(21).getString();
  if (!q.getColumn(22).isNull()) r.sync.host_object_id = q.getColumn(22).getString();
  return r;
}

std::vector<SinkRow> ReadAll(SQLite::Statement& q) {
  std::vector<SinkRow> rows;
  while (q.executeStep()) rows.push_back(ReadSinkRow(q));
  return rows;
}

}  // namespace

SinkTargets::SinkTargets(SQLite::Database& db) : db_(db), load_(db, kLoad), save_(db, kSave) {}

std::optional<SinkRow> SinkTargets::Load(core::Sink sink, const core::StatusKey& key) {
  StatementUse use(load_);
  BindStatusKey(load_, key);
  load_.bind(5, std::string(core::ToString(sink)));
  std::optional<SinkRow> row;
  if (load_.executeStep()) row = ReadSinkRow(load_);
  return row;
}

void SinkTargets::Save(const SinkRow& r) {
  StatementUse use(save_);
  BindStatusRow(save_, r);
  if (r.sink == core::Sink::kAggregate) {
    save_.bind(20, static_cast<int64_t>(r.members_ready));
    save_.bind(21, static_cast<int64_t>(r.members_total));
  }
  save_.bind(22, std::string(core::ToString(r.sink)));
  save_.bind(23, r.name);
  if (r.sync.host_object_id) save_.bind(24, *r.sync.host_object_id);
  save_.exec();
}

void SinkTargets::Delete(core::Sink sink, const core::StatusKey& key) {
  SQLite::Statement q(db_, kDelete);
  BindStatusKey(q, key);
  q.bind(5, std::string(core::ToString(sink)));
  q.exec();
}

std::vector<SinkRow> SinkTargets::All(core::Sink sink) {
  SQLite::Statement q(db_, kAll);
  q.bind(1, std::string(core::ToString(sink)));
  return ReadAll(q);
}

std::vector<SinkRow> SinkTargets::ForCommit(core::Sink sink, const std::string& commit_sha) {
  SQLite::Statement q(db_, kForCommit);
  q.bind(1, std::string(core::ToString(sink)));
  q.bind(2, commit_sha);
  return ReadAll(q);
}

void SinkTargets::Clear(core::Sink sink) {
  SQLite::Statement q(db_, kClear);
  q.bind(1, std::string(core::ToString(sink)));
  q.exec();
}

std::vector<StatusRow> SinkTargets::Due(std::int64_t now_ms, std::size_t limit) {
  if (!due_) due_.emplace(db_, kDue);
  StatementUse use(*due_);
  due_->bind(1, static_cast<int64_t>(now_ms));
  due_->bind(2, static_cast<int64_t>(limit));
  std::vector<StatusRow> rows;
  while (due_->executeStep()) rows.push_back(ReadSinkRow(*due_));
  return rows;
}

CommitStatuses::PendingCount SinkTargets::Pending() {
  SQLite::Statement q(db_, kPending);
  return ReadPendingCount(q);
}

std::map<std::string, std::int64_t> SinkTargets::CountBySyncState() {
  SQLite::Statement q(db_, kBySyncState);
  return ReadCountsBySyncState(q);
}

std::vector<StatusRow> QuerySinkStatus(SQLite::Database& db, const StatusFilter& filter) {
  SQLite::Statement q(db, Select() + StatusFilterSql(filter));
  BindStatusFilter(q, filter);
  std::vector<StatusRow> rows;
  while (q.executeStep()) rows.push_back(ReadSinkRow(q));
  return rows;
}

}  // namespace fluxstatus::store
