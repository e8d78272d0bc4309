// Reading query results in tests: the contract is SQL, so tests assert through SQL on the
// inspection views. The overloads taking a path open a fresh read-only connection per call,
// so they see the latest commit of a writer running beside them (WAL).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

namespace fluxstatus::testing {

inline constexpr const char* kNullText = "<NULL>";

using Row = std::vector<std::string>;

// A read-only connection that waits up to 5 s for a writer's lock.
std::unique_ptr<SQLite::Database> OpenReader(const std::string& db_path);

// A cell's exact bytes (text or blob; numbers as SQLite renders them).
std::string Bytes(const SQLite::Column& c);

// Every row of the query as text (NULL as <NULL>, blobs as their bytes).
std::vector<Row> QueryRows(SQLite::Database& db, const std::string& sql);
std::vector<Row> QueryRows(const std::string& db_path, const std::string& sql);

std::int64_t QueryInt(SQLite::Database& db, const std::string& sql);
std::int64_t QueryInt(const std::string& db_path, const std::string& sql);

// The first column of the first row; kNullText for NULL.
std::string QueryText(SQLite::Database& db, const std::string& sql);
std::string QueryText(const std::string& db_path, const std::string& sql);

// Column names of a table or view, in order.
std::vector<std::string> ColumnsOf(SQLite::Database& db, const std::string& table);

}  // namespace fluxstatus::testing
