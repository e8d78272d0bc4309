// GitHub (github.com, GHE.com, GitHub Enterprise Server) commit statuses: POST
// /repos/{owner}/{repo}/statuses/{sha}, listed newest first from /commits/{sha}/statuses.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "dispatch/provider.h"

namespace fluxstatus::dispatch {

class GitHubProvider final : public Provider {
 public:
  static constexpr std::size_t kDescriptionCap = 140;  // longer gives 422 (git-hosts.md A.1)

  // address: https://github.com/owner/repo (also ssh, scp-like, http, any GHES or GHE.com host).
  // Throws ProviderConfigError naming `route` unless the path is exactly owner/repo.
  GitHubProvider(std::string route, std::string_view address);

  // github.com (and www.) -> https://api.github.com; SUB.ghe.com -> https://api.SUB.ghe.com;
  // a host starting with "api." is the root as is (go-github's rule); any other host is GHES:
  // <scheme>://<host>/api/v3. repo_id is "owner/repo". Throws as the constructor does.
  static RepoEndpoint ResolveAddress(std::string_view route, std::string_view address);

  std::string_view Kind() const override { return "github"; }
  std::string HostKey() const override;
  const RepoEndpoint& Endpoint() const override { return endpoint_; }
  HttpCall BuildCreate(const DesiredStatus& status, const Credentials& creds) const override;
  // Beyond the shared rules: a 403/429 saying "secondary rate limit" is retryable with the
  // whole host paused (Retry-After, else the reset time when the budget is 0, else 60 s).
  SendOutcome InterpretCreate(const HttpReply& reply, std::int64_t now_epoch_s) const override;
  HttpCall BuildList(const core::StatusKey& key, const Credentials& creds, int page) const override;
  // Newest first: the first entry whose context matches (case-insensitively) wins.
  ListPage InterpretList(const HttpReply& reply, const core::StatusKey& key, std::int64_t now_epoch_s) const override;
  // GET /repos/{owner}/{repo}: its `permissions.push` tells whether the token may write.
  HttpCall BuildAccessCheck(const Credentials& creds) const override;

 private:
  std::string route_;
  RepoEndpoint endpoint_;
};

}  // namespace fluxstatus::dispatch
