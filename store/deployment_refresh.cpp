#include "store/deployment_refresh.h"

#include <optional>

#include "store/derived_rows.h"

namespace fluxstatus::store {
namespace {

// The key a route's deployment for a commit has, whatever its state.
core::StatusKey RouteDeploymentKey(const core::RouteProfile& route, const std::string& commit_sha) {
  return {route.name, route.repo, commit_sha, core::DeploymentContext(route.deployment->environment)};
}

}  // namespace

std::int64_t RefreshDeployments(CommitStatuses& statuses, SinkTargets& sinks, const core::RouteCatalog& routes,
                                const std::string& route, const std::string& commit_sha) {
  std::int64_t saved = 0;
  const auto profile = routes.routes().find(route);
  if (profile != routes.routes().end() && profile->second.deployment) {
    core::CommitStatusesOfRoute own;
    for (auto& row : statuses.ForCommit(route, commit_sha)) own.emplace_back(std::move(row.key), std::move(row.fold));
    auto fresh = core::FoldRouteDeployment(profile->second, commit_sha, own);
    const core::StatusKey key = fresh ? fresh->key : RouteDeploymentKey(profile->second, commit_sha);
    saved += ReconcileDerivedRow(sinks, routes, core::Sink::kDeployment, key, fresh);
  }
  for (const auto* aggregate : routes.AggregatesOver(route)) {
    if (!aggregate->report_deployment) continue;
    const core::StatusKey at{aggregate->route, aggregate->repo, commit_sha, aggregate->Context()};
    std::optional<core::DeploymentTarget> fresh;
    if (const auto state = sinks.Load(core::Sink::kAggregate, at)) {
      const core::AggregateState as{state->key, state->fold, static_cast<std::size_t>(state->members_ready),
                                    static_cast<std::size_t>(state->members_total)};
      fresh = core::AggregateDeployment(*aggregate, as);
    }
    const core::StatusKey key{aggregate->route, aggregate->repo, commit_sha, core::DeploymentContext(aggregate->name)};
    saved += ReconcileDerivedRow(sinks, routes, core::Sink::kDeployment, key, fresh);
  }
  return saved;
}

}  // namespace fluxstatus::store
