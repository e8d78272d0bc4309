// One route's statuses for one commit, summed up over the contexts that count: the rule a
// fleet member's state (core/fleet_aggregate.h) and a route's deployment state
// (core/deployment_state.h) share. Pure: the caller hands in the statuses it loaded.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/commit_status.h"

namespace fluxstatus::core {

// One current status of a route for a commit: its context and what it says.
struct ContextStatus {
  std::string context;
  StatusState state = StatusState::kPending;
  std::string description;
};

// True when `context` matches any of the glob patterns (`*` any run, `/` included, so
// "kustomization/*" counts "kustomization/apps/prod-eu"; `?` one character), as a route's
// `match` globs do. An empty list counts nothing.
bool IsCountedContext(const std::vector<std::string>& context_patterns, std::string_view context);

// What a route's counted statuses say together. Never kError: an error counts as a failure.
struct CountedContextsState {
  StatusState state = StatusState::kPending;
  std::size_t counted = 0;  // statuses whose context counts
  // The failing counted status whose context sorts first (so the text does not depend on
  // the order the caller loaded rows in); set exactly when state is kFailure.
  std::optional<ContextStatus> first_failure;
};

// kFailure if any counted status is failure or error; kSuccess if at least one counts and
// all are success; else kPending (no counted status at all: not heard from yet).
CountedContextsState StateOverCountedContexts(const std::vector<ContextStatus>& statuses,
                                              const std::vector<std::string>& context_patterns);

}  // namespace fluxstatus::core
