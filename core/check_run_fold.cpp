#include "core/check_run_fold.h"

#include <algorithm>

namespace fluxstatus::core {

std::vector<DerivedTarget> RouteCheckRuns(const RouteProfile& route, const CommitStatusesOfRoute& statuses) {
  std::vector<DerivedTarget> runs;
  if (!route.report_check) return runs;
  for (const auto& [key, state] : statuses) {
    if (key.route == route.name) runs.push_back({key, state});
  }
  std::sort(runs.begin(), runs.end(), [](const DerivedTarget& a, const DerivedTarget& b) { return a.key < b.key; });
  return runs;
}

std::vector<DerivedTarget> FoldCheckRuns(const RouteCatalog& routes, const KeyStates& keys) {
  std::vector<DerivedTarget> runs;
  for (const auto& [key, state] : keys) {  // a map: already ordered by key
    const auto route = routes.routes().find(key.route);
    if (route != routes.routes().end() && route->second.report_check) runs.push_back({key, state});
  }
  return runs;
}

std::string CheckRunExternalId(const StatusKey& key) { return "fluxstatus:" + key.route + ":" + key.context; }

}  // namespace fluxstatus::core
