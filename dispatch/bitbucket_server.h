// Bitbucket Data Center / Server build statuses: POST
// /rest/api/latest/projects/{P}/repos/{slug}/commits/{sha}/builds (204), replaced by `key`.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "dispatch/provider.h"

namespace fluxstatus::dispatch {

class BitbucketServerProvider final : public Provider {
 public:
  static constexpr std::size_t kDescriptionCap = 255;  // legacy API: every field 255 (A.5)
  static constexpr std::size_t kNameCap = 255;
  static constexpr std::size_t kUrlCap = 450;

  // address: an http(s) clone URL with /scm/: https://host[:port][/context]/scm/PROJ/repo.git
  // (the context is everything before the last /scm/, as Flux parses it). ssh is refused: its
  // port and path do not lead to the REST API. Throws ProviderConfigError naming `route`.
  BitbucketServerProvider(std::string route, std::string_view address);

  // api_base <scheme>://<host>[/context]/rest; repo_id "PROJ/repo".
  static RepoEndpoint ResolveAddress(std::string_view route, std::string_view address);

  std::string_view Kind() const override { return "bitbucketserver"; }
  std::string HostKey() const override;
  const RepoEndpoint& Endpoint() const override { return endpoint_; }
  // Auth: Basic username:token when creds.username is set, else Bearer (HTTP access token).
  // url (required) falls back to the repository's browse page when target_url is empty or
  // longer than 450 characters.
  HttpCall BuildCreate(const DesiredStatus& status, const Credentials& creds) const override;
  // Error text from {"errors":[{"message":…}]}.
  SendOutcome InterpretCreate(const HttpReply& reply, std::int64_t now_epoch_s) const override;
  // GET …/builds?key=<sha1(context)>: one object; 404 means none (kSynced, empty).
  HttpCall BuildList(const core::StatusKey& key, const Credentials& creds, int page) const override;
  ListPage InterpretList(const HttpReply& reply, const core::StatusKey& key, std::int64_t now_epoch_s) const override;
  // GET /rest/api/latest/projects/{P}/repos/{slug}.
  HttpCall BuildAccessCheck(const Credentials& creds) const override;

 private:
  std::vector<std::pair<std::string, std::string>> Headers(const Credentials& creds) const;
  std::string BuildsUrl(const std::string& sha) const;

  std::string route_;
  RepoEndpoint endpoint_;
  std::string browse_url_;
};

}  // namespace fluxstatus::dispatch
