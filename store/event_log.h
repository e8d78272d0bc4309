// The append-only event log (table event_log, view `events`). Owns every SQL statement on it,
// and on event_log_prune_permit, the row through which prune alone may delete a prefix.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "core/event_origin.h"
#include "core/flux_event.h"
#include "core/revision.h"

namespace fluxstatus::store {

// One accepted event as it is logged.
struct LoggedEvent {
  std::string route;
  std::string received_at;  // RFC 3339 with milliseconds, as the column keeps it
  std::string body;         // raw bytes as received
  core::FluxEvent event;
  core::CommitRef commit;
  core::EventOrigin origin = core::EventOrigin::kHttp;
};

// A row read back for folding (rebuild, replay).
struct LogRow {
  std::int64_t id = 0;
  std::string route;
  std::string received_at;  // as LoggedEvent's
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

// The events received in a time window (optionally one route, one commit): what `replay`
// re-folds and re-sends.
struct ReplayWindow {
  std::int64_t since_ms = 0;
  std::optional<std::int64_t> until_ms;
  std::optional<std::string> route;
  std::optional<std::string> commit;  // full SHA or prefix
};

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

  // Retention (`prune`). The prefix of the log received before `cutoff` (RFC 3339): the id
  // below the first event received at or after it (0: none).
  std::int64_t PrefixEndBefore(const std::string& cutoff);
  // Of the events with id <= through_id: how many there are, and how many prune keeps (those a
  // current status names, and the newest event of the log).
  struct PrefixCount {
    std::int64_t events = 0;
    std::int64_t kept = 0;
  };
  PrefixCount CountPrefix(std::int64_t through_id);
  // Deletes the events with id <= through_id that CountPrefix does not keep, through the
  // prune permit (granted and revoked inside the caller's transaction, so no other
  // connection ever sees it). Returns how many were deleted.
  std::int64_t DeletePrefix(std::int64_t through_id);

 private:
  SQLite::Database& db_;
  SQLite::Statement insert_;
  SQLite::Statement find_duplicate_;
};

// The window's events: how many, and the first and last id (nullopt when none).
struct WindowEvents {
  std::int64_t events = 0;
  std::optional<std::int64_t> first_id, last_id;
};
WindowEvents CountWindow(SQLite::Database& db, const ReplayWindow& window);
std::int64_t CountWindowEvents(SQLite::Database& db, const ReplayWindow& window);

// The (route, commit) pairs of the window's events that name a commit, in that order.
struct WindowCommit {
  std::string route;
  std::string commit_sha;
};
std::vector<WindowCommit> WindowCommits(SQLite::Database& db, const ReplayWindow& window);

// The revision metadata event `event_id` named its commit by ("main@sha1:…": GitLab's
// deployment ref comes from it); nullopt when the event is gone (pruned) or named none.
std::optional<std::string> EventRevision(SQLite::Database& db, std::int64_t event_id);

// What a check run's output names of event `event_id` (the involved object, Flux's reason and
// whole message, the revision, the event's time); nullopt when the event is gone (pruned).
struct EventFacts {
  std::string kind, namespace_, name, reason, message, event_time;
  std::optional<std::string> revision;
};
std::optional<EventFacts> ReadEventFacts(SQLite::Database& db, std::int64_t event_id);

}  // namespace fluxstatus::store
