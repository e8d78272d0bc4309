#include "store/retention.h"

#include <algorithm>
#include <map>
#include <set>

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include "core/rfc3339.h"
#include "store/event_log.h"
#include "store/fold_snapshot.h"
#include "store/foreign_keys_off.h"
#include "store/log_fold.h"
#include "store/commit_statuses.h"

namespace fluxstatus::store {
namespace {

// The log prefix received before ?1: ids below the first event received at or after it.
// A prefix (not "every old event") because the snapshot stands for "every event up to id N".
constexpr const char* kPrefixEnd =
    "SELECT coalesce((SELECT min(id) FROM event_log WHERE received_at >= ?1) - 1,"
    " (SELECT max(id) FROM event_log), 0)";
// Events a current status names stay (commit_statuses.event_id references them), so the
// `events` view still explains every current status. So does the newest event: event ids are
// max(id) + 1, and a new event must never get an id the snapshot already stands for.
constexpr const char* kKeptEvents =
    "(id IN (SELECT event_id FROM commit_statuses) OR id = (SELECT max(id) FROM event_log))";
const std::string kCountEvents = std::string("SELECT count(*), count(*) FILTER (WHERE ") + kKeptEvents +
                                 ") FROM event_log WHERE id <= ?1";
constexpr const char* kCountChanges = "SELECT count(*) FROM status_changes WHERE event_id <= ?1";
constexpr const char* kCountAttempts = "SELECT count(*) FROM delivery_attempts WHERE attempted_at < ?1";
constexpr const char* kCountRejections = "SELECT count(*) FROM rejected_events WHERE received_at < ?1";

constexpr const char* kGrantPermit = "INSERT INTO event_log_prune_permit (through_event_id) VALUES (?1)";
constexpr const char* kRevokePermit = "DELETE FROM event_log_prune_permit";
constexpr const char* kDeleteChanges = "DELETE FROM status_changes WHERE event_id <= ?1";
const std::string kDeleteEvents = std::string("DELETE FROM event_log WHERE id <= ?1 AND NOT ") + kKeptEvents;
constexpr const char* kDeleteAttempts = "DELETE FROM delivery_attempts WHERE attempted_at < ?1";
constexpr const char* kDeleteRejections = "DELETE FROM rejected_events WHERE received_at < ?1";

std::int64_t Int(SQLite::Database& db, const char* sql, std::int64_t arg) {
  SQLite::Statement q(db, sql);
  q.bind(1, static_cast<int64_t>(arg));
  q.executeStep();
  return q.getColumn(0).getInt64();
}

std::int64_t Int(SQLite::Database& db, const char* sql, const std::string& arg) {
  SQLite::Statement q(db, sql);
  q.bind(1, arg);
  q.executeStep();
  return q.getColumn(0).getInt64();
}

std::int64_t Exec(SQLite::Database& db, const char* sql, std::int64_t arg) {
  SQLite::Statement q(db, sql);
  q.bind(1, static_cast<int64_t>(arg));
  return q.exec();
}

std::int64_t Exec(SQLite::Database& db, const char* sql, const std::string& arg) {
  SQLite::Statement q(db, sql);
  q.bind(1, arg);
  return q.exec();
}

std::string KeyText(const core::StatusKey& k) {
  return k.route + " " + k.repo + " " + k.commit_sha + " " + k.context;
}

// The snapshot through `through` must agree with current_status wherever no later event moved
// a key on; otherwise the tables are out of step with the log (edited by hand, or folded with
// another configuration) and pruning would make that permanent.
void RequireAgreement(SQLite::Database& db, const FoldedStatuses& snapshot, std::int64_t through) {
  std::int64_t disagreements = 0;
  std::string first;
  auto note = [&](const core::StatusKey& key) {
    if (disagreements++ == 0) first = KeyText(key);
  };
  std::set<core::StatusKey> seen;
  StatusTable statuses(db);
  for (const auto& row : statuses.All()) {
    const auto it = snapshot.find(row.key);
    if (row.fold.event_id > through) {
      // A later event set it; it must not be older than what the snapshot holds.
      if (it != snapshot.end() && (row.fold.event_time_ms < it->second.fold.event_time_ms ||
                                   (row.fold.event_time_ms == it->second.fold.event_time_ms &&
                                    row.fold.event_id < it->second.fold.event_id))) {
        note(row.key);
      }
    } else if (it == snapshot.end() || it->second.fold != row.fold || it->second.updated_at != row.updated_at) {
      note(row.key);
    }
    if (it != snapshot.end()) seen.insert(row.key);
  }
  for (const auto& [key, state] : snapshot) {
    if (!seen.count(key)) note(key);
  }
  if (disagreements > 0) {
    throw PruneRefused("current_status disagrees with the event log for " + std::to_string(disagreements) +
                       " status(es) (first: " + first +
                       "); nothing was pruned. Run `fluxstatus rebuild --check` to see the differences and "
                       "`fluxstatus rebuild` to fix them, then prune again");
  }
}

PruneReport Count(SQLite::Database& db, std::int64_t cutoff_ms) {
  PruneReport r;
  r.cutoff = core::FormatRfc3339Millis(cutoff_ms);
  FoldSnapshot snapshot(db);
  r.through_event_id = std::max(Int(db, kPrefixEnd, r.cutoff), snapshot.ThroughEventId());
  SQLite::Statement events(db, kCountEvents.c_str());
  events.bind(1, static_cast<int64_t>(r.through_event_id));
  events.executeStep();
  r.events_kept = events.getColumn(1).getInt64();
  r.events = events.getColumn(0).getInt64() - r.events_kept;
  r.changes = Int(db, kCountChanges, r.through_event_id);
  r.attempts = Int(db, kCountAttempts, r.cutoff);
  r.rejections = Int(db, kCountRejections, r.cutoff);
  r.snapshot_keys = snapshot.Count();
  return r;
}

}  // namespace

PruneReport PlanPrune(SQLite::Database& db, std::int64_t cutoff_ms) {
  SQLite::Transaction tx(db, SQLite::TransactionBehavior::DEFERRED);
  return Count(db, cutoff_ms);  // tx's destructor rolls back: nothing was written
}

PruneReport Prune(SQLite::Database& db, const core::RouteCatalog& routes, std::int64_t cutoff_ms,
                  std::int64_t now_ms) {
  ForeignKeysOff fk(db);  // checked once, below, instead of per deleted event
  SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
  FoldSnapshot snapshot(db);
  const std::int64_t horizon = snapshot.ThroughEventId();
  const std::string cutoff = core::FormatRfc3339Millis(cutoff_ms);
  const std::int64_t through = Int(db, kPrefixEnd, cutoff);

  PruneReport r;
  r.cutoff = cutoff;
  r.through_event_id = std::max(through, horizon);
  if (through > horizon) {
    // Fold the newly pruned part of the log onto the snapshot, exactly as the writer did.
    FoldedStatuses keys = snapshot.All();
    std::set<core::StatusKey> touched;
    EventLog log(db);
    LogFolder folder(routes);
    folder.FoldRange(log, keys, horizon, through, [&](const AppliedEvent& a) { touched.insert(a.key); });
    RequireAgreement(db, keys, through);
    for (const auto& key : touched) snapshot.Save(key, keys.at(key));
    snapshot.SetHorizon({through, cutoff, core::FormatRfc3339Millis(now_ms)});
  }

  r.changes = Exec(db, kDeleteChanges, r.through_event_id);
  Exec(db, kGrantPermit, r.through_event_id);
  r.events = Exec(db, kDeleteEvents.c_str(), r.through_event_id);
  db.exec(kRevokePermit);  // before the commit: no other connection ever sees a permit
  r.events_kept = Int(db, kCountEvents.c_str(), r.through_event_id);  // what is left of the prefix
  r.attempts = Exec(db, kDeleteAttempts, cutoff);
  r.rejections = Exec(db, kDeleteRejections, cutoff);

  SQLite::Statement dangling(db, "PRAGMA foreign_key_check");
  if (dangling.executeStep()) {
    throw std::runtime_error("prune would leave " + dangling.getColumn(0).getString() +
                             " rows naming deleted rows of " + dangling.getColumn(2).getString() +
                             "; nothing was pruned");
  }
  dangling.reset();
  r.snapshot_keys = snapshot.Count();
  tx.commit();
  return r;
}

std::pair<std::int64_t, std::int64_t> Vacuum(SQLite::Database& db) {
  auto size = [&] {
    return db.execAndGet("PRAGMA page_count").getInt64() * db.execAndGet("PRAGMA page_size").getInt64();
  };
  const std::int64_t before = size();
  db.exec("VACUUM");
  return {before, size()};
}

}  // namespace fluxstatus::store
