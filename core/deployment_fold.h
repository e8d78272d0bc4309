// Folding deployments (`report: [deployment]`, issue 15): the state each route's deployment to
// its environment shows for a commit, and each aggregate's deployment to the environment named
// after it. Pure, like FoldAggregates: the live writer hands in one commit's statuses after
// each event, rebuild the whole fold, so both derive the same rows from the same states.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/aggregate_fold.h"
#include "core/derived_target.h"
#include "core/fold.h"
#include "core/route_catalog.h"

namespace fluxstatus::core {

// GitHub refuses a deployment status description over 140 characters (422).
inline constexpr std::size_t kDeploymentDescriptionChars = 140;

// A deployment row's context: "deployment/<environment>", so delivery_attempts and `status`
// say what the row is; the environment itself is what the host is sent.
std::string DeploymentContext(std::string_view environment);
// The environment of a deployment row's context (the text after "deployment/").
std::string_view EnvironmentOfContext(std::string_view context);

// What one deployment row says. key: the route that posts it, its repository, the commit, and
// DeploymentContext(environment) (one deployment per repository, commit and environment).
// fold.state: kPending (GitHub in_progress, GitLab running), kSuccess or kFailure; the event is
// the newest counted status's, as for an aggregate.
using DeploymentTarget = DerivedTarget;

// `route`'s deployment for `commit_sha` over its `deployment.contexts`: nullopt when the route
// reports no deployment or none of its statuses for the commit counts yet. Description:
// "2/3 ready", or "1/3 ready; kustomization/apps: health check failed…" on a failure.
std::optional<DeploymentTarget> FoldRouteDeployment(const RouteProfile& route, const std::string& commit_sha,
                                                    const CommitStatusesOfRoute& statuses);

// An aggregate's deployment (report: [deployment]): through the aggregate's route, to the
// environment named after the aggregate, in the aggregate's state and words.
DeploymentTarget AggregateDeployment(const FleetAggregate& aggregate, const AggregateState& state);

// Every deployment row (rebuild and `rebuild --check`): each route's over `keys`, each
// aggregate's that reports one over `aggregates` (FoldAggregates' rows). Ordered by key.
std::vector<DeploymentTarget> FoldDeployments(const RouteCatalog& routes, const KeyStates& keys,
                                              const std::vector<AggregateState>& aggregates);

}  // namespace fluxstatus::core
