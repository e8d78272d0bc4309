#include "store/status_query.h"

#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>

#include <stdexcept>
#include <string_view>

#include "core/commit_status.h"

namespace fluxstatus::store {
namespace {

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

}  // namespace

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
  SQLite::Statement q(db, "SELECT DISTINCT route FROM commit_statuses ORDER BY route");
  std::vector<std::string> routes;
  while (q.executeStep()) routes.push_back(q.getColumn(0).getString());
  return routes;
}

QueryResult RunQuery(SQLite::Database& db, const std::string& sql) {
  // SQLiteCpp compiles only the first statement and silently drops the rest; refuse instead.
  const char* tail = nullptr;
  sqlite3_stmt* probe = nullptr;
  if (sqlite3_prepare_v2(db.getHandle(), sql.c_str(), static_cast<int>(sql.size()), &probe, &tail) == SQLITE_OK) {
    // Blanks or comments compile to no statement, which SQLiteCpp reports as "Statement needs
    // to be reseted".
    if (probe == nullptr) {
      throw std::invalid_argument("the query is empty; give one SQL statement, e.g. "
                                  "fluxstatus sql \"select * from current_status limit 10\"");
    }
    sqlite3_finalize(probe);
    // What follows the first statement must compile to nothing (blanks, comments, ';').
    sqlite3_stmt* rest = nullptr;
    const bool more = tail && *tail &&
                      (sqlite3_prepare_v2(db.getHandle(), tail, -1, &rest, nullptr) != SQLITE_OK || rest);
    sqlite3_finalize(rest);
    if (more) throw std::invalid_argument("only one SQL statement is allowed; found more after the first");
  }
  SQLite::Statement q(db, sql);
  QueryResult out;
  for (int i = 0; i < q.getColumnCount(); ++i) out.columns.emplace_back(q.getColumnName(i));
  while (q.executeStep()) {
    std::vector<Cell> row;
    for (int i = 0; i < q.getColumnCount(); ++i) {
      const SQLite::Column c = q.getColumn(i);
      if (c.isNull()) row.emplace_back(nullptr);
      else if (c.isInteger()) row.emplace_back(static_cast<std::int64_t>(c.getInt64()));
      else if (c.isFloat()) row.emplace_back(c.getDouble());
      else if (c.isBlob()) row.emplace_back(Blob{std::string(static_cast<const char*>(c.getBlob()), static_cast<size_t>(c.getBytes()))});
      else row.emplace_back(c.getString());
    }
    out.rows.push_back(std::move(row));
  }
  return out;
}

}  // namespace fluxstatus::store
