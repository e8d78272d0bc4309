// Read-side queries for the CLI: current statuses by route/commit prefix, and arbitrary
// read-only SQL for `fluxstatus sql`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "store/commit_statuses.h"

namespace fluxstatus::store {

struct StatusFilter {
  std::optional<std::string> route;
  std::optional<std::string> commit_prefix;  // hex; matched with LIKE 'prefix%' (indexed)
  std::optional<std::string> state;          // pending | success | failure | error
  std::optional<std::int64_t> since_ms;      // event time at or after this instant
  std::optional<std::int64_t> limit;         // the newest N rows (by event time)
};

// Newest event time first.
std::vector<StatusRow> QueryStatus(SQLite::Database& db, const StatusFilter& filter);

// The routes that have at least one status, in name order (for "no such route" messages when
// no routes are configured and any route name is accepted).
std::vector<std::string> StatusRoutes(SQLite::Database& db);

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

}  // namespace fluxstatus::store
