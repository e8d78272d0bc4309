// The state a route's deployment shows for one commit (issue 15: GitHub deployment statuses,
// GitLab deployments). Pure; the providers map it to their hosts' names.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/counted_contexts.h"

namespace fluxstatus::core {

// The three states a deployment moves through. GitHub also has error, queued, pending and
// inactive, but a route's statuses only ever ask for these (deployments-and-checks.md 5).
enum class DeploymentState { kInProgress, kSuccess, kFailure };

// GitHub's deployment-status names: "in_progress", "success", "failure".
std::string_view ToString(DeploymentState state);

// A deployment row's state (core/deployment_fold: pending, success or failure) as a deployment
// shows it: pending -> kInProgress; an error (never folded into a deployment row) -> kFailure.
DeploymentState DeploymentStateOf(StatusState state);

// Over the route's `deployment.contexts`: any counted failure or error -> kFailure; at least
// one counted and all success -> kSuccess; else kInProgress. The same rule as a fleet
// member's state (StateOverCountedContexts), with its pending named as GitHub names it.
DeploymentState DeploymentStateOverContexts(const std::vector<ContextStatus>& statuses,
                                            const std::vector<std::string>& context_patterns);

}  // namespace fluxstatus::core
