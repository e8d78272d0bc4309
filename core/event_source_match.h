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

}  // namespace fluxstatus::core
