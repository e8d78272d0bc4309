// The write side of the store: append events and fold them in the same transaction, record
// rejections, and rebuild the derived tables from the log. Used by the single writer thread
// (serve) and by the CLI; every path calls the same core::DeriveStatus + core::Fold.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "core/clock.h"
#include "core/flux_event.h"
#include "core/fold.h"
#include "core/route_catalog.h"
#include "core/sync_state.h"
#include "store/commit_statuses.h"
#include "store/delivery_attempts.h"
#include "store/event_log.h"
#include "store/rebuild.h"
#include "store/rejected_events.h"
#include "store/sink_targets.h"
#include "store/status_changes.h"
#include "store/system_clock.h"

namespace fluxstatus::store {

// An accepted, parsed event on its way into the log. received_at is RFC 3339 UTC text with
// milliseconds, the event_log column's own form: whoever receives the event formats the
// clock's reading once (core::FormatRfc3339Millis), and code carries that text from there on.
struct IncomingEvent {
  std::string route;
  std::string received_at;
  std::string body;
  core::FluxEvent event;
  core::EventOrigin origin = core::EventOrigin::kHttp;  // the events view's `origin`
};

// A rejected authenticated request to keep in rejected_events.
struct Rejection {
  std::string route;
  std::string received_at;  // as IncomingEvent's
  std::string reason;
  std::string body;
  std::size_t max_body_bytes = 0;
};

// The result of one dispatch step for a key, recorded in the writer's transaction: what the
// step did (core::Delivery, applied by core::ApplyDelivery) and the calls it made.
struct DeliveryRecord : core::Delivery {
  using Result = core::DeliveryResult;
  core::StatusKey key;
  core::Sink sink = core::Sink::kCommitStatus;  // the table the key's row is in
  std::vector<DeliveryAttempt> attempts;        // delivery_attempts rows to add
  // When set, the step changes its key only while this holder holds the dispatch lease; the
  // attempts are recorded either way (the calls were made).
  std::string lease_holder;
};

// What happened to one event.
struct AppendResult {
  std::int64_t id = 0;
  bool duplicate = false;
  std::optional<core::FoldOutcome> fold;  // nullopt: duplicate, trace or no commit
  std::string commit_sha;                 // empty when the event names no commit
  std::string revision;                   // the revision metadata the commit came from
  std::string context;
  std::string note;  // no-commit reason, or why nothing changed
};

// A failure of one item of a batch (the others still commit).
struct AppendFailure {
  std::string error;
};
using AppendOutcome = std::variant<AppendResult, AppendFailure>;

// Not thread-safe: one instance per connection, on the connection's thread.
class EventStore {
 public:
  // `clock` (which must outlive this) tells whether a delivery's lease is still held.
  EventStore(SQLite::Database& db, core::RouteCatalog routes, const core::Clock& clock = store::SystemClock());

  // Appends and folds one event in its own transaction. Throws on I/O failure.
  AppendResult Append(const IncomingEvent& e);

  // Appends and folds a batch in ONE transaction (one fsync): the group commit. An item that
  // fails rolls back alone (savepoint). Rejections are kept in the same transaction. Throws
  // when the commit itself fails: then nothing of the batch is written.
  std::vector<AppendOutcome> AppendBatch(std::span<const IncomingEvent> batch,
                                         std::span<const Rejection> rejections = {},
                                         std::span<const DeliveryRecord> deliveries = {});

  // Applies a dispatch step to its key (core::ApplyDelivery; inside the caller's transaction
  // when batched).
  // A newer desired state that arrived meanwhile stays pending: only what was sent is synced.
  void RecordDelivery(const DeliveryRecord& record);

  // Keeps a rejected authenticated request.
  void Reject(const Rejection& rejection);

  // Recomputes commit_statuses and status_changes from the fold snapshot and the log, keeping
  // dispatch progress of keys whose status is unchanged. One transaction.
  RebuildReport Rebuild();

  // Verifies that the derived tables equal a fresh fold of the snapshot and the log, in one
  // read transaction (the service may go on writing meanwhile); writes nothing.
  RebuildCheck CheckRebuild();

 private:
  AppendResult AppendOne(const IncomingEvent& e);
  AppendResult FoldEvent(std::int64_t id, const std::string& route, const core::FluxEvent& ev,
                         const core::CommitRef& commit, const std::string& received_at);

  SQLite::Database& db_;
  const core::Clock& clock_;
  core::RouteCatalog routes_;
  EventLog log_;
  CommitStatuses statuses_;
  SinkTargets sinks_;
  StatusChanges changes_;
  RejectedLog rejected_;
  DeliveryLog deliveries_;
};

}  // namespace fluxstatus::store
