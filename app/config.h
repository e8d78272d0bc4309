// fluxstatus.yaml: the service's configuration (contract "Configuration"). Every key is
// optional; an unknown key is an error naming the key and its line.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "app/kubernetes_config.h"
#include "core/deployment_spec.h"
#include "core/event_source_match.h"
#include "core/fleet_aggregate.h"
#include "core/route_catalog.h"
#include "store/database.h"

namespace fluxstatus::app {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RouteConfig {
  std::string name;
  std::string provider;  // empty: statuses are folded but never dispatched
  std::string address;
  std::string token_file, token_env, username;
  std::string hmac_key_file, hmac_key_env;
  std::string bearer_token_file, bearer_token_env;
  std::string cluster;
  std::string context;  // template; empty = "{kind}/{name}"
  std::string target_url;
  std::string ca_file;
  std::string client_cert_file, client_key_file;  // mutual TLS towards the host; both or neither
  std::string api_base;                           // GitLab/Gitea under a path prefix
  // A GitHub App instead of a token: the installation by id, or by the account it is installed on.
  std::string github_app_id, github_installation_id, github_app_installation_owner, github_private_key_file;
  std::string github_app_base_url;  // the App's API root when not the route's (GHES)
  std::vector<core::EventSourceMatch> match;
  bool report_status = true;                       // `report` lists status (the default, [status])
  std::optional<core::DeploymentSpec> deployment;  // `report` lists deployment: the block, resolved
  bool report_check = false;                       // `report` lists check (GitHub App routes only)
  std::string repo;                                // derived from address
};

struct DispatchConfig {
  int workers = 4;
  int max_attempts = 10;
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{600000};
};

// The ingest listener's limits against slow or greedy clients (`http:`).
struct HttpLimitsConfig {
  std::size_t max_connections = 1024;
  std::size_t max_header_bytes = 64 * 1024;
  std::chrono::milliseconds header_timeout{10000};
  std::chrono::milliseconds body_timeout{30000};
  std::chrono::milliseconds idle_timeout{60000};
};

// What the probes call stuck (`health:`): see docs/troubleshooting.md, "Probes".
struct HealthConfig {
  // /healthz and /readyz fail once the writer has had work but no successful commit, or the
  // dispatcher due work but no attempt, for this long: Kubernetes then restarts the pod.
  std::chrono::milliseconds stall_after{30000};
};

struct Config {
  std::string listen = "127.0.0.1:9595";
  std::string database = "fluxstatus.db";
  store::Durability durability = store::Durability::kFull;
  std::size_t max_body_bytes = 3 * 1024 * 1024;  // notification-controller's own body limit
  std::vector<RouteConfig> routes;
  // `aggregates:`, checked against routes: each posts fleet/<name> through its route.
  std::vector<core::FleetAggregate> aggregates;
  DispatchConfig dispatch;
  HttpLimitsConfig http;
  HealthConfig health;
  KubernetesConfig kubernetes;  // the resync from the cluster
  std::string source;           // the file it came from, or "embedded defaults"

  core::RouteCatalog Catalog() const;
  // Every secret file the routes name (token, HMAC key, bearer token, GitHub App key files).
  std::vector<std::string> SecretFiles() const;
};

inline constexpr const char* kDefaultConfigPath = "fluxstatus.yaml";
inline constexpr const char* kProviderKinds[] = {"github",    "gitlab",          "gitea",
                                                 "bitbucket", "bitbucketserver", "azuredevops"};

// Loads path. When path is the default and the file does not exist, returns the embedded
// defaults; an explicitly named missing file is an error. Relative paths in the file (database,
// token and key files, TLS files) are resolved against the file's folder. Throws ConfigError.
Config LoadConfig(const std::string& path, bool explicitly_named);

// Parses YAML text (source names it in messages); relative paths in it are made absolute
// against base_dir (empty: the current directory). Throws ConfigError.
Config ParseConfig(const std::string& yaml_text, const std::string& source, const std::string& base_dir = "");

}  // namespace fluxstatus::app
