// GitLab deployments and environments (deployments-and-checks.md 4): found by listing the
// environment's deployments newest first and matching the sha (the list has no sha filter),
// created `running`, moved by PUT within GitLab's state machine; the environment's
// external_url set through the Environments API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dispatch/deployment_provider.h"

namespace fluxstatus::dispatch {

class GitLabDeployments final : public DeploymentProvider {
 public:
  // The route's address and api_base, read as GitLabProvider reads them
  // (GitLabProvider::ResolveAddress). Throws ProviderConfigError naming `route`.
  GitLabDeployments(std::string route, std::string_view address, std::string_view api_base = {});

  const RepoEndpoint& Endpoint() const { return endpoint_; }
  std::string HostKey() const override;

  // GET /projects/:id/deployments?environment=&order_by=id&sort=desc&per_page=100&page=.
  HttpCall BuildFind(const DesiredDeployment& d, const Credentials& creds, int page) const override;
  // The newest deployment of the environment with d.commit_sha (case-insensitively) that
  // fluxstatus can update: one made by a CI job (`deployable` set) is skipped, as GitLab
  // refuses API updates to it (403). Its state is read from `status` (running, success,
  // failed; others leave state empty). If d.state is kInProgress and that deployment has
  // finished (GitLab allows `running` only from created or blocked), no id is given and the
  // search stops: the commit needs a new deployment (4.4). No match: more_pages from
  // X-Next-Page or Link. A 2xx that is not a JSON array is kPermanent.
  Found InterpretFind(const HttpReply& reply, const DesiredDeployment& d, std::int64_t now_epoch_s) const override;

  // POST /projects/:id/deployments {environment, sha, ref (d.ref, else the sha), tag: false,
  // status: running}; GitLab makes the environment on the fly if it has none by that name.
  HttpCall BuildCreate(const DesiredDeployment& d, const Credentials& creds) const override;
  // 201 with the deployment's id and its state (kInProgress: running); a 400 (unknown sha or
  // ref, bad name) is kPermanent with GitLab's words.
  Created InterpretCreate(const HttpReply& reply, std::int64_t now_epoch_s) const override;

  // PUT /projects/:id/deployments/:deployment_id {status: running|success|failed}.
  HttpCall BuildState(const std::string& id, const DesiredDeployment& d, const Credentials& creds) const override;
  // A transition GitLab's state machine refuses (400 "cannot transition via ...": the same
  // status twice, or running after a finish) is kReconcile with GitLab's words: find the
  // deployment again rather than retry.
  SendOutcome InterpretState(const HttpReply& reply, std::int64_t now_epoch_s) const override;

  // The environment's link (d.environment_url), through the Environments API (4.6). The
  // environment exists once a deployment to it was created, so this follows BuildCreate.
  // GET /projects/:id/environments?name= (an exact match; names are unique per project).
  HttpCall BuildFindEnvironment(const DesiredDeployment& d, const Credentials& creds) const;
  // id: the environment named d.environment (absent: none yet); external_url: its link now
  // ("" when none), so a caller skips a PUT that would change nothing.
  struct FoundEnvironment {
    std::optional<std::string> id;
    std::string external_url;
    SendOutcome outcome;
  };
  FoundEnvironment InterpretFindEnvironment(const HttpReply& reply, const DesiredDeployment& d,
                                            std::int64_t now_epoch_s) const;
  // PUT /projects/:id/environments/:environment_id {external_url}. Sent whole: GitLab's limit
  // is 255 characters, and a cut URL is a broken link, so a longer one gets GitLab's 400.
  HttpCall BuildSetExternalUrl(const std::string& environment_id, const DesiredDeployment& d,
                               const Credentials& creds) const;
  SendOutcome InterpretSetExternalUrl(const HttpReply& reply, std::int64_t now_epoch_s) const;

 private:
  std::string ProjectUrl() const;

  std::string route_;
  RepoEndpoint endpoint_;
};

}  // namespace fluxstatus::dispatch
