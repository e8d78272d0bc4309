// What the fold needs to know about a route: how to name contexts and where a status points.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace fluxstatus::core {

inline constexpr std::string_view kDefaultContextTemplate = "{kind}/{name}";

struct RouteProfile {
  std::string name;
  std::string repo;  // "owner/name", or empty
  std::string context_template{kDefaultContextTemplate};
  std::string cluster;              // appended to contexts when set
  std::string target_url_template;  // empty: no target URL
  bool has_provider = false;        // false: statuses are never dispatched
};

}  // namespace fluxstatus::core
