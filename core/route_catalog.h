// The routes events can arrive on, and the aggregates over them. Without configured routes
// every name is accepted as a route with no provider (the contract's embedded default); once
// routes are configured, only those exist.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/fleet_aggregate.h"
#include "core/route_profile.h"

namespace fluxstatus::core {

class RouteCatalog {
 public:
  RouteCatalog() = default;  // open: any route name, no provider
  explicit RouteCatalog(const std::vector<RouteProfile>& routes, std::vector<FleetAggregate> aggregates = {});

  // nullopt when the route does not exist. Thread-safe (the catalog is immutable).
  std::optional<RouteProfile> Find(const std::string& name) const;
  bool open() const { return routes_.empty(); }
  const std::map<std::string, RouteProfile>& routes() const { return routes_; }

  const std::vector<FleetAggregate>& aggregates() const { return aggregates_; }
  // The aggregates `route` is a member of, in configured order.
  std::vector<const FleetAggregate*> AggregatesOver(const std::string& route) const;
  // Whether an aggregate's status is posted: its route has a provider and it reports `status`.
  bool AggregateHasSink(const FleetAggregate& aggregate) const;

  // What a deployment row of `route` to `environment` is posted with: the route's own
  // `deployment:` block, or, for an aggregate reporting a deployment through `route`, one to the
  // environment named after it (no links, no flags). nullopt: no such deployment is configured.
  std::optional<DeploymentSpec> DeploymentFor(const std::string& route, const std::string& environment) const;
  // Whether the derived rows `route` posts (its deployments and check runs) reach a host: the
  // route has a provider.
  bool PostsThrough(const std::string& route) const;

 private:
  std::map<std::string, RouteProfile> routes_;
  std::vector<FleetAggregate> aggregates_;
};

}  // namespace fluxstatus::core
