#include "store/sql_query.h"

#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>

#include <stdexcept>
#include <string_view>

namespace fluxstatus::store {

QueryResult RunQuery(SQLite::Database& db, const std::string& sql) {
  // SQLiteCpp compiles only the first statement and silently drops the rest; refuse instead.
  const char* tail = nullptr;
  sqlite3_stmt* probe = nullptr;
  if (sqlite3_prepare_v2(db.getHandle(), sql.c_str(), static_cast<int>(sql.size()), &probe, &tail) == SQLITE_OK) {
    // Blanks or comments compile to no statement, which SQLiteCpp reports as "Statement needs
    // to be reseted".
    if (probe == nullptr) {
      throw std::invalid_argument(
          "the query is empty; give one SQL statement, e.g. "
          "fluxstatus sql \"select * from current_status limit 10\"");
    }
    sqlite3_finalize(probe);
    // What follows the first statement must compile to nothing (blanks, comments, ';').
    sqlite3_stmt* rest = nullptr;
    const bool more =
        tail && *tail && (sqlite3_prepare_v2(db.getHandle(), tail, -1, &rest, nullptr) != SQLITE_OK || rest);
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
      if (c.isNull())
        row.emplace_back(nullptr);
      else if (c.isInteger())
        row.emplace_back(static_cast<std::int64_t>(c.getInt64()));
      else if (c.isFloat())
        row.emplace_back(c.getDouble());
      else if (c.isBlob())
        row.emplace_back(Blob{std::string(static_cast<const char*>(c.getBlob()), static_cast<size_t>(c.getBytes()))});
      else
        row.emplace_back(c.getString());
    }
    out.rows.push_back(std::move(row));
  }
  return out;
}

bool StatementWouldWrite(SQLite::Database& db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db.getHandle(), sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK) {
    return false;  // not valid SQL: RunQuery reports SQLite's error
  }
  const bool writes = stmt != nullptr && !sqlite3_stmt_readonly(stmt);
  sqlite3_finalize(stmt);
  return writes;
}

}  // namespace fluxstatus::store
