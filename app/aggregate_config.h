// The issue-15 keys of fluxstatus.yaml: `aggregates:` (one fleet/<name> status summing up
// several routes, and optionally a deployment to the environment <name>) and the routes'
// `report:` (status, deployment, check).
#pragma once

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "app/config.h"
#include "app/config_reader.h"
#include "core/fleet_aggregate.h"

namespace fluxstatus::app {

// What a route's `report:` lists (default [status]). `[]` is refused as posting nothing. `rw`
// ("route 'prod-eu'") starts each message. Throws ConfigError.
struct RouteReports {
  bool status = true;
  bool deployment = false;
  bool check = false;
};
RouteReports ParseRouteReport(const ConfigReader& r, const YAML::Node& route, const std::string& rw);

// The `aggregates:` list (null or absent: none), checked against the already parsed routes.
// Each message names the aggregate, the problem and the fix, at the offending line. Each
// aggregate's repo is its route's. Throws ConfigError.
std::vector<core::FleetAggregate> ParseAggregates(const ConfigReader& r, const YAML::Node& list,
                                                  const std::vector<RouteConfig>& routes);

}  // namespace fluxstatus::app
