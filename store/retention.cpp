#include "store/retention.h"

#include <algorithm>
#include <map>
#include <set>

#include <SQLiteCpp/Transaction.h>

#include "core/rfc3339.h"
#include "store/commit_statuses.h"
#include "store/database.h"
#include "store/delivery_attempts.h"
#include "store/event_log.h"
#include "store/fold_snapshot.h"
#include "store/foreign_keys_off.h"
#include "store/log_fold.h"
#include "store/rejected_events.h"
#include "store/status_changes.h"

namespace fluxstatus::store {
namespace {

std::string KeyText(const core::StatusKey& k) { return k.route + " " + k.repo + " " + k.commit_sha + " " + k.context; }

// The snapshot through `through` must agree with current_status wherever no later event moved
// a key on; otherwise the tables are out of step with the log (edited by hand, or folded with
// another configuration) and pruning would make that permanent.
void RequireAgreement(SQLite::Database& db, const core::KeyStates& snapshot, std::int64_t through) {
  std::int64_t disagreements = 0;
  std::string first;
  auto note = [&](const core::StatusKey& key) {
    if (disagreements++ == 0) first = KeyText(key);
  };
  std::set<core::StatusKey> seen;
  CommitStatuses statuses(db);
  for (const auto& row : statuses.All()) {
    const auto it = snapshot.find(row.key);
    if (row.fold.event_id > through) {
      // A later event set it; it must not be older than what the snapshot holds.
      if (it != snapshot.end() &&
          (row.fold.event_time_ms < it->second.event_time_ms ||
           (row.fold.event_time_ms == it->second.event_time_ms && row.fold.event_id < it->second.event_id))) {
        note(row.key);
      }
    } else if (it == snapshot.end() || it->second != row.fold) {
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
  EventLog log(db);
  r.through_event_id = std::max(log.PrefixEndBefore(r.cutoff), snapshot.ThroughEventId());
  const EventLog::PrefixCount events = log.CountPrefix(r.through_event_id);
  r.events_kept = events.kept;
  r.events = events.events - r.events_kept;
  r.changes = StatusChanges(db).CountThrough(r.through_event_id);
  r.attempts = DeliveryLog(db).CountBefore(r.cutoff);
  r.rejections = RejectedLog(db).CountBefore(r.cutoff);
  r.snapshot_keys = snapshot.Count();
  return r;
}

}  // namespace

PruneReport PlanPrune(SQLite::Database& db, std::int64_t cutoff_ms) {
  SQLite::Transaction tx(db, SQLite::TransactionBehavior::DEFERRED);
  return Count(db, cutoff_ms);  // tx's destructor rolls back: nothing was written
}

PruneReport Prune(SQLite::Database& db, const core::RouteCatalog& routes, std::int64_t cutoff_ms, std::int64_t now_ms) {
  ForeignKeysOff fk(db);  // checked once, below, instead of per deleted event
  SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
  FoldSnapshot snapshot(db);
  const std::int64_t horizon = snapshot.ThroughEventId();
  const std::string cutoff = core::FormatRfc3339Millis(cutoff_ms);
  EventLog log(db);
  const std::int64_t through = log.PrefixEndBefore(cutoff);

  PruneReport r;
  r.cutoff = cutoff;
  r.through_event_id = std::max(through, horizon);
  if (through > horizon) {
    // Fold the newly pruned part of the log onto the snapshot, exactly as the writer did.
    core::KeyStates keys = snapshot.All();
    std::set<core::StatusKey> touched;
    LogFolder folder(routes);
    folder.FoldRange(log, keys, horizon, through, [&](const AppliedEvent& a) { touched.insert(a.key); });
    RequireAgreement(db, keys, through);
    for (const auto& key : touched) snapshot.Save(key, keys.at(key));
    snapshot.SetHorizon({through, cutoff, core::FormatRfc3339Millis(now_ms)});
  }

  r.changes = StatusChanges(db).DeleteThrough(r.through_event_id);
  r.events = log.DeletePrefix(r.through_event_id);
  r.events_kept = log.CountPrefix(r.through_event_id).events;  // what is left of the prefix
  r.attempts = DeliveryLog(db).DeleteBefore(cutoff);
  r.rejections = RejectedLog(db).DeleteBefore(cutoff);

  if (const auto dangling = FirstForeignKeyViolation(db)) {
    throw std::runtime_error("prune would leave " + dangling->table + " rows naming deleted rows of " +
                             dangling->parent + "; nothing was pruned");
  }
  r.snapshot_keys = snapshot.Count();
  tx.commit();
  return r;
}

}  // namespace fluxstatus::store
