#include "store/deployment_refresh.h"

#include <map>
#include <optional>

#include "store/aggregate_refresh.h"

namespace fluxstatus::store {
namespace {

SinkRow DeploymentRow(const core::DeploymentTarget& fresh, const SinkRow* before, bool has_sink) {
  SinkRow row;
  row.sink = core::Sink::kDeployment;
  row.name = std::string(core::EnvironmentOfContext(fresh.key.context));
  row.key = fresh.key;
  row.fold = fresh.fold;
  row.sync = core::SyncAfterRefold(before, fresh.fold, has_sink);
  return row;
}

// Saves `fresh` over the row at `key` (absent: deletes it) when they differ; 1 when it wrote.
std::int64_t Reconcile(SinkTargets& sinks, const core::RouteCatalog& routes, const core::StatusKey& key,
                       const std::optional<core::DeploymentTarget>& fresh) {
  const auto before = sinks.Load(core::Sink::kDeployment, key);
  if (!fresh) {
    if (!before) return 0;
    sinks.Delete(core::Sink::kDeployment, key);
    return 1;
  }
  if (before && before->fold == fresh->fold) return 0;
  sinks.Save(DeploymentRow(*fresh, before ? &*before : nullptr, routes.DeploymentHasSink(fresh->key.route)));
  return 1;
}

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
    saved += Reconcile(sinks, routes, key, fresh);
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
    saved += Reconcile(sinks, routes, key, fresh);
  }
  return saved;
}

std::int64_t ReplaceDeployments(SinkTargets& sinks, const core::RouteCatalog& routes,
                                const std::vector<core::DeploymentTarget>& fresh) {
  std::map<core::StatusKey, SinkRow> before;
  for (auto& row : sinks.All(core::Sink::kDeployment)) before.emplace(row.key, std::move(row));
  sinks.Clear(core::Sink::kDeployment);
  for (const auto& target : fresh) {
    const auto old = before.find(target.key);
    sinks.Save(DeploymentRow(target, old == before.end() ? nullptr : &old->second,
                             routes.DeploymentHasSink(target.key.route)));
  }
  return static_cast<std::int64_t>(fresh.size());
}

std::int64_t RefreshDerivedSinks(CommitStatuses& statuses, SinkTargets& sinks, const core::RouteCatalog& routes,
                                 const std::string& route, const std::string& commit_sha) {
  const std::int64_t aggregates = RefreshAggregates(statuses, sinks, routes, route, commit_sha);
  return aggregates + RefreshDeployments(statuses, sinks, routes, route, commit_sha);
}

}  // namespace fluxstatus::store
