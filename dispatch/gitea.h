// Gitea and Forgejo commit statuses: POST /repos/{owner}/{repo}/statuses/{sha} under
// /api/v1; every POST adds a row, the list is newest first.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "dispatch/provider.h"

namespace fluxstatus::dispatch {

class GiteaProvider final : public Provider {
 public:
  // Gitea documents no cap; 255 keeps statuses readable and within any VARCHAR column.
  static constexpr std::size_t kDescriptionCap = 255;
  static constexpr int kPageSize = 50;  // Gitea's default MAX_RESPONSE_ITEMS

  // address: https://host[/subpath]/owner/repo. api_base: "" derives <scheme>://<host>/api/v1;
  // a Gitea under a subpath needs it (https://host/git/api/v1), and the subpath is then removed
  // from the front of the address path. Throws ProviderConfigError naming `route` unless the
  // remaining path is exactly owner/repo.
  GiteaProvider(std::string route, std::string_view address, std::string_view api_base = {});

  static RepoEndpoint ResolveAddress(std::string_view route, std::string_view address, std::string_view api_base = {});

  std::string_view Kind() const override { return "gitea"; }
  std::string HostKey() const override;
  const RepoEndpoint& Endpoint() const override { return endpoint_; }
  // "Authorization: token <t>"; state pending/success/failure/error.
  HttpCall BuildCreate(const DesiredStatus& status, const Credentials& creds) const override;
  SendOutcome InterpretCreate(const HttpReply& reply, std::int64_t now_epoch_s) const override;
  HttpCall BuildList(const core::StatusKey& key, const Credentials& creds, int page) const override;
  // Newest first (Gitea's default sort); among matches the highest id wins.
  ListPage InterpretList(const HttpReply& reply, const core::StatusKey& key, std::int64_t now_epoch_s) const override;
  // GET /repos/{owner}/{repo}: its `permissions.push` tells whether the token may write.
  HttpCall BuildAccessCheck(const Credentials& creds) const override;

 private:
  std::vector<std::pair<std::string, std::string>> Headers(const Credentials& creds) const;

  std::string route_;
  RepoEndpoint endpoint_;
};

}  // namespace fluxstatus::dispatch
