#include "dispatch/provider_factory.h"

#include <array>
#include <utility>

#include "dispatch/azure_devops.h"
#include "dispatch/bitbucket.h"
#include "dispatch/bitbucket_server.h"
#include "dispatch/gitea.h"
#include "dispatch/github.h"
#include "dispatch/github_check_runs.h"
#include "dispatch/github_deployments.h"
#include "dispatch/gitlab.h"
#include "dispatch/gitlab_deployments.h"
#include "dispatch/route_address.h"

namespace fluxstatus::dispatch {
namespace {

using Constructor = std::unique_ptr<Provider> (*)(const ProviderSettings&);
using DeploymentConstructor = std::unique_ptr<DeploymentProvider> (*)(const ProviderSettings&);

// One row per kind: its Provider, and its DeploymentProvider when the host has deployments.
struct Kind {
  std::string_view name;
  Constructor construct;
  DeploymentConstructor deployments = nullptr;
};

template <class P>
std::unique_ptr<Provider> WithoutApiBase(const ProviderSettings& s) {
  if (!s.api_base.empty()) ThrowConfigError(s.route, "provider '" + s.kind + "' does not take api_base");
  return std::make_unique<P>(s.route, s.address);
}

template <class P>
std::unique_ptr<Provider> WithApiBase(const ProviderSettings& s) {
  return std::make_unique<P>(s.route, s.address, s.api_base);
}

// MakeProvider has checked api_base for the kind.
template <class D>
std::unique_ptr<DeploymentProvider> DeploymentsWithoutApiBase(const ProviderSettings& s) {
  return std::make_unique<D>(s.route, s.address);
}

template <class D>
std::unique_ptr<DeploymentProvider> DeploymentsWithApiBase(const ProviderSettings& s) {
  return std::make_unique<D>(s.route, s.address, s.api_base);
}

constexpr std::array<Kind, 6> kConstructors = {{
    {"github", &WithoutApiBase<GitHubProvider>, &DeploymentsWithoutApiBase<GitHubDeployments>},
    {"gitlab", &WithApiBase<GitLabProvider>, &DeploymentsWithApiBase<GitLabDeployments>},
    {"gitea", &WithApiBase<GiteaProvider>},
    {"bitbucket", &WithoutApiBase<BitbucketProvider>},
    {"bitbucketserver", &WithoutApiBase<BitbucketServerProvider>},
    {"azuredevops", &WithoutApiBase<AzureDevOpsProvider>},
}};

const Kind& KindOf(const ProviderSettings& settings) {
  for (const auto& kind : kConstructors) {
    if (kind.name == settings.kind) return kind;
  }
  std::string known;
  for (const auto& kind : kConstructors) known += (known.empty() ? "" : ", ") + std::string(kind.name);
  ThrowConfigError(settings.route, "unknown provider '" + settings.kind + "' (known: " + known + ")");
}

}  // namespace

std::unique_ptr<Provider> MakeProvider(const ProviderSettings& settings) {
  return KindOf(settings).construct(settings);
}

std::unique_ptr<DeploymentProvider> MakeDeploymentProvider(const ProviderSettings& settings) {
  const Kind& kind = KindOf(settings);
  return kind.deployments ? kind.deployments(settings) : nullptr;
}

std::unique_ptr<CheckRunProvider> MakeCheckRunProvider(const ProviderSettings& settings, const std::string& app_id) {
  if (KindOf(settings).name != "github") return nullptr;
  if (!settings.api_base.empty()) ThrowConfigError(settings.route, "provider 'github' does not take api_base");
  return std::make_unique<GitHubCheckRuns>(settings.route, settings.address, app_id);
}

std::vector<std::string_view> ProviderKinds() {
  std::vector<std::string_view> out;
  for (const auto& kind : kConstructors) out.push_back(kind.name);
  return out;
}

}  // namespace fluxstatus::dispatch
