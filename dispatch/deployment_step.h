// One deployment row's trip to its Git host (issue 15): find or create the deployment for
// (commit, environment) once, keep its id, and move it to the row's state. Deployments change on
// a state change only (a new description alone makes no new deployment status). The recording
// (Attempt rows, retries, failures, the lease) is StepRecorder's, as for commit statuses.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/deployment_spec.h"
#include "dispatch/deployment_provider.h"
#include "dispatch/step_record.h"
#include "store/commit_statuses.h"

namespace fluxstatus::dispatch {

// What `row` (a kDeployment row) asks its host for under `spec`: the environment from the
// row's context, the links rendered for the row's commit and `cluster`, and GitLab's ref from
// the Flux `revision` of the row's event (its branch; the SHA when there is none).
DesiredDeployment DesiredDeploymentOf(const store::StatusRow& row, const core::DeploymentSpec& spec,
                                      std::string_view cluster, const std::optional<std::string>& revision);

// The sequence (deployment_provider.h): no call when the host already shows the row's state
// under the stored id; without an id (or in flight without one) find, page by page; none found:
// record kSending, create, and record kSending with the new id at once, so a restart never
// creates a second; on GitLab set the environment's external_url after a create; then the state
// post unless the host already shows it. A refused transition (GitLab: running after a finish)
// or a stored id the host no longer has (404) forgets the id and finds or creates once more.
// Every record of a known deployment carries its id (host_object_id; "" once forgotten).
StepResult RunDeploymentStep(const store::StatusRow& row, const DeploymentProvider& provider,
                             const DesiredDeployment& desired, StepEnvironment& env);

}  // namespace fluxstatus::dispatch
