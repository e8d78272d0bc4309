// `fluxstatus sql`: one arbitrary read-only statement over the inspection views, on a
// connection from OpenForReading. Touches no table of its own.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include <SQLiteCpp/Database.h>

namespace fluxstatus::store {

// One cell of a query result.
struct Blob {
  std::string bytes;
};
using Cell = std::variant<std::nullptr_t, std::int64_t, double, std::string, Blob>;

struct QueryResult {
  std::vector<std::string> columns;
  std::vector<std::vector<Cell>> rows;
};

// Runs one statement on a read-only connection (writes fail with SQLite's "readonly" error).
// Throws std::invalid_argument for an empty query or more than one statement.
QueryResult RunQuery(SQLite::Database& db, const std::string& sql);

// Whether the statement would change the database. The connection is read-only already, so a
// write fails anyway; asking SQLite first gives a plain message and stops statements that act
// before failing (VACUUM INTO creates its file). False for invalid SQL: RunQuery reports it.
bool StatementWouldWrite(SQLite::Database& db, const std::string& sql);

}  // namespace fluxstatus::store
