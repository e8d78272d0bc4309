#include "core/deployment_state.h"

namespace fluxstatus::core {

std::string_view ToString(DeploymentState state) {
  switch (state) {
    case DeploymentState::kInProgress: return "in_progress";
    case DeploymentState::kSuccess: return "success";
    case DeploymentState::kFailure: return "failure";
  }
  return "in_progress";
}

DeploymentState DeploymentStateOf(StatusState state) {
  switch (state) {
    case StatusState::kSuccess: return DeploymentState::kSuccess;
    case StatusState::kFailure:
    case StatusState::kError: return DeploymentState::kFailure;
    case StatusState::kPending: return DeploymentState::kInProgress;
  }
  return DeploymentState::kInProgress;
}

DeploymentState DeploymentStateOverContexts(const std::vector<ContextStatus>& statuses,
                                            const std::vector<std::string>& context_patterns) {
  return DeploymentStateOf(StateOverCountedContexts(statuses, context_patterns).state);
}

}  // namespace fluxstatus::core
