// What FakeGitHost holds for GitHub deployments (with their statuses)
// (deployments-and-checks.md section 1), as tests read it back.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fluxstatus::testing {

// One GitHub deployment status, as posted (or added by auto_inactive).
struct FakeDeploymentStatus {
  std::int64_t id = 0;
  std::string state;  // error|failure|inactive|in_progress|queued|pending|success
  std::string description;
  std::string environment;  // the deployment's environment once this status applied
  std::string log_url;      // also the status's target_url
  std::string environment_url;
  std::string created_at;  // RFC 3339
};

// One GitHub deployment with every status posted to it, oldest first.
struct FakeDeployment {
  std::int64_t id = 0;
  std::string sha;  // the ref, which the fake only accepts as a full SHA
  std::string ref;
  std::string task;
  std::string environment;  // current: a status naming another environment changes it
  std::string original_environment;
  std::string description;
  std::string payload = "{}";  // as JSON text: the body's object, or a JSON string
  bool production_environment = false;
  bool transient_environment = false;
  std::string created_at;
  std::vector<FakeDeploymentStatus> statuses;
};

}  // namespace fluxstatus::testing
