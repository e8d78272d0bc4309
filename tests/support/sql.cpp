#include "tests/support/sql.h"

namespace fluxstatus::testing {

std::unique_ptr<SQLite::Database> OpenReader(const std::string& db_path) {
  auto db = std::make_unique<SQLite::Database>(db_path, SQLite::OPEN_READONLY);
  db->setBusyTimeout(5000);
  return db;
}

std::string Bytes(const SQLite::Column& c) {
  const void* p = c.getBlob();  // sqlite3_column_blob first, then sqlite3_column_bytes
  const int n = c.getBytes();
  if (p == nullptr || n <= 0) return {};
  return {static_cast<const char*>(p), static_cast<std::size_t>(n)};
}

std::vector<Row> QueryRows(SQLite::Database& db, const std::string& sql) {
  SQLite::Statement q(db, sql);
  std::vector<Row> rows;
  while (q.executeStep()) {
    Row row;
    for (int i = 0; i < q.getColumnCount(); ++i) {
      const SQLite::Column c = q.getColumn(i);
      if (c.isNull())
        row.emplace_back(kNullText);
      else
        row.push_back(Bytes(c));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<Row> QueryRows(const std::string& db_path, const std::string& sql) {
  return QueryRows(*OpenReader(db_path), sql);
}

std::int64_t QueryInt(SQLite::Database& db, const std::string& sql) { return db.execAndGet(sql).getInt64(); }

std::int64_t QueryInt(const std::string& db_path, const std::string& sql) {
  return QueryInt(*OpenReader(db_path), sql);
}

std::string QueryText(SQLite::Database& db, const std::string& sql) {
  const SQLite::Column c = db.execAndGet(sql);
  if (c.isNull()) return kNullText;
  return Bytes(c);
}

std::string QueryText(const std::string& db_path, const std::string& sql) {
  return QueryText(*OpenReader(db_path), sql);
}

std::vector<std::string> ColumnsOf(SQLite::Database& db, const std::string& table) {
  std::vector<std::string> names;
  SQLite::Statement q(db, "SELECT name FROM pragma_table_info(?) ORDER BY cid");
  q.bind(1, table);
  while (q.executeStep()) names.push_back(q.getColumn(0).getString());
  return names;
}

}  // namespace fluxstatus::testing
