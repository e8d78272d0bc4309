// The append-only event log (table event_log, view `events`). Owns every SQL statement on it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "core/flux_event.h"
#include "core/revision.h"

namespace fluxstatus::store {

// One accepted event as it is logged.
struct LoggedEvent {
  std::string route;
  std::int64_t received_at_ms = 0;
  std::string body;  // raw bytes as received
  core::FluxEvent event;
  core::CommitRef commit;
};

// A row read back for folding (rebuild, replay).
struct LogRow {
  std::int64_t id = 0;
  std::string route;
  std::string received_at;
  std::string body;
};

// Not thread-safe: owned by the thread that owns the connection.
class EventLog {
 public:
  explicit EventLog(SQLite::Database& db);

  // Appends the event; returns its id, or nullopt when the same route already logged a
  // byte-identical body (then DuplicateOf tells which id). Must run inside a transaction.
  std::optional<std::int64_t> Append(const LoggedEvent& e);
  std::optional<std::int64_t> DuplicateOf(const std::string& route, const std::string& body);

  // Calls fn for every row with from_id <= id <= through_id, in log order.
  void ForEach(std::int64_t from_id, const std::function<void(const LogRow&)>& fn,
               std::int64_t through_id = INT64_MAX);

  std::int64_t Count();

 private:
  SQLite::Database& db_;
  SQLite::Statement insert_;
  SQLite::Statement find_duplicate_;
};

}  // namespace fluxstatus::store
