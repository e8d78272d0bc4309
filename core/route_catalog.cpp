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

}  // namespace fluxstatus::core
