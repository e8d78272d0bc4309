#include "core/commit_status.h"

namespace fluxstatus::core {

std::string_view ToString(StatusState state) {
  switch (state) {
    case StatusState::kPending: return "pending";
    case StatusState::kSuccess: return "success";
    case StatusState::kFailure: return "failure";
    case StatusState::kError: return "error";
  }
  return "error";
}

std::optional<StatusState> StatusStateFromString(std::string_view text) {
  for (auto s : {StatusState::kPending, StatusState::kSuccess, StatusState::kFailure, StatusState::kError}) {
    if (ToString(s) == text) return s;
  }
  return std::nullopt;
}

}  // namespace fluxstatus::core
