// Direct mode routing (events straight from the controllers via --events-addr): a route's
// `match` list, with Flux Alert eventSources semantics and `*` globs on kind, name, namespace.
#pragma once

#include <string>
#include <vector>

#include "core/flux_event.h"

namespace fluxstatus::core {

struct EventSourceMatch {
  std::string kind = "*";
  std::string name = "*";
  std::string namespace_ = "*";
};

// True when any entry matches the event's involvedObject (kind, name and namespace each a
// glob: `*` any run, `?` one character). An empty list matches nothing.
bool MatchesAny(const std::vector<EventSourceMatch>& match, const FluxEvent& event);

// A route's name and its `match` list.
struct RouteMatch {
  std::string route;
  std::vector<EventSourceMatch> match;
};

// The routes an event that names no route goes to (direct mode, and the events resync
// synthesizes): those whose `match` list matches it, in the given order. With no routes
// configured at all, the one open route "default".
std::vector<std::string> RoutesMatching(const std::vector<RouteMatch>& routes, const FluxEvent& event);

}  // namespace fluxstatus::core
