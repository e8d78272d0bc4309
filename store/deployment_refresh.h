// Keeping the deployments' rows (sink_targets, sink 'deployment') equal to what the statuses
// and aggregates they are made of say. No SQL of its own, like aggregate_refresh: it reads
// commit_statuses and the aggregates' rows, writes sink_targets, and leaves what a deployment
// says to core::FoldRouteDeployment / core::AggregateDeployment and its sync columns to
// core::SyncAfterRefold (which keeps host_object_id, the deployment's id on the host).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/deployment_fold.h"
#include "core/route_catalog.h"
#include "store/commit_statuses.h"
#include "store/sink_targets.h"

namespace fluxstatus::store {

// After `route`'s statuses for `commit_sha` changed and the aggregates over it were refreshed
// (RefreshAggregates): re-derives the route's own deployment for the commit and those of the
// aggregates it is a member of, and saves the rows that differ. Returns rows saved or deleted.
std::int64_t RefreshDeployments(CommitStatuses& statuses, SinkTargets& sinks, const core::RouteCatalog& routes,
                                const std::string& route, const std::string& commit_sha);

// rebuild: replaces every deployment row with `fresh` (core::FoldDeployments), keeping the
// dispatch progress of rows whose state is unchanged and every row's host id. Returns the
// number of rows written.
std::int64_t ReplaceDeployments(SinkTargets& sinks, const core::RouteCatalog& routes,
                                const std::vector<core::DeploymentTarget>& fresh);

// Both refreshes, in the order they depend on: what the live writer and replay's per-commit
// re-fold run after a route's statuses for a commit changed.
std::int64_t RefreshDerivedSinks(CommitStatuses& statuses, SinkTargets& sinks, const core::RouteCatalog& routes,
                                 const std::string& route, const std::string& commit_sha);

}  // namespace fluxstatus::store
