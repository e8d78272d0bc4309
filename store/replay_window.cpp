#include "store/replay_window.h"
#include "store/sink_targets.h"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include "core/sync_state.h"

namespace fluxstatus::store {
ReplayPlan PlanReplay(SQLite::Database& db, const ReplayWindow& window) {
  ReplayPlan plan;
  // One read transaction: the count and the keys as of one instant, without a lock per commit.
  SQLite::Transaction tx(db, SQLite::TransactionBehavior::DEFERRED);
  const WindowEvents events = CountWindow(db, window);
  plan.events = events.events;
  plan.first_id = events.first_id;
  plan.last_id = events.last_id;
  CommitStatuses statuses(db);
  SinkTargets sinks(db);
  for (const auto& c : WindowCommits(db, window)) {
    for (auto& row : statuses.ForCommit(c.route, c.commit_sha)) plan.keys.push_back(std::move(row));
    // What else the route posts for the commit: its aggregates' statuses, its deployments and
    // its check runs.
    for (const auto sink : core::kDerivedSinks) {
      for (auto& row : sinks.ForCommit(sink, c.commit_sha)) {
        if (row.key.route == c.route) plan.keys.push_back(std::move(row));
      }
    }
  }
  return plan;  // tx's destructor rolls back: nothing was written
}

std::int64_t MarkCommitForResync(SQLite::Database& db, const std::string& route, const std::string& commit_sha) {
  CommitStatuses statuses(db);
  std::int64_t marked = 0;
  for (auto& row : statuses.ForCommit(route, commit_sha)) {
    auto sync = core::MarkForReplay(row.sync);
    if (!sync) continue;
    row.sync = std::move(*sync);
    statuses.Save(row);
    ++marked;
  }
  // What else the route posts for the commit (aggregates, deployments, check runs): checked against the
  // host again too.
  SinkTargets sinks(db);
  for (const auto sink : core::kDerivedSinks) {
    for (auto& row : sinks.ForCommit(sink, commit_sha)) {
      if (row.key.route != route) continue;
      auto sync = core::MarkForReplay(row.sync);
      if (!sync) continue;
      row.sync = std::move(*sync);
      sinks.Save(row);
      ++marked;
    }
  }
  return marked;
}

std::vector<StatusRow> LoadStatuses(SQLite::Database& db, const std::vector<core::SinkKey>& targets) {
  std::vector<StatusRow> rows;
  rows.reserve(targets.size());
  CommitStatuses statuses(db);
  SinkTargets sinks(db);
  db.exec("BEGIN");  // deferred: a read transaction, also on a query_only connection
  try {
    for (const auto& [sink, key] : targets) {
      if (sink == core::Sink::kCommitStatus) {
        if (auto row = statuses.Load(key)) rows.push_back(std::move(*row));
      } else if (auto row = sinks.Load(sink, key)) {
        rows.push_back(std::move(*row));
      }
    }
  } catch (...) {
    db.exec("ROLLBACK");
    throw;
  }
  db.exec("COMMIT");
  return rows;
}

}  // namespace fluxstatus::store
