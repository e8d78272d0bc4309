#include "app/service_setup.h"

#include <charconv>

#include "app/dispatch_wiring.h"
#include "app/resync_setup.h"
#include "dispatch/http_transport.h"
#include "ingest/secret.h"

namespace fluxstatus::app {
namespace {

// Secrets come from files or the environment and go only into memory, never to logs.
std::optional<std::string> LoadSecret(const Config& config, const RouteConfig& rc, const std::string& file,
                                      const std::string& env, bool trim, const std::string& key, const char* what) {
  const std::string where = config.source + ": route '" + rc.name + "': ";
  std::optional<std::string> value;
  if (!file.empty()) {
    try {
      value = ingest::ReadSecretFile(file, trim);
    } catch (const ingest::SecretFileError& e) {
      throw ConfigError(where + key + "_file " + e.path + " cannot be read: " + e.reason);  // never the secret
    }
  } else if (!env.empty()) {
    value = ingest::ReadSecretEnv(env, trim);
    if (!value) throw ConfigError(where + key + "_env: environment variable " + env + " (" + what + ") is not set");
  }
  if (value && value->empty()) {
    throw ConfigError(where + "the " + std::string(what) + " (" + (file.empty() ? env : file) + ") is empty");
  }
  return value;
}

}  // namespace

ListenAddress ParseListen(const std::string& listen, const std::string& what) {
  const std::string fix = "; write host:port, e.g. 127.0.0.1:9595, or 0.0.0.0:9595 in a pod";
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) throw ConfigError(what + " '" + listen + "' is not host:port" + fix);
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string port_text = listen.substr(colon + 1);
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc{} || end != port_text.data() + port_text.size() || port > 65535) {
    throw ConfigError(what + " '" + listen + "' has no valid port (0 to 65535)" + fix);
  }
  return {host.empty() ? "0.0.0.0" : host, static_cast<std::uint16_t>(port)};
}

ServiceSetup PrepareService(const Config& config, const std::string& listen_override) {
  ServiceSetup setup;
  setup.ingest.max_body_bytes = config.max_body_bytes;
  for (const auto& rc : config.routes) {
    ingest::IngestRoute route;
    route.name = rc.name;
    route.hmac_key = LoadSecret(config, rc, rc.hmac_key_file, rc.hmac_key_env, false, "hmac_key", "HMAC key");
    route.bearer_token =
        LoadSecret(config, rc, rc.bearer_token_file, rc.bearer_token_env, true, "bearer_token", "bearer token");
    route.match = rc.match;
    setup.ingest.routes.push_back(std::move(route));
  }
  setup.listen = listen_override.empty() ? ParseListen(config.listen, config.source + ": listen")
                                         : ParseListen(listen_override, "--listen");
  // A kubeconfig the config names must be usable, as a ca_file must be readable: refused here
  // rather than by every resync later (exec plugins, an unknown context, a missing file).
  if (!config.kubernetes.kubeconfig.empty()) {
    try {
      ChooseClusterAccess(config.kubernetes);
    } catch (const ingest::ClusterAccessError& e) {
      throw ConfigError(config.source + ": kubernetes: " + e.what());
    }
  }
  dispatch::InitCurlGlobal();  // before the first transport, and before any thread starts
  setup.dispatch_routes = BuildDispatchRoutes(config, true);
  return setup;
}

}  // namespace fluxstatus::app
