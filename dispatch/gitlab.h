// GitLab (gitlab.com and self-managed, also under a relative URL root) commit statuses:
// POST /projects/:id/statuses/:sha with `name` as the context; GitLab refuses some repeats.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "dispatch/provider.h"

namespace fluxstatus::dispatch {

class GitLabProvider final : public Provider {
 public:
  static constexpr std::size_t kDescriptionCap = 255;  // description, target_url: 255 (A.2)
  static constexpr std::size_t kTargetUrlCap = 255;

  // address: https://gitlab.com/group[/sub…]/project (any depth; a numeric id works too).
  // api_base: "" derives <scheme>://<host>/api/v4. A GitLab under a relative root needs it set
  // (https://host/gitlab/api/v4): the address alone cannot tell /gitlab from a group, so the
  // base's path before /api/v4 is removed from the front of the address path.
  // Throws ProviderConfigError naming `route` for an unusable address.
  GitLabProvider(std::string route, std::string_view address, std::string_view api_base = {});

  // repo_id is the URL-encoded project path ("group%2Fsub%2Fproj"). Throws as the constructor.
  static RepoEndpoint ResolveAddress(std::string_view route, std::string_view address, std::string_view api_base = {});

  std::string_view Kind() const override { return "gitlab"; }
  std::string HostKey() const override;
  const RepoEndpoint& Endpoint() const override { return endpoint_; }
  // PRIVATE-TOKEN header; "Authorization: Bearer" instead when creds.username is "oauth2"
  // (GitLab's name for OAuth tokens). A target_url over 255 characters is left out rather
  // than cut (a cut URL is a broken link). No `ref` is sent: fluxstatus does not know it.
  HttpCall BuildCreate(const DesiredStatus& status, const Credentials& creds) const override;
  // Beyond the shared rules: 409 (another update holds the lock) is kRetry; 400 "Cannot
  // transition status" (same pending/running twice) is kReconcile.
  SendOutcome InterpretCreate(const HttpReply& reply, std::int64_t now_epoch_s) const override;
  // name=<context>&all=true, newest id first where the server supports sort (17.9+).
  HttpCall BuildList(const core::StatusKey& key, const Credentials& creds, int page) const override;
  // The highest id on the page wins. An older server ignores sort=desc (ascending pages):
  // then only the last page can answer, so an ascending page with more pages gives no answer.
  ListPage InterpretList(const HttpReply& reply, const core::StatusKey& key, std::int64_t now_epoch_s) const override;
  // GET /projects/:id: its `permissions` give the token user's access level.
  HttpCall BuildAccessCheck(const Credentials& creds) const override;

 private:
  std::string route_;
  RepoEndpoint endpoint_;
};

}  // namespace fluxstatus::dispatch
