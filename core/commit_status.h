// Host-neutral commit status values: the key a status is kept under and what it says.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

namespace fluxstatus::core {

// Host-neutral states (the SQL contract); each provider maps them to its host's names.
enum class StatusState { kPending, kSuccess, kFailure, kError };

std::string_view ToString(StatusState state);
std::optional<StatusState> StatusStateFromString(std::string_view text);

// One commit status on one Git host: what the fold keeps current and dispatch syncs.
struct StatusKey {
  std::string route;
  std::string repo;        // the route's repository ("owner/name"); empty without an address
  std::string commit_sha;  // lower-case hex
  std::string context;     // e.g. "kustomization/contoso2"

  friend auto operator<=>(const StatusKey&, const StatusKey&) = default;
};

// The status an event asks for, before the fold decides whether it wins.
struct StatusCandidate {
  StatusKey key;
  StatusState state = StatusState::kPending;
  std::string description;
  std::string target_url;  // empty when the route has no template
};

}  // namespace fluxstatus::core
