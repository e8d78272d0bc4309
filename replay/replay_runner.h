// `replay`: after an outage, re-fold the log (the same fold as the live writer) and re-sync
// the statuses of the commits seen in a time window. Keys are listed on their host first, so
// only what the host lacks is posted again.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "core/route_catalog.h"
#include "dispatch/dispatcher.h"
#include "store/database.h"
#include "store/replay_window.h"

namespace fluxstatus::replay {

struct ReplaySummary {
  store::ReplayPlan plan;     // what the window held before the replay
  std::int64_t marked = 0;    // statuses marked for re-sync
  std::int64_t steps = 0;     // delivery steps made
  std::map<std::string, int> sync_states;  // the window's statuses afterwards, by sync_state
};

// Throws on database errors. Runs dispatch in this process until nothing is due now or the
// deadline passes; keys left waiting for a backoff stay pending for the service.
ReplaySummary RunReplay(const std::string& db_path, store::Durability durability, const core::RouteCatalog& routes,
                        std::vector<dispatch::DispatchRoute> dispatch_routes, dispatch::DispatcherOptions options,
                        const store::ReplayWindow& window, std::chrono::steady_clock::time_point deadline);

// --dry-run: the plan only; writes nothing.
store::ReplayPlan PlanOnly(const std::string& db_path, const store::ReplayWindow& window);

}  // namespace fluxstatus::replay
