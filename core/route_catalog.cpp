#include "core/route_catalog.h"

namespace fluxstatus::core {

RouteCatalog::RouteCatalog(const std::vector<RouteProfile>& routes) {
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

}  // namespace fluxstatus::core
