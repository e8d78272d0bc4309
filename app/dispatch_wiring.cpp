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
      // The App's token calls get their own connection (the source serialises them).
      auto transport = std::make_shared<dispatch::CurlTransport>(route.transport);
      route.tokens = std::make_shared<dispatch::GitHubAppTokenSource>(
          rc.github_app_id, rc.github_installation_id, rc.github_private_key_file,
          route.provider->Endpoint().api_base,
          [transport](const dispatch::HttpCall& call) { return transport->Send(call); });
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
