// Keeping the deployments' rows (sink_targets, sink 'deployment') equal to what the statuses
// and aggregates they are made of say: what a deployment says is core::FoldRouteDeployment's or
// core::AggregateDeployment's; saving it is derived_rows.h's, as for every derived sink.
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

}  // namespace fluxstatus::store
