// Builds a route's Provider from its configuration: a table of constructors keyed by kind,
// as notification-controller's factory.go does. Construction is where bad config surfaces.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dispatch/check_run_provider.h"
#include "dispatch/deployment_provider.h"
#include "dispatch/provider.h"

namespace fluxstatus::dispatch {

struct ProviderSettings {
  std::string route;    // the route's name, for error messages
  std::string kind;     // github | gitlab | gitea | bitbucket | bitbucketserver | azuredevops
  std::string address;  // the repository address, in the forms a Flux Provider accepts
  // Optional API root for GitLab (…/api/v4) and Gitea (…/api/v1) installed under a path
  // prefix, which the address alone cannot reveal. Must be empty for the other kinds.
  std::string api_base;
};

// The provider for `settings`. Throws ProviderConfigError("route '<route>': <problem>") for an
// unknown kind, an address the host cannot use, or an api_base the kind does not take.
std::unique_ptr<Provider> MakeProvider(const ProviderSettings& settings);

// The deployments of `settings`' host (GitHub, GitLab); nullptr for a kind without them.
// Throws as MakeProvider does.
std::unique_ptr<DeploymentProvider> MakeDeploymentProvider(const ProviderSettings& settings);

// The check runs of `settings`' host, filtered to and written as the GitHub App `app_id`
// (decimal): GitHub only; nullptr for the other kinds. Throws as MakeProvider does, and for
// GitHub also when app_id is empty (only a GitHub App can create check runs) or not a number.
std::unique_ptr<CheckRunProvider> MakeCheckRunProvider(const ProviderSettings& settings, const std::string& app_id);

// The kinds MakeProvider knows, in a fixed order (for help texts and config checks).
std::vector<std::string_view> ProviderKinds();

}  // namespace fluxstatus::dispatch
