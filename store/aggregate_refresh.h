// Keeping the aggregates' rows (sink_targets, sink 'aggregate') equal to what their members'
// statuses say. No SQL of its own: it reads commit_statuses through CommitStatuses and writes
// sink_targets through SinkTargets; what an aggregate says is core::FoldAggregates', and its
// sync columns move by core::SyncAfterRefold (an aggregate is always a re-derivation: a row
// whose status is unchanged keeps its dispatch progress).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/aggregate_fold.h"
#include "core/route_catalog.h"
#include "store/commit_statuses.h"
#include "store/sink_targets.h"

namespace fluxstatus::store {

// After `route`'s statuses for `commit_sha` changed (the live writer after each event,
// replay's re-fold of one commit): re-derives every aggregate `route` is a member of, for that
// commit, from the members' current rows, and saves the rows that differ. Returns how many
// rows it saved or deleted.
std::int64_t RefreshAggregates(CommitStatuses& statuses, SinkTargets& sinks, const core::RouteCatalog& routes,
                               const std::string& route, const std::string& commit_sha);

// rebuild: replaces every aggregate row with `fresh` (core::FoldAggregates over the rebuilt
// statuses), keeping the dispatch progress of rows whose status is unchanged. Returns the
// number of rows written.
std::int64_t ReplaceAggregates(SinkTargets& sinks, const core::RouteCatalog& routes,
                               const std::vector<core::AggregateState>& fresh);

}  // namespace fluxstatus::store
