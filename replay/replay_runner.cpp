#include "replay/replay_runner.h"

#include <set>

#include <SQLiteCpp/Transaction.h>

#include "store/event_store.h"
#include "store/event_writer.h"

namespace fluxstatus::replay {

store::ReplayPlan PlanOnly(const std::string& db_path, const store::ReplayWindow& window) {
  auto db = store::OpenForReading(db_path);
  return store::PlanReplay(*db, window);
}

ReplaySummary RunReplay(const std::string& db_path, store::Durability durability, const core::RouteCatalog& routes,
                        std::vector<dispatch::DispatchRoute> dispatch_routes, dispatch::DispatcherOptions options,
                        const store::ReplayWindow& window, std::chrono::steady_clock::time_point deadline) {
  ReplaySummary summary;
  auto db = store::OpenForWriting(db_path, durability);
  summary.plan = store::PlanReplay(*db, window);
  {
    // Re-fold everything from the log with the live fold (keeps what hosts confirmed), then
    // mark the window's statuses so dispatch checks each one against its host.
    store::EventStore events(*db, routes);
    events.Rebuild();
    SQLite::Transaction tx(*db, SQLite::TransactionBehavior::IMMEDIATE);
    summary.marked = store::MarkForResync(*db, window);
    tx.commit();
  }
  // Dispatch only the window's keys: a replay of one commit or route must not post others
  // that happen to be due (those are serve's business). Every due key is looked at, so keys
  // outside the window cannot crowd the window's out of a batch.
  std::set<core::StatusKey> keys;
  for (const auto& row : store::PlanReplay(*db, window).keys) keys.insert(row.key);
  options.only = [keys = std::move(keys)](const core::StatusKey& key) { return keys.count(key) > 0; };
  options.batch = std::size_t{1} << 20;
  {
    store::EventWriter writer(std::move(db), routes, {});
    writer.Start();
    dispatch::DispatchMetrics metrics;
    options.db_path = db_path;
    dispatch::Dispatcher dispatcher(options, std::move(dispatch_routes), writer, metrics);
    summary.steps = dispatcher.RunUntilIdle(deadline);
    writer.Stop();
  }
  for (const auto& row : PlanOnly(db_path, window).keys) ++summary.sync_states[std::string(store::ToString(row.sync.sync_state))];
  return summary;
}

}  // namespace fluxstatus::replay
