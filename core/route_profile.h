// What the fold needs to know about a route: how to name contexts and where a status points.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/deployment_spec.h"

namespace fluxstatus::core {

inline constexpr std::string_view kDefaultContextTemplate = "{kind}/{name}";

struct RouteProfile {
  std::string name;
  std::string repo;  // "owner/name", or empty
  std::string context_template{kDefaultContextTemplate};
  std::string cluster;                       // appended to contexts when set
  std::string target_url_template;           // empty: no target URL
  bool has_provider = false;                 // false: nothing of the route is ever dispatched
  bool report_status = true;                 // `report` names `status`: its commit statuses are posted
  std::optional<DeploymentSpec> deployment;  // `report` names `deployment`
  bool report_check = false;                 // `report` names `check`: a check run per status

  // Whether the route's own commit statuses are posted (else they are folded and skipped).
  bool PostsStatuses() const { return has_provider && report_status; }
};

}  // namespace fluxstatus::core
