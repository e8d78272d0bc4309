// Shared by the deployment providers' tests: a desired deployment to build calls from, and the
// rows of the reply tables (what a reply must be read as).
#pragma once

#include <string>

#include "core/deployment_state.h"
#include "dispatch/deployment_provider.h"
#include "tests/dispatch/test_support.h"

namespace fluxstatus::dispatch::testing {

inline DesiredDeployment Deployment(core::DeploymentState state = core::DeploymentState::kSuccess,
                                    std::string environment = "prod-eu",
                                    std::string description = "2/2 contexts ready") {
  DesiredDeployment d;
  d.commit_sha = kSha;
  d.ref = kSha;
  d.environment = std::move(environment);
  d.state = state;
  d.description = std::move(description);
  return d;
}

// A find reply and what it must be read as ("" id: none).
struct FindRow {
  std::string name;
  HttpReply reply;
  OutcomeKind kind;
  std::string id;
  bool more_pages;
};

// A create (or state) reply and what it must be read as ("" id: none).
struct CreateRow {
  std::string name;
  HttpReply reply;
  OutcomeKind kind;
  std::string id;
  std::string error;
};

}  // namespace fluxstatus::dispatch::testing
