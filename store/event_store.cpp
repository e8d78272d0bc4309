#include "store/event_store.h"

#include <chrono>
#include <limits>
#include <map>
#include <stdexcept>

#include <SQLiteCpp/Savepoint.h>
#include <SQLiteCpp/Transaction.h>
#include <sqlite3.h>

#include "core/flux_json.h"
#include "core/revision.h"
#include "store/derived_rows.h"
#include "store/dispatch_lease.h"
#include "store/foreign_keys_off.h"

namespace fluxstatus::store {
EventStore::EventStore(SQLite::Database& db, core::RouteCatalog routes, const core::Clock& clock)
    : db_(db),
      clock_(clock),
      routes_(std::move(routes)),
      log_(db),
      statuses_(db),
      sinks_(db),
      changes_(db),
      rejected_(db),
      deliveries_(db) {}

AppendResult EventStore::Append(const IncomingEvent& e) {
  SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
  AppendResult r = AppendOne(e);
  tx.commit();
  return r;
}

std::vector<AppendOutcome> EventStore::AppendBatch(std::span<const IncomingEvent> batch,
                                                   std::span<const Rejection> rejections,
                                                   std::span<const DeliveryRecord> deliveries) {
  std::vector<AppendOutcome> out;
  out.reserve(batch.size());
  SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
  for (const auto& e : batch) {
    try {
      SQLite::Savepoint sp(db_, "item");
      out.emplace_back(AppendOne(e));
      sp.release();
    } catch (const std::exception& ex) {
      // On some errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM) SQLite rolls back the whole
      // transaction, not just the item: then nothing of the batch is written, and going on
      // would write the remaining items outside any transaction. Fail the batch instead.
      if (sqlite3_get_autocommit(db_.getHandle()) != 0) throw;
      out.emplace_back(AppendFailure{ex.what()});
    }
  }
  for (const auto& r : rejections) Reject(r);
  for (const auto& d : deliveries) RecordDelivery(d);
  tx.commit();
  return out;
}

void EventStore::Reject(const Rejection& r) {
  rejected_.Record(r.route, r.received_at, r.reason, r.body, r.max_body_bytes);
}

void EventStore::RecordDelivery(const DeliveryRecord& d) {
  for (const auto& a : d.attempts) deliveries_.Record(a);
  // A step that outlived its holder's lease must not undo what the new holder did (e.g. mark
  // `failed` a key it has synced since).
  if (!d.lease_holder.empty() && !LeaseHeldBy(db_, d.lease_holder, clock_.NowMs())) return;
  if (d.sink != core::Sink::kCommitStatus) {
    std::optional<SinkRow> row = sinks_.Load(d.sink, d.key);
    if (!row) return;  // the row vanished in a rebuild with another configuration
    row->sync = core::ApplyDelivery(row->sync, row->fold, d);
    sinks_.Save(*row);
    return;
  }
  std::optional<StatusRow> row = statuses_.Load(d.key);
  if (!row) return;  // the key vanished in a rebuild with another configuration
  row->sync = core::ApplyDelivery(row->sync, row->fold, d);
  statuses_.Save(*row);
}

AppendResult EventStore::AppendOne(const IncomingEvent& e) {
  LoggedEvent logged{e.route, e.received_at, e.body, e.event, core::ResolveCommit(e.event), e.origin};
  auto id = log_.Append(logged);
  if (!id) {
    AppendResult dup;
    dup.duplicate = true;
    dup.id = log_.DuplicateOf(e.route, e.body).value_or(0);
    dup.note = "byte-identical to event " + std::to_string(dup.id);
    return dup;
  }
  return FoldEvent(*id, e.route, e.event, logged.commit, e.received_at);
}

AppendResult EventStore::FoldEvent(std::int64_t id, const std::string& route, const core::FluxEvent& ev,
                                   const core::CommitRef& commit, const std::string& received_at) {
  AppendResult result;
  result.id = id;
  result.revision = commit.revision;
  // A route removed from the configuration still folds, as a route without a provider.
  core::RouteProfile profile = routes_.Find(route).value_or(core::RouteProfile{});
  profile.name = route;
  const core::Derivation d = core::DeriveStatus(ev, commit, profile);
  if (const auto* none = std::get_if<core::NoCommit>(&d)) {
    result.note = none->why;
    return result;
  }
  if (const auto* trace = std::get_if<core::NoStatusChange>(&d)) {
    result.commit_sha = commit.sha.value_or("");
    result.note = trace->why;
    return result;
  }
  const auto& candidate = std::get<core::StatusCandidate>(d);
  result.commit_sha = candidate.key.commit_sha;
  result.context = candidate.key.context;

  std::optional<StatusRow> current = statuses_.Load(candidate.key);
  std::optional<core::KeyState> current_state;
  if (current) current_state = current->fold;
  const core::FoldResult folded = core::Fold(current_state, candidate, id, ev.time_ms, received_at);
  result.fold = folded.outcome;
  if (folded.outcome == core::FoldOutcome::kStale) {
    result.note = "older than event " + std::to_string(current->fold.event_id) + ": not applied";
    return result;
  }
  const StatusRow row{
      {folded.next, core::SyncAfterFold(current ? &current->sync : nullptr, folded.outcome, profile.PostsStatuses())},
      candidate.key};
  if (folded.Changed()) changes_.Record(row.key, row.fold);
  statuses_.Save(row);
  RefreshDerivedSinks(statuses_, sinks_, routes_, route, row.key.commit_sha);
  return result;
}

RebuildReport EventStore::Rebuild() {
  ForeignKeysOff fk(db_);  // RebuildDerivedTables writes only ids it read, and checks the rest
  SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
  RebuildReport report = RebuildDerivedTables(db_, routes_);
  tx.commit();
  return report;
}

RebuildCheck EventStore::CheckRebuild() {
  // One read transaction: the log, the snapshot and the tables are compared as of one instant.
  SQLite::Transaction tx(db_, SQLite::TransactionBehavior::DEFERRED);
  return CheckDerivedTables(db_, routes_);
  // tx's destructor rolls back: nothing was written.
}

}  // namespace fluxstatus::store
