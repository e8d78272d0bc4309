#include "store/event_store.h"

#include <limits>
#include <map>
#include <stdexcept>

#include <SQLiteCpp/Savepoint.h>
#include <SQLiteCpp/Transaction.h>
#include <sqlite3.h>

#include "core/flux_json.h"
#include "core/revision.h"
#include "core/rfc3339.h"

namespace fluxstatus::store {
namespace {

std::string DescribeRow(const StatusRow& r) {
  return r.key.route + " " + r.key.repo + " " + r.key.commit_sha + " " + r.key.context + " " +
         std::string(core::ToString(r.fold.state)) + " \"" + r.fold.description + "\" url=" +
         r.fold.target_url + " event=" + std::to_string(r.fold.event_id) +
         " updated_at=" + r.updated_at;
}

bool SameStatus(const core::KeyState& a, const core::KeyState& b) {
  return a.state == b.state && a.description == b.description && a.target_url == b.target_url;
}

}  // namespace

EventStore::EventStore(SQLite::Database& db, core::RouteCatalog routes)
    : db_(db), routes_(std::move(routes)), log_(db), statuses_(db), rejected_(db), deliveries_(db) {}

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
  rejected_.Record(r.route, r.received_at_ms, r.reason, r.body, r.max_body_bytes);
}

void EventStore::RecordDelivery(const DeliveryRecord& d) {
  for (const auto& a : d.attempts) deliveries_.Record(a);
  std::optional<StatusRow> row = statuses_.Load(d.key);
  if (!row) return;  // the key vanished in a rebuild with another configuration
  SyncInfo& sync = row->sync;
  const bool still_desired = row->fold.event_id == d.sent_event_id ||
                             (std::string(core::ToString(row->fold.state)) == d.sent_state &&
                              row->fold.description == d.sent_description);
  using R = DeliveryRecord::Result;
  if (d.result == R::kSending) {
    sync.in_flight = true;
  } else if (d.result == R::kSkipped) {
    sync.sync_state = SyncState::kSkipped;
    sync.last_error = d.error;
  } else if (d.result == R::kSynced) {
    sync.in_flight = false;
    sync.synced_state = d.sent_state;
    sync.synced_description = d.sent_description;
    sync.synced_at = core::FormatRfc3339Millis(d.at_ms);
    sync.next_attempt_ms.reset();
    if (still_desired) {
      sync.sync_state = SyncState::kSynced;
      sync.last_error.reset();
    } else {
      sync.attempts = 0;  // the newer state is due now
    }
  } else {
    sync.in_flight = d.uncertain;
    if (still_desired) {
      ++sync.attempts;
      sync.last_error = d.error;
      if (d.result == R::kFailed) {
        sync.sync_state = SyncState::kFailed;
        sync.next_attempt_ms.reset();
      } else {
        sync.next_attempt_ms = d.next_attempt_ms;
      }
    }
  }
  statuses_.Save(*row);
}

AppendResult EventStore::AppendOne(const IncomingEvent& e) {
  LoggedEvent logged{e.route, e.received_at_ms, e.body, e.event, core::ResolveCommit(e.event)};
  auto id = log_.Append(logged);
  if (!id) {
    AppendResult dup;
    dup.duplicate = true;
    dup.id = log_.DuplicateOf(e.route, e.body).value_or(0);
    dup.note = "byte-identical to event " + std::to_string(dup.id);
    return dup;
  }
  return FoldEvent(*id, e.route, e.event, logged.commit, core::FormatRfc3339Millis(e.received_at_ms));
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
  const core::FoldResult folded = core::Fold(current_state, candidate, id, ev.time_ms);
  result.fold = folded.outcome;
  if (folded.outcome == core::FoldOutcome::kStale) {
    result.note = "older than event " + std::to_string(current->fold.event_id) + ": not applied";
    return result;
  }
  StatusRow row;
  row.key = candidate.key;
  row.fold = folded.next;
  row.updated_at = received_at;
  if (folded.outcome == core::FoldOutcome::kRefreshed) {
    row.sync = current->sync;
    if (row.sync.sync_state == SyncState::kFailed && profile.has_provider) {
      // A newer event for a key that failed to sync is a reason to try again.
      row.sync.sync_state = SyncState::kPending;
      row.sync.attempts = 0;
      row.sync.next_attempt_ms.reset();
    }
  } else {
    row.sync.sync_state = profile.has_provider ? SyncState::kPending : SyncState::kSkipped;
    if (current) row.sync.KeepHostFacts(current->sync);
    statuses_.RecordChange(row.key, row.fold, received_at);
  }
  statuses_.Save(row);
  return result;
}

RebuildReport EventStore::RebuildInTransaction() {
  std::map<core::StatusKey, StatusRow> before;
  for (auto& r : statuses_.All()) before.emplace(r.key, std::move(r));
  statuses_.Clear();

  RebuildReport report;
  log_.ForEach(0, [&](const LogRow& row) {
    auto parsed = core::ParseFluxEvent(row.body, std::numeric_limits<std::size_t>::max());
    if (const auto* err = std::get_if<core::ParseError>(&parsed)) {
      throw std::runtime_error("event " + std::to_string(row.id) +
                               " in the log no longer parses: " + err->message);
    }
    const auto& ev = std::get<core::FluxEvent>(parsed);
    FoldEvent(row.id, row.route, ev, core::ResolveCommit(ev), row.received_at);
    ++report.events;
  });
  // Dispatch progress survives for keys whose status did not change.
  for (auto& r : statuses_.All()) {
    auto old = before.find(r.key);
    if (old != before.end() && r.sync.sync_state != SyncState::kSkipped) {
      if (SameStatus(old->second.fold, r.fold)) r.sync = old->second.sync;
      else r.sync.KeepHostFacts(old->second.sync);
      statuses_.Save(r);
    }
    ++report.statuses;
  }
  report.changes = static_cast<std::int64_t>(statuses_.HistoryDigest().size());
  return report;
}

RebuildReport EventStore::Rebuild() {
  SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
  RebuildReport report = RebuildInTransaction();
  tx.commit();
  return report;
}

RebuildCheck EventStore::CheckRebuild() {
  // Rebuild for real inside a transaction that is always rolled back: the check runs exactly
  // the code a rebuild runs, and leaves the database untouched.
  SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
  std::vector<std::string> current_rows, current_history = statuses_.HistoryDigest();
  for (const auto& r : statuses_.All()) current_rows.push_back(DescribeRow(r));
  RebuildInTransaction();
  std::vector<std::string> rebuilt_rows, rebuilt_history = statuses_.HistoryDigest();
  for (const auto& r : statuses_.All()) rebuilt_rows.push_back(DescribeRow(r));
  // tx's destructor rolls back.

  RebuildCheck check;
  auto diff = [&](const std::vector<std::string>& a, const std::vector<std::string>& b,
                  const std::string& table) {
    const size_t n = std::max(a.size(), b.size());
    for (size_t i = 0; i < n; ++i) {
      const std::string* x = i < a.size() ? &a[i] : nullptr;
      const std::string* y = i < b.size() ? &b[i] : nullptr;
      if (x && y && *x == *y) continue;
      check.equal = false;
      if (x) check.diff.push_back("- " + table + " now:     " + *x);
      if (y) check.diff.push_back("+ " + table + " rebuilt: " + *y);
    }
  };
  diff(current_rows, rebuilt_rows, "current_status");
  diff(current_history, rebuilt_history, "status_history");
  return check;
}

}  // namespace fluxstatus::store
