// The DeploymentProvider interface (issue 15): beside a route's Provider, one implementation per
// host that has deployments (GitHub, GitLab) turns "this commit is in this state in this
// environment" into HTTP calls and classifies the host's answers. Pure: no I/O, no clock, no
// logging. The API facts are deployments-and-checks.md sections 1, 3 and 4.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/deployment_state.h"
#include "dispatch/http_exchange.h"
#include "dispatch/provider.h"

namespace fluxstatus::dispatch {

// One deployment as fluxstatus wants the host to show it: per (route, commit, environment).
struct DesiredDeployment {
  std::string commit_sha;   // full SHA
  std::string ref;          // GitLab: the branch from the revision, else the SHA; GitHub sends the SHA
  std::string environment;  // sent as is: an environment name is a body or query value
  core::DeploymentState state = core::DeploymentState::kInProgress;
  std::string description;                     // capped to the host's limit by the provider (GitHub 140)
  std::string environment_url, log_url;        // empty: not sent
  bool production = false, transient = false;  // GitHub only
};

// One instance per route. Immutable after construction, so safe to share across threads. Every
// Build* is total (never throws) and every Interpret* gives an outcome for any reply, garbage
// included; outcomes mean what they mean for Provider (kReconcile: look before trying again).
//
// The sequence a caller runs: with no stored id, BuildFind page by page until an id or the end;
// without an id, BuildCreate (and store the id at once, so a restart never creates a second);
// then BuildState unless the host already shows d.state (Found::state, Created::state), and
// again whenever d.state changes. A kReconcile answer sends the caller back to BuildFind.
class DeploymentProvider {
 public:
  virtual ~DeploymentProvider() = default;

  // The same pause key as the route's Provider: one host, one rate-limit budget.
  virtual std::string HostKey() const = 0;

  // Finding the deployment for (d.commit_sha, d.environment) before creating one. page starts
  // at 1.
  virtual HttpCall BuildFind(const DesiredDeployment& d, const Credentials& creds, int page) const = 0;
  // id: the deployment to move to d.state; more_pages: none on this page, ask for page + 1.
  // state: what the host shows it in, when the listing says (GitLab; GitHub keeps states in a
  // separate list). outcome.kind == kSynced when the page was read; else the rest is empty.
  struct Found {
    std::optional<std::string> id;
    bool more_pages = false;
    std::optional<core::DeploymentState> state;
    SendOutcome outcome;
  };
  virtual Found InterpretFind(const HttpReply& reply, const DesiredDeployment& d, std::int64_t now_epoch_s) const = 0;

  // Creating it. Its state is set by a BuildState call afterwards on both hosts.
  virtual HttpCall BuildCreate(const DesiredDeployment& d, const Credentials& creds) const = 0;
  // id is set exactly when outcome.kind == kSynced. A 2xx without a readable id is kReconcile:
  // the deployment may exist, so find it rather than create another. state: what the new
  // deployment shows, when the reply says (GitLab creates it running, and refuses a second
  // `running`: skip BuildState when it equals d.state); GitHub's has no status yet.
  struct Created {
    std::optional<std::string> id;
    std::optional<core::DeploymentState> state;
    SendOutcome outcome;
  };
  virtual Created InterpretCreate(const HttpReply& reply, std::int64_t now_epoch_s) const = 0;

  // Moving deployment `id` (from Find or Create) to d.state.
  virtual HttpCall BuildState(const std::string& id, const DesiredDeployment& d, const Credentials& creds) const = 0;
  virtual SendOutcome InterpretState(const HttpReply& reply, std::int64_t now_epoch_s) const = 0;
};

}  // namespace fluxstatus::dispatch
