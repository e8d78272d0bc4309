// The routes events can arrive on. Without configured routes every name is accepted as a
// route with no provider (the contract's embedded default); once routes are configured,
// only those exist.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/route_profile.h"

namespace fluxstatus::core {

class RouteCatalog {
 public:
  RouteCatalog() = default;  // open: any route name, no provider
  explicit RouteCatalog(const std::vector<RouteProfile>& routes);

  // nullopt when the route does not exist. Thread-safe (the catalog is immutable).
  std::optional<RouteProfile> Find(const std::string& name) const;
  bool open() const { return routes_.empty(); }
  const std::map<std::string, RouteProfile>& routes() const { return routes_; }

 private:
  std::map<std::string, RouteProfile> routes_;
};

}  // namespace fluxstatus::core
