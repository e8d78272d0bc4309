// Bitbucket Cloud build statuses: POST …/commit/{sha}/statuses/build, upserted by `key`
// (SHA-1 hex of the context, as Flux does: Cloud keys are limited to 40 characters).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "dispatch/provider.h"

namespace fluxstatus::dispatch {

class BitbucketProvider final : public Provider {
 public:
  // Bitbucket Cloud documents no caps; 255 matches Bitbucket Data Center's.
  static constexpr std::size_t kDescriptionCap = 255;
  static constexpr std::size_t kNameCap = 255;

  // address: https://bitbucket.org/workspace/repo (ssh and scp-like too). bitbucket.org maps to
  // https://api.bitbucket.org/2.0; any other host is taken as a Cloud-compatible API at
  // <scheme>://<host>/2.0 (mocks, proxies). Throws ProviderConfigError naming `route` unless
  // the path is exactly workspace/repo.
  BitbucketProvider(std::string route, std::string_view address);

  static RepoEndpoint ResolveAddress(std::string_view route, std::string_view address);

  std::string_view Kind() const override { return "bitbucket"; }
  std::string HostKey() const override;
  const RepoEndpoint& Endpoint() const override { return endpoint_; }
  // Auth: Basic username:token when creds.username is set; Basic from a "user:app-password"
  // token (Flux's form) when it holds a ':'; else Bearer (access tokens). `url` is required
  // in practice: without a target_url it links the repository's web page.
  HttpCall BuildCreate(const DesiredStatus& status, const Credentials& creds) const override;
  SendOutcome InterpretCreate(const HttpReply& reply, std::int64_t now_epoch_s) const override;
  // GET …/statuses/build/{key}: one object; 404 means the host has none (kSynced, empty).
  HttpCall BuildList(const core::StatusKey& key, const Credentials& creds, int page) const override;
  ListPage InterpretList(const HttpReply& reply, const core::StatusKey& key, std::int64_t now_epoch_s) const override;
  // GET /repositories/{workspace}/{repo}.
  HttpCall BuildAccessCheck(const Credentials& creds) const override;

 private:
  std::vector<std::pair<std::string, std::string>> Headers(const Credentials& creds) const;
  std::string CommitPath(const std::string& sha) const;

  std::string route_;
  RepoEndpoint endpoint_;
  std::string web_url_;  // the repository's page, the default status link
};

}  // namespace fluxstatus::dispatch
