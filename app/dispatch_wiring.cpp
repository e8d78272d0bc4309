#include "app/dispatch_wiring.h"

#include <ctime>
#include <map>
#include <string>
#include <vector>

#include "core/route_catalog.h"

namespace fluxstatus::app {
namespace {

// What `route`'s deployments are posted with, by environment: its own `deployment:` and those
// of the aggregates that report a deployment through it.
std::map<std::string, core::DeploymentSpec> DeploymentSpecs(const core::RouteCatalog& catalog,
                                                            const std::string& route) {
  std::vector<std::string> environments;
  if (const auto profile = catalog.Find(route); profile && profile->deployment) {
    environments.push_back(profile->deployment->environment);
  }
  for (const auto& a : catalog.aggregates()) {
    if (a.report_deployment && a.route == route) environments.push_back(a.name);
  }
  std::map<std::string, core::DeploymentSpec> specs;
  for (const auto& environment : environments) {
    if (auto spec = catalog.DeploymentFor(route, environment)) specs.emplace(environment, std::move(*spec));
  }
  return specs;
}

}  // namespace

std::vector<dispatch::DispatchRoute> BuildDispatchRoutes(const Config& config, bool check_secrets) {
  std::vector<dispatch::DispatchRoute> routes;
  const core::RouteCatalog catalog = config.Catalog();
  for (const auto& rc : config.routes) {
    if (rc.provider.empty()) continue;
    dispatch::DispatchRoute route;
    route.name = rc.name;
    try {
      const dispatch::ProviderSettings settings{rc.name, rc.provider, rc.address, rc.api_base};
      route.provider = dispatch::MakeProvider(settings);
      route.deployments = dispatch::MakeDeploymentProvider(settings);
      if (rc.report_check) route.checks = dispatch::MakeCheckRunProvider(settings, rc.github_app_id);
    } catch (const dispatch::ProviderConfigError& e) {
      throw ConfigError(config.source + ": " + e.what());
    }
    route.deployment_specs = DeploymentSpecs(catalog, rc.name);
    route.cluster = rc.cluster;
    route.transport.ca_file = rc.ca_file;
    route.transport.client_cert_file = rc.client_cert_file;
    route.transport.client_key_file = rc.client_key_file;
    if (!rc.github_app_id.empty()) {
      // The App's calls get their own connection (the source serialises them), with the
      // route's TLS settings: on GHES the App's API is the same host as a rule.
      auto transport = std::make_shared<dispatch::CurlTransport>(route.transport);
      dispatch::GitHubAppSettings app{rc.github_app_id, rc.github_installation_id, rc.github_app_installation_owner,
                                      rc.github_private_key_file, rc.github_app_base_url};
      if (app.api_base_url.empty()) app.api_base_url = route.provider->Endpoint().api_base;
      try {
        route.tokens = std::make_shared<dispatch::GitHubAppTokenSource>(
            std::move(app), [transport](const dispatch::HttpCall& call) { return transport->Send(call); });
      } catch (const std::runtime_error& e) {  // the key file unreadable or no RSA key (config.cpp checked the rest)
        throw ConfigError(config.source + ": route '" + rc.name + "': " + e.what());
      }
    } else if (!rc.token_file.empty()) {
      route.tokens = std::make_shared<dispatch::FileTokenSource>(rc.token_file, rc.username);
    } else {
      route.tokens = std::make_shared<dispatch::EnvTokenSource>(rc.token_env, rc.username);
    }
    if (check_secrets && rc.github_app_id.empty()) {
      try {
        route.tokens->Get(static_cast<std::int64_t>(std::time(nullptr)));
      } catch (const std::exception& e) {
        throw ConfigError("route '" + rc.name + "': " + e.what());
      }
    }
    routes.push_back(std::move(route));
  }
  return routes;
}

core::RetryPolicy RetryPolicyOf(const Config& config) {
  core::RetryPolicy p;
  p.max_attempts = config.dispatch.max_attempts;
  p.initial_backoff = config.dispatch.initial_backoff;
  p.max_backoff = config.dispatch.max_backoff;
  return p;
}

}  // namespace fluxstatus::app
