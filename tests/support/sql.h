// Reading query results in tests: the contract is SQL, so tests assert through SQL on the
// inspection views. Header-only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

namespace fluxstatus::testing {

inline constexpr const char* kNullText = "<NULL>";

using Row = std::vector<std::string>;

// A cell's exact bytes (text or blob; numbers as SQLite renders them).
inline std::string Bytes(const SQLite::Column& c) {
  const void* p = c.getBlob();  // sqlite3_column_blob first, then sqlite3_column_bytes
  const int n = c.getBytes();
  if (p == nullptr || n <= 0) return {};
  return {static_cast<const char*>(p), static_cast<std::size_t>(n)};
}

// Every row of the query as text (NULL as <NULL>, blobs as their bytes).
inline std::vector<Row> QueryRows(SQLite::Database& db, const std::string& sql) {
  SQLite::Statement q(db, sql);
  std::vector<Row> rows;
  while (q.executeStep()) {
    Row row;
    for (int i = 0; i < q.getColumnCount(); ++i) {
      const SQLite::Column c = q.getColumn(i);
      if (c.isNull()) row.emplace_back(kNullText);
      else row.push_back(Bytes(c));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

inline std::int64_t QueryInt(SQLite::Database& db, const std::string& sql) {
  return db.execAndGet(sql).getInt64();
}

inline std::string QueryText(SQLite::Database& db, const std::string& sql) {
  const SQLite::Column c = db.execAndGet(sql);
  if (c.isNull()) return kNullText;
  return Bytes(c);
}

// Column names of a table or view, in order.
inline std::vector<std::string> ColumnsOf(SQLite::Database& db, const std::string& table) {
  std::vector<std::string> names;
  SQLite::Statement q(db, "SELECT name FROM pragma_table_info(?) ORDER BY cid");
  q.bind(1, table);
  while (q.executeStep()) names.push_back(q.getColumn(0).getString());
  return names;
}

}  // namespace fluxstatus::testing
