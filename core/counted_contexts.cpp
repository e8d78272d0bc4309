#include "core/counted_contexts.h"

#include <fnmatch.h>

namespace fluxstatus::core {

bool IsCountedContext(const std::vector<std::string>& context_patterns, std::string_view context) {
  const std::string value(context);  // fnmatch wants NUL-terminated text
  for (const auto& pattern : context_patterns) {
    // Flags 0, as core/event_source_match.cpp: `*` crosses `/`, since contexts carry the
    // cluster as a trailing path segment.
    if (fnmatch(pattern.c_str(), value.c_str(), 0) == 0) return true;
  }
  return false;
}

CountedContextsState StateOverCountedContexts(const std::vector<ContextStatus>& statuses,
                                              const std::vector<std::string>& context_patterns) {
  CountedContextsState out;
  bool all_success = true;
  for (const auto& status : statuses) {
    if (!IsCountedContext(context_patterns, status.context)) continue;
    ++out.counted;
    if (status.state == StatusState::kFailure || status.state == StatusState::kError) {
      if (!out.first_failure || status.context < out.first_failure->context) out.first_failure = status;
    } else if (status.state != StatusState::kSuccess) {
      all_success = false;
    }
  }
  if (out.first_failure) {
    out.state = StatusState::kFailure;
  } else if (out.counted > 0 && all_success) {
    out.state = StatusState::kSuccess;
  }
  return out;
}

}  // namespace fluxstatus::core
