// GitHub (github.com, GHE.com, GHES) check runs (deployments-and-checks.md 2): found by
// GET /commits/{sha}/check-runs?check_name=&filter=all&app_id=, created by POST /check-runs,
// moved by PATCH /check-runs/{id} while in progress. Only a GitHub App may write them (2.2).
#pragma once

#include <string>
#include <string_view>

#include "dispatch/check_run_provider.h"

namespace fluxstatus::dispatch {

class GitHubCheckRuns final : public CheckRunProvider {
 public:
  // The route's address, read as GitHubProvider reads it; app_id: the route's GitHub App id
  // (decimal), which the lookup filters by so other Apps' runs of the same name stay out.
  // Throws ProviderConfigError naming `route` for an address without owner/repo, or an app_id
  // that is empty (only a GitHub App can create check runs) or not a number.
  GitHubCheckRuns(std::string route, std::string_view address, std::string app_id);

  const RepoEndpoint& Endpoint() const { return endpoint_; }
  std::string HostKey() const override;

  // GET /repos/{o}/{r}/commits/{sha}/check-runs?check_name=&filter=all&app_id=&per_page=100&page=.
  HttpCall BuildFind(const DesiredCheckRun& d, const Credentials& creds, int page) const override;
  // The highest id on the page whose external_id is d.external_id; its phase from status and
  // conclusion, its output.title. more_pages from the Link header, or, when the reply has no
  // Link header at all, from a full page of 100. A 2xx that is not {check_runs: [...]} is
  // kPermanent.
  Found InterpretFind(const HttpReply& reply, const DesiredCheckRun& d, std::int64_t now_epoch_s) const override;

  // POST /repos/{o}/{r}/check-runs {name, head_sha, external_id, status, started_at,
  // conclusion + completed_at (completed only), details_url (when set), output}.
  HttpCall BuildCreate(const DesiredCheckRun& d, const Credentials& creds) const override;
  // 201 with the run's id. 403 for a token that is no App installation's, or an App without
  // Checks: write, is kPermanent with the fix named; 422 kPermanent with GitHub's words; rate
  // limits and 5xx as for commit statuses.
  Created InterpretCreate(const HttpReply& reply, std::int64_t now_epoch_s) const override;

  // PATCH /repos/{o}/{r}/check-runs/{id} {status, conclusion + completed_at (completed only),
  // details_url (when set), output}: no head_sha, which a PATCH cannot change.
  HttpCall BuildUpdate(const std::string& id, const DesiredCheckRun& d, const Credentials& creds) const override;
  // 200 kSynced. 404 (the run is gone, or the id is from another API) and 403 "Invalid app_id"
  // (another App made the run) are kPermanent: the caller forgets the id and starts a new run.
  SendOutcome InterpretUpdate(const HttpReply& reply, std::int64_t now_epoch_s) const override;

 private:
  std::string CheckRunsUrl() const;

  std::string route_;
  RepoEndpoint endpoint_;
  std::string app_id_;
};

}  // namespace fluxstatus::dispatch
