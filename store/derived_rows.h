// Keeping the rows of derived sinks (sink_targets: deployments, check runs) equal to what the
// statuses they are made of say. No SQL of its own: it reads commit_statuses and the
// aggregates' rows, writes sink_targets, and leaves what a row says to the core folds and its
// sync columns to core::SyncAfterRefold (which keeps host_object_id, the host's object id).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/derived_target.h"
#include "core/route_catalog.h"
#include "core/sync_state.h"
#include "store/commit_statuses.h"
#include "store/sink_targets.h"

namespace fluxstatus::store {

// Saves `fresh` over the `sink` row at `key` (nullopt: deletes it) when what it says differs.
// Returns 1 when it wrote, else 0.
std::int64_t ReconcileDerivedRow(SinkTargets& sinks, const core::RouteCatalog& routes, core::Sink sink,
                                 const core::StatusKey& key, const std::optional<core::DerivedTarget>& fresh);

// rebuild: replaces every `sink` row with `fresh`, keeping the dispatch progress of rows whose
// state is unchanged and every row's host id. Returns the number of rows written.
std::int64_t ReplaceDerivedRows(SinkTargets& sinks, const core::RouteCatalog& routes, core::Sink sink,
                                const std::vector<core::DerivedTarget>& fresh);

// After `route`'s statuses for `commit_sha` changed: its check-run rows for the commit, one per
// status (core::RouteCheckRuns). Returns rows saved or deleted.
std::int64_t RefreshCheckRuns(CommitStatuses& statuses, SinkTargets& sinks, const core::RouteCatalog& routes,
                              const std::string& route, const std::string& commit_sha);

// Every derived sink's refresh, in the order they depend on (core::kDerivedSinks): what the
// live writer and replay's per-commit re-fold run after a route's statuses for a commit changed.
std::int64_t RefreshDerivedSinks(CommitStatuses& statuses, SinkTargets& sinks, const core::RouteCatalog& routes,
                                 const std::string& route, const std::string& commit_sha);

}  // namespace fluxstatus::store
