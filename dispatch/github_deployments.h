// GitHub (github.com, GHE.com, GHES) deployments and deployment statuses
// (deployments-and-checks.md 1): found by GET /deployments?sha=&environment=, created with
// ref = the SHA, moved by appending deployment statuses.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "dispatch/deployment_provider.h"

namespace fluxstatus::dispatch {

class GitHubDeployments final : public DeploymentProvider {
 public:
  static constexpr std::size_t kDescriptionCap = 140;  // a status's longer one gives 422 (1.5)

  // The route's address, read as GitHubProvider reads it (GitHubProvider::ResolveAddress).
  // Throws ProviderConfigError naming `route` for an address that names no owner/repo.
  GitHubDeployments(std::string route, std::string_view address);

  const RepoEndpoint& Endpoint() const { return endpoint_; }
  std::string HostKey() const override;

  // GET /repos/{o}/{r}/deployments?sha=&environment=&per_page=100&page=.
  HttpCall BuildFind(const DesiredDeployment& d, const Credentials& creds, int page) const override;
  // The highest id on the page whose sha and environment match (case-insensitively: GitHub
  // filtered already; this only guards against an entry that is plainly another's). No match:
  // more_pages from the Link header. A 2xx that is not a JSON array is kPermanent. No state:
  // a deployment's states are its statuses, a separate list.
  Found InterpretFind(const HttpReply& reply, const DesiredDeployment& d, std::int64_t now_epoch_s) const override;

  // POST /repos/{o}/{r}/deployments {ref: sha, environment, auto_merge: false,
  // required_contexts: [], description, production_environment, transient_environment}:
  // no merge and no check of the commit's statuses (fluxstatus's own pending one would block it).
  HttpCall BuildCreate(const DesiredDeployment& d, const Credentials& creds) const override;
  // 201 with the deployment's id. 202 (GitHub merged the default branch instead, which only
  // auto_merge does) is kPermanent with that said; 409 (merge conflict, failed status checks)
  // and 422 are kPermanent with GitHub's words; rate limits and 5xx as for commit statuses.
  Created InterpretCreate(const HttpReply& reply, std::int64_t now_epoch_s) const override;

  // POST /repos/{o}/{r}/deployments/{id}/statuses {state: in_progress|success|failure,
  // description, log_url, environment_url}; auto_inactive is left to GitHub's default (true),
  // so the environment's older successful deployments go inactive.
  HttpCall BuildState(const std::string& id, const DesiredDeployment& d, const Credentials& creds) const override;
  SendOutcome InterpretState(const HttpReply& reply, std::int64_t now_epoch_s) const override;

 private:
  std::string DeploymentsUrl() const;

  std::string route_;
  RepoEndpoint endpoint_;
};

}  // namespace fluxstatus::dispatch
