// Read-side queries for the CLI: current statuses by route/commit prefix, and arbitrary
// read-only SQL for `fluxstatus sql`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "store/status_table.h"

namespace fluxstatus::store {

struct StatusFilter {
  std::optional<std::string> route;
  std::optional<std::string> commit_prefix;  // hex; matched with LIKE 'prefix%' (indexed)
};

std::vector<StatusRow> QueryStatus(SQLite::Database& db, const StatusFilter& filter);

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
QueryResult RunQuery(SQLite::Database& db, const std::string& sql);

}  // namespace fluxstatus::store
