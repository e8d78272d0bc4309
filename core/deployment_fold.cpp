#include "core/deployment_fold.h"

#include <algorithm>
#include <map>

#include "core/text_cap.h"

namespace fluxstatus::core {
namespace {
constexpr std::string_view kDeploymentPrefix = "deployment/";
}  // namespace

std::string DeploymentContext(std::string_view environment) {
  return std::string(kDeploymentPrefix) + std::string(environment);
}

std::string_view EnvironmentOfContext(std::string_view context) {
  if (context.rfind(kDeploymentPrefix, 0) == 0) context.remove_prefix(kDeploymentPrefix.size());
  return context;
}

std::optional<DeploymentTarget> FoldRouteDeployment(const RouteProfile& route, const std::string& commit_sha,
                                                    const CommitStatusesOfRoute& statuses) {
  if (!route.deployment) return std::nullopt;
  const DeploymentSpec& spec = *route.deployment;
  std::vector<ContextStatus> counted;
  const KeyState* newest = nullptr;
  std::string repo;
  for (const auto& [key, state] : statuses) {
    if (key.route != route.name || !IsCountedContext(spec.contexts, key.context)) continue;
    counted.push_back({key.context, state.state, state.description});
    if (!newest || state.event_id > newest->event_id) {
      newest = &state;
      repo = key.repo;
    }
  }
  if (!newest) return std::nullopt;
  const CountedContextsState over = StateOverCountedContexts(counted, spec.contexts);
  const auto ready = std::count_if(counted.begin(), counted.end(),
                                   [](const ContextStatus& c) { return c.state == StatusState::kSuccess; });
  std::string text = std::to_string(ready) + "/" + std::to_string(counted.size()) + " ready";
  if (over.first_failure) text += "; " + over.first_failure->context + ": " + over.first_failure->description;

  DeploymentTarget out;
  out.key = {route.name, repo, commit_sha, DeploymentContext(spec.environment)};
  out.fold.state = over.state == StatusState::kError ? StatusState::kFailure : over.state;
  out.fold.description = CapText(text, kDeploymentDescriptionChars);
  out.fold.event_id = newest->event_id;
  out.fold.event_time_ms = newest->event_time_ms;
  out.fold.updated_at = newest->updated_at;
  return out;
}

DeploymentTarget AggregateDeployment(const FleetAggregate& aggregate, const AggregateState& state) {
  DeploymentTarget out;
  out.key = {aggregate.route, aggregate.repo, state.key.commit_sha, DeploymentContext(aggregate.name)};
  out.fold = state.fold;
  out.fold.target_url.clear();
  out.fold.description = CapText(state.fold.description, kDeploymentDescriptionChars);
  return out;
}

std::vector<DeploymentTarget> FoldDeployments(const RouteCatalog& routes, const KeyStates& keys,
                                              const std::vector<AggregateState>& aggregates) {
  std::map<std::pair<std::string, std::string>, CommitStatusesOfRoute> by_route_commit;
  for (const auto& [key, state] : keys) {
    const auto route = routes.routes().find(key.route);
    if (route == routes.routes().end() || !route->second.deployment) continue;
    by_route_commit[{key.route, key.commit_sha}].emplace_back(key, state);
  }
  std::vector<DeploymentTarget> out;
  for (const auto& [route_commit, statuses] : by_route_commit) {
    const auto& route = routes.routes().at(route_commit.first);
    if (auto d = FoldRouteDeployment(route, route_commit.second, statuses)) out.push_back(std::move(*d));
  }
  for (const auto& state : aggregates) {
    for (const auto& aggregate : routes.aggregates()) {
      if (aggregate.report_deployment && aggregate.route == state.key.route && aggregate.Context() == state.key.context)
        out.push_back(AggregateDeployment(aggregate, state));
    }
  }
  // A route deploying to an environment named like an aggregate posted through it would be one
  // deployment on the host (check-config refuses it): keep one row per key, the route's own.
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  out.erase(std::unique(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.key == b.key; }),
            out.end());
  return out;
}

}  // namespace fluxstatus::core
