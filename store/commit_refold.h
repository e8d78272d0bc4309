// Re-folding one commit's statuses on one route from the commit's whole history in the log,
// for `replay`: the rows of commit_statuses and status_history it leaves equal what a fresh
// fold of the whole log (`rebuild`) gives for those keys, at a cost proportional to the
// commit's events instead of the log's. Folded by the same driver as `rebuild` (log_fold.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "core/commit_status.h"
#include "core/route_catalog.h"
#include "core/sync_state.h"

namespace fluxstatus::store {

struct CommitRefold {
  std::vector<core::StatusKey> keys;  // the commit's statuses after the fold, by key
  std::int64_t events = 0;            // log events read
  // What else the route posts for the commit (its aggregates' `fleet/<name>` statuses, its
  // deployments), re-derived.
  std::vector<core::SinkKey> sink_keys;
  std::int64_t rows_changed = 0;  // status rows written or removed because they differed
};

// Folds every logged event of (route, commit_sha) in log order, starting from each key's state
// in the fold snapshot (after `prune`: only the events after it are folded) or from "no
// status", and makes commit_statuses and status_changes match: rows that differ are replaced
// (their sync columns from core::SyncAfterRefold, as `rebuild` does), rows the fold no longer yields are removed,
// identical rows and history are left untouched. Run it inside the caller's write transaction. Throws when a logged
// event no longer parses.
CommitRefold RefoldCommitFromLog(SQLite::Database& db, const core::RouteCatalog& routes, const std::string& route,
                                 const std::string& commit_sha);

}  // namespace fluxstatus::store
