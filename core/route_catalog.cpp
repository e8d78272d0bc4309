#include "core/route_catalog.h"

#include <algorithm>

namespace fluxstatus::core {

RouteCatalog::RouteCatalog(const std::vector<RouteProfile>& routes, std::vector<FleetAggregate> aggregates)
    : aggregates_(std::move(aggregates)) {
  for (const auto& r : routes) routes_.emplace(r.name, r);
}

std::optional<RouteProfile> RouteCatalog::Find(const std::string& name) const {
  if (routes_.empty()) {
    RouteProfile ad_hoc;
    ad_hoc.name = name;
    return ad_hoc;
  }
  auto it = routes_.find(name);
  if (it == routes_.end()) return std::nullopt;
  return it->second;
}

std::vector<const FleetAggregate*> RouteCatalog::AggregatesOver(const std::string& route) const {
  std::vector<const FleetAggregate*> found;
  for (const auto& a : aggregates_) {
    if (std::find(a.members.begin(), a.members.end(), route) != a.members.end()) found.push_back(&a);
  }
  return found;
}

bool RouteCatalog::AggregateHasSink(const FleetAggregate& aggregate) const {
  const auto route = routes_.find(aggregate.route);
  return aggregate.report_status && route != routes_.end() && route->second.has_provider;
}

std::optional<DeploymentSpec> RouteCatalog::DeploymentFor(const std::string& route,
                                                          const std::string& environment) const {
  const auto found = routes_.find(route);
  if (found == routes_.end()) return std::nullopt;
  if (found->second.deployment && found->second.deployment->environment == environment) return found->second.deployment;
  for (const auto& a : aggregates_) {
    if (a.report_deployment && a.route == route && a.name == environment) {
      DeploymentSpec spec;
      spec.environment = a.name;
      spec.contexts = a.contexts;
      return spec;
    }
  }
  return std::nullopt;
}

bool RouteCatalog::PostsThrough(const std::string& route) const {
  const auto found = routes_.find(route);
  return found != routes_.end() && found->second.has_provider;
}

}  // namespace fluxstatus::core
