#include "core/event_source_match.h"

#include <fnmatch.h>

namespace fluxstatus::core {
namespace {

bool Glob(const std::string& pattern, const std::string& value) {
  return fnmatch(pattern.c_str(), value.c_str(), 0) == 0;
}

}  // namespace

bool MatchesAny(const std::vector<EventSourceMatch>& match, const FluxEvent& ev) {
  for (const auto& m : match) {
    if (Glob(m.kind, ev.object.kind) && Glob(m.name, ev.object.name) && Glob(m.namespace_, ev.object.namespace_)) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> RoutesMatching(const std::vector<RouteMatch>& routes, const FluxEvent& event) {
  if (routes.empty()) return {"default"};
  std::vector<std::string> out;
  for (const auto& r : routes) {
    if (MatchesAny(r.match, event)) out.push_back(r.route);
  }
  return out;
}

}  // namespace fluxstatus::core
