#include "app/dispatch_wiring.h"

#include <ctime>

namespace fluxstatus::app {

std::vector<dispatch::DispatchRoute> BuildDispatchRoutes(const Config& config, bool check_secrets) {
  std::vector<dispatch::DispatchRoute> routes;
  for (const auto& rc : config.routes) {
    if (rc.provider.empty()) continue;
    dispatch::DispatchRoute route;
    route.name = rc.name;
    try {
      route.provider = dispatch::MakeProvider({rc.name, rc.provider, rc.address, rc.api_base});
    } catch (const dispatch::ProviderConfigError& e) {
      throw ConfigError(config.source + ": " + e.what());
    }
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
