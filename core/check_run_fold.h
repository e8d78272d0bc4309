// Folding check runs (`report: [check]`, issue 16): a route that reports check runs shows each
// of its statuses as a GitHub check run too, named after the status's context. Pure, like the
// deployment fold: the live writer hands in one commit's statuses after each event, rebuild
// the whole fold, so both derive the same rows.
#pragma once

#include <string>
#include <vector>

#include "core/derived_target.h"
#include "core/route_catalog.h"

namespace fluxstatus::core {

// `route`'s check-run rows for one commit's statuses: the same keys, states and words (none
// when the route reports no check runs). Ordered by key.
std::vector<DerivedTarget> RouteCheckRuns(const RouteProfile& route, const CommitStatusesOfRoute& statuses);

// Every check-run row (rebuild and `rebuild --check`), ordered by key.
std::vector<DerivedTarget> FoldCheckRuns(const RouteCatalog& routes, const KeyStates& keys);

// The external_id a key's runs are created with: how a lookup after a crash tells the runs of
// this route (cluster) from another route's runs of the same name on the same commit.
std::string CheckRunExternalId(const StatusKey& key);

}  // namespace fluxstatus::core
