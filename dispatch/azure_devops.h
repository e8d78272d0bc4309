// Azure DevOps (Services and Server) Git statuses: POST
// {org}/{project}/_apis/git/repositories/{repo}/commits/{sha}/statuses; each POST adds one.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "dispatch/provider.h"

namespace fluxstatus::dispatch {

class AzureDevOpsProvider final : public Provider {
 public:
  // Azure DevOps documents no cap; 255 keeps statuses readable.
  static constexpr std::size_t kDescriptionCap = 255;
  static constexpr int kPageSize = 100;
  static constexpr std::string_view kGenre = "fluxcd";

  // address forms (the path must end in {project}/_git/{repo}):
  //   https://dev.azure.com/{org}/{project}/_git/{repo}   (also {org}/_git/{repo}: project = repo)
  //   https://{org}.visualstudio.com[/DefaultCollection]/{project}/_git/{repo}   (legacy)
  //   https://{host}[/tfs]/{collection}/{project}/_git/{repo}                     (Server, on-prem)
  //   git@ssh.dev.azure.com:v3/{org}/{project}/{repo}                            (ssh)
  // Services use api-version 7.1; Server uses 6.0 (Azure DevOps Server 2020 and later).
  // Throws ProviderConfigError naming `route` for any other shape.
  AzureDevOpsProvider(std::string route, std::string_view address);

  // api_base "<scheme>://<host>[/<org or collection>]/<project>/_apis/git/repositories";
  // repo_id the repository name (a GUID works too).
  static RepoEndpoint ResolveAddress(std::string_view route, std::string_view address);

  std::string_view Kind() const override { return "azuredevops"; }
  // "dev.azure.com/<org>": Azure DevOps meters usage per organization.
  std::string HostKey() const override { return host_key_; }
  const RepoEndpoint& Endpoint() const override { return endpoint_; }
  // Basic auth with an empty user (":" + PAT); context {name, genre: "fluxcd"}; targetUrl.
  HttpCall BuildCreate(const DesiredStatus& status, const Credentials& creds) const override;
  // The shared rules, including Retry-After on a 2xx (Azure asks callers to slow down);
  // 203 (Azure's answer to a bad PAT: a sign-in page) is kPermanent, not a delivery.
  SendOutcome InterpretCreate(const HttpReply& reply, std::int64_t now_epoch_s) const override;
  // latestOnly=true: at most one entry per context+genre; top/skip pages of 100.
  HttpCall BuildList(const core::StatusKey& key, const Credentials& creds, int page) const override;
  // Reads {count, value} (what the service sends) or a bare array (what the spec claims);
  // among entries with our name and genre the highest id wins.
  ListPage InterpretList(const HttpReply& reply, const core::StatusKey& key, std::int64_t now_epoch_s) const override;
  // GET …/_apis/git/repositories/{repo}?api-version=…
  HttpCall BuildAccessCheck(const Credentials& creds) const override;

 private:
  std::string StatusesUrl(const std::string& sha) const;

  std::string route_;
  RepoEndpoint endpoint_;
  std::string api_version_;
  std::string host_key_;
};

}  // namespace fluxstatus::dispatch
