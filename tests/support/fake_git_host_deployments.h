// What FakeGitHost holds for GitHub deployments (with their statuses) and GitLab deployments
// and environments (deployments-and-checks.md sections 1 and 4), as tests read it back.
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

// One GitLab deployment. API-made, so it has no deployable.
struct FakeGitLabDeployment {
  std::int64_t id = 0;
  std::int64_t iid = 0;  // per project
  std::string sha;
  std::string ref;
  bool tag = false;
  std::string status;  // created|running|success|failed|canceled
  std::string environment;
  std::string created_at;
  std::string updated_at;
  std::int64_t updated_seq = 0;  // order of the last change, for order_by=updated_at
};

// One GitLab environment, made explicitly or on the fly by a deployment POST.
struct FakeGitLabEnvironment {
  std::int64_t id = 0;
  std::string name;
  std::string external_url;
  std::string tier;  // production|staging|testing|development|other
  std::string description;
  std::string state = "available";
  std::string created_at;
  std::string updated_at;
};

}  // namespace fluxstatus::testing
