#include "store/status_row_columns.h"

#include <stdexcept>

#include "core/rfc3339.h"
#include "store/fold_snapshot.h"
#include "store/status_key_columns.h"

namespace fluxstatus::store {
namespace {

std::optional<std::string> OptionalText(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getString();
}

}  // namespace

const std::string& StatusRowColumns() {
  static const std::string columns = std::string(kKeyStateColumns) +
                                     ", sync_state, synced_at, attempts, last_error, next_attempt_ms, in_flight,"
                                     " synced_state, synced_description";
  return columns;
}

const std::string& StatusRowInsertColumns() {
  static const std::string columns =
      "route, repo, commit_sha, context, state, description, target_url, event_id, event_time, event_time_ms,"
      " updated_at, sync_state, synced_at, attempts, last_error, next_attempt_ms, in_flight, synced_state,"
      " synced_description";
  return columns;
}

StatusRow ReadStatusRow(SQLite::Statement& q, const char* table) {
  StatusRow r;
  r.key = ReadStatusKey(q);
  r.fold = ReadKeyState(q, table);
  auto sync = SyncStateFromString(q.getColumn(10).getString());
  if (!sync) throw std::runtime_error(std::string(table) + " holds an unknown sync state");
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

void BindStatusRow(SQLite::Statement& q, const StatusRow& r) {
  BindStatusKey(q, r.key);
  q.bind(5, std::string(core::ToString(r.fold.state)));
  q.bind(6, r.fold.description);
  if (!r.fold.target_url.empty()) q.bind(7, r.fold.target_url);
  q.bind(8, static_cast<int64_t>(r.fold.event_id));
  q.bind(9, core::FormatRfc3339Millis(r.fold.event_time_ms));
  q.bind(10, static_cast<int64_t>(r.fold.event_time_ms));
  q.bind(11, r.fold.updated_at);
  q.bind(12, std::string(ToString(r.sync.sync_state)));
  if (r.sync.synced_at) q.bind(13, *r.sync.synced_at);
  q.bind(14, static_cast<int64_t>(r.sync.attempts));
  if (r.sync.last_error) q.bind(15, *r.sync.last_error);
  if (r.sync.next_attempt_ms) q.bind(16, static_cast<int64_t>(*r.sync.next_attempt_ms));
  q.bind(17, r.sync.in_flight ? 1 : 0);
  if (r.sync.synced_state) q.bind(18, *r.sync.synced_state);
  if (r.sync.synced_description) q.bind(19, *r.sync.synced_description);
}

CommitStatuses::PendingCount ReadPendingCount(SQLite::Statement& q) {
  CommitStatuses::PendingCount out;
  if (q.executeStep()) {
    out.keys = q.getColumn(0).getInt64();
    out.oldest_updated_at = OptionalText(q.getColumn(1));
  }
  return out;
}

std::map<std::string, std::int64_t> ReadCountsBySyncState(SQLite::Statement& q) {
  std::map<std::string, std::int64_t> counts;
  while (q.executeStep()) counts[q.getColumn(0).getString()] = q.getColumn(1).getInt64();
  return counts;
}

std::string StatusFilterSql(const StatusFilter& filter) {
  std::string sql = " WHERE 1";
  if (filter.route) sql += " AND route = ?1";
  if (filter.commit_prefix) sql += " AND commit_sha LIKE ?2";
  if (filter.state) sql += " AND state = ?3";
  if (filter.since_ms) sql += " AND event_time_ms >= ?4";
  sql += " ORDER BY event_time_ms DESC, route, commit_sha, context";
  return filter.limit ? sql + " LIMIT ?5" : sql;
}

void BindStatusFilter(SQLite::Statement& q, const StatusFilter& filter) {
  if (filter.route) q.bind(1, *filter.route);
  if (filter.commit_prefix) q.bind(2, *filter.commit_prefix + "%");
  if (filter.state) q.bind(3, *filter.state);
  if (filter.since_ms) q.bind(4, static_cast<std::int64_t>(*filter.since_ms));
  if (filter.limit) q.bind(5, static_cast<std::int64_t>(*filter.limit));
}

}  // namespace fluxstatus::store
