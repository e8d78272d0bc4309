// The append-only event log (table event_log, view `events`). Owns every SQL statement on it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>

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

// Which logged events a fold reads, in log order.
struct LogSpan {  // after_id < id <= through_id: the whole log, or prune's prefix
  std::int64_t after_id = 0;
  std::int64_t through_id = INT64_MAX;
};
struct CommitEvents {  // id > after_id, of one commit on one route (replay's per-commit re-fold)
  std::string route;
  std::string commit_sha;
  std::int64_t after_id = 0;
};
using LogSelection = std::variant<LogSpan, CommitEvents>;

// Not thread-safe: owned by the thread that owns the connection.
class EventLog {
 public:
  explicit EventLog(SQLite::Database& db);

  // Appends the event; returns its id, or nullopt when the same route already logged a
  // byte-identical body (then DuplicateOf tells which id). Must run inside a transaction.
  std::optional<std::int64_t> Append(const LoggedEvent& e);
  std::optional<std::int64_t> DuplicateOf(const std::string& route, const std::string& body);

  // Calls fn for every selected row, in log order.
  void ForEach(const LogSelection& selection, const std::function<void(const LogRow&)>& fn);

  std::int64_t Count();

 private:
  SQLite::Database& db_;
  SQLite::Statement insert_;
  SQLite::Statement find_duplicate_;
};

}  // namespace fluxstatus::store
