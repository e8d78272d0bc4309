#include "dispatch/provider_factory.h"

#include <array>
#include <utility>

#include "dispatch/azure_devops.h"
#include "dispatch/bitbucket.h"
#include "dispatch/bitbucket_server.h"
#include "dispatch/gitea.h"
#include "dispatch/github.h"
#include "dispatch/gitlab.h"
#include "dispatch/route_address.h"

namespace fluxstatus::dispatch {
namespace {

using Constructor = std::unique_ptr<Provider> (*)(const ProviderSettings&);

template <class P>
std::unique_ptr<Provider> WithoutApiBase(const ProviderSettings& s) {
  if (!s.api_base.empty()) ThrowConfigError(s.route, "provider '" + s.kind + "' does not take api_base");
  return std::make_unique<P>(s.route, s.address);
}

template <class P>
std::unique_ptr<Provider> WithApiBase(const ProviderSettings& s) {
  return std::make_unique<P>(s.route, s.address, s.api_base);
}

constexpr std::array<std::pair<std::string_view, Constructor>, 6> kConstructors = {{
    {"github", &WithoutApiBase<GitHubProvider>},
    {"gitlab", &WithApiBase<GitLabProvider>},
    {"gitea", &WithApiBase<GiteaProvider>},
    {"bitbucket", &WithoutApiBase<BitbucketProvider>},
    {"bitbucketserver", &WithoutApiBase<BitbucketServerProvider>},
    {"azuredevops", &WithoutApiBase<AzureDevOpsProvider>},
}};

}  // namespace

std::unique_ptr<Provider> MakeProvider(const ProviderSettings& settings) {
  for (const auto& [kind, construct] : kConstructors) {
    if (kind == settings.kind) return construct(settings);
  }
  std::string known;
  for (const auto& entry : kConstructors) known += (known.empty() ? "" : ", ") + std::string(entry.first);
  ThrowConfigError(settings.route, "unknown provider '" + settings.kind + "' (known: " + known + ")");
}

std::vector<std::string_view> ProviderKinds() {
  std::vector<std::string_view> out;
  for (const auto& entry : kConstructors) out.push_back(entry.first);
  return out;
}

}  // namespace fluxstatus::dispatch
