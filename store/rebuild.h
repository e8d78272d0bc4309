// `rebuild` and `rebuild --check`: the derived tables (commit_statuses, status_changes, and the
// sink_targets rows of aggregates, deployments and check runs: core::FoldAggregates,
// core::FoldDeployments and core::FoldCheckRuns over the folded statuses) from
// the fold snapshot plus a fold of the log after it, in memory, in log order, through the
// same core::DeriveStatus + core::Fold as the live writer. EventStore::Rebuild/CheckRebuild
// wrap these in their transaction.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "core/route_catalog.h"

namespace fluxstatus::store {

struct RebuildReport {
  std::int64_t events = 0;            // events folded (those after the fold snapshot)
  std::int64_t snapshot_keys = 0;     // statuses seeded from the fold snapshot
  std::int64_t snapshot_through = 0;  // the snapshot's horizon: the last pruned event id (0: none)
  std::int64_t statuses = 0;
  std::int64_t changes = 0;
  std::int64_t aggregates = 0;   // aggregate_status rows (one per aggregate and commit)
  std::int64_t deployments = 0;  // deployments rows (one per route, commit and environment)
  std::int64_t check_runs = 0;   // check_runs rows (one per status of a route reporting check)
};

struct RebuildCheck {
  bool equal = true;
  std::int64_t statuses_differing = 0;     // current_status keys that differ, are extra or missing
  std::int64_t changes_differing = 0;      // status_history rows that differ, are extra or missing
  std::int64_t aggregates_differing = 0;   // aggregate_status rows that differ, are extra or missing
  std::int64_t deployments_differing = 0;  // deployments rows that differ, are extra or missing
  std::int64_t check_runs_differing = 0;   // check_runs rows that differ, are extra or missing
  // "- TABLE KEY: column 'stored' …" / "+ TABLE KEY: column 'fresh' …" pairs (the first
  // kMaxDiffLines): only the differing columns, the key named in full.
  std::vector<std::string> diff;
  static constexpr std::size_t kMaxDiffLines = 200;
};

// Rewrites both derived tables; dispatch progress survives for keys whose status is unchanged,
// facts about the host for every surviving key. Run it inside the caller's write transaction.
RebuildReport RebuildDerivedTables(SQLite::Database& db, const core::RouteCatalog& routes);

// Compares both derived tables with a fresh fold; reads only.
RebuildCheck CheckDerivedTables(SQLite::Database& db, const core::RouteCatalog& routes);

}  // namespace fluxstatus::store
