#include "app/config.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "app/aggregate_config.h"
#include "app/config_reader.h"
#include "app/deployment_config.h"
#include "core/git_address.h"
#include "core/status_template.h"
#include "dispatch/token_source.h"

namespace fluxstatus::app {
namespace {

// ca_file, client_cert_file, client_key_file: TLS towards the host.
void ParseTls(const ConfigReader& r, const YAML::Node& n, const std::string& rw, RouteConfig& rc) {
  rc.ca_file = r.Path(n, "ca_file");
  rc.client_cert_file = r.Path(n, "client_cert_file");
  rc.client_key_file = r.Path(n, "client_key_file");
  if (rc.client_cert_file.empty() != rc.client_key_file.empty()) {
    r.Fail(n, rw + ": mutual TLS needs both client_cert_file and client_key_file");
  }
  // Found now rather than at the first status sent (the key file's content is never shown).
  for (auto [key, file] : {std::pair{"ca_file", &rc.ca_file}, std::pair{"client_cert_file", &rc.client_cert_file},
                           std::pair{"client_key_file", &rc.client_key_file}}) {
    if (!file->empty() && !std::ifstream(*file, std::ios::binary)) {
      r.Fail(n[key], rw + ": " + key + " " + *file + " cannot be read");
    }
  }
}

// The GitHub App keys, as Flux's github provider takes them: the app id, the private key and
// exactly one of the installation id and the installation owner; the App's API root for GHES
// optionally. Returns whether the route uses an App.
// Check runs exist on GitHub only, and GitHub lets only Apps create them: a token route would
// get 403 "You must authenticate via a GitHub App" on every run, so refuse it here.
void RequireCheckRunAuth(const ConfigReader& r, const YAML::Node& n, const std::string& rw, const RouteConfig& rc,
                         bool app_auth) {
  if (rc.provider != "github") {
    r.Fail(n["report"], rw + ": report lists `check`, but check runs are a GitHub feature and the route uses " +
                            (rc.provider.empty() ? std::string("no provider") : "provider '" + rc.provider + "'") +
                            ": remove `check` from report");
  }
  if (!app_auth) {
    r.Fail(n["report"], rw + ": report lists `check`, but only a GitHub App can create check runs (GitHub " +
                            "refuses personal and OAuth tokens); set github_app_id, github_private_key_file and " +
                            "github_installation_id (docs/check-runs.md), or remove `check` from report");
  }
}

bool ParseGitHubApp(const ConfigReader& r, const YAML::Node& n, const std::string& rw, RouteConfig& rc) {
  rc.github_app_id = r.String(n, "github_app_id", "");
  rc.github_installation_id = r.String(n, "github_installation_id", "");
  rc.github_app_installation_owner = r.String(n, "github_app_installation_owner", "");
  rc.github_private_key_file = r.Path(n, "github_private_key_file");
  rc.github_app_base_url = r.String(n, "github_app_base_url", "");
  const bool by_id = !rc.github_installation_id.empty(), by_owner = !rc.github_app_installation_owner.empty();
  if (rc.github_app_id.empty() && !by_id && !by_owner && rc.github_private_key_file.empty() &&
      rc.github_app_base_url.empty()) {
    return false;
  }
  if (rc.provider != "github") r.Fail(n, rw + ": GitHub App credentials need provider: github");
  if (rc.github_app_id.empty() || rc.github_private_key_file.empty() || by_id == by_owner) {
    r.Fail(n, rw + ": a GitHub App needs github_app_id, github_private_key_file and exactly one of " +
                  "github_installation_id and github_app_installation_owner" +
                  (by_id && by_owner ? " (both are set)" : ""));
  }
  if (by_id && rc.github_installation_id.find_first_not_of("0123456789") != std::string::npos) {
    r.Fail(n["github_installation_id"], rw + ": github_installation_id '" + rc.github_installation_id +
                                            "' is not a number (the id in the App installation's settings URL)");
  }
  if (by_owner && !dispatch::IsGitHubAccountName(rc.github_app_installation_owner)) {
    r.Fail(n["github_app_installation_owner"],
           rw + ": github_app_installation_owner '" + rc.github_app_installation_owner +
               "' is not a GitHub organization or user name (letters, digits, '-', '_')");
  }
  const std::string& base = rc.github_app_base_url;
  const bool http_url = base.rfind("https://", 0) == 0 || base.rfind("http://", 0) == 0;
  if (!base.empty() && (!http_url || base.find_first_of("?# \t") != std::string::npos ||
                        base.find_first_not_of('/', base.find("//") + 2) == std::string::npos)) {
    r.Fail(n["github_app_base_url"],
           rw + ": github_app_base_url '" + base + "' is not an http(s) URL such as https://ghes.example.com/api/v3");
  }
  return true;
}

// Every key a route may have (a typo is refused, naming the key).
constexpr std::initializer_list<const char*> kRouteKeys = {"name",
                                                           "provider",
                                                           "address",
                                                           "token_file",
                                                           "token_env",
                                                           "username",
                                                           "hmac_key_file",
                                                           "hmac_key_env",
                                                           "bearer_token_file",
                                                           "bearer_token_env",
                                                           "cluster",
                                                           "context",
                                                           "target_url",
                                                           "ca_file",
                                                           "client_cert_file",
                                                           "client_key_file",
                                                           "api_base",
                                                           "match",
                                                           "github_app_id",
                                                           "github_installation_id",
                                                           "github_app_installation_owner",
                                                           "github_private_key_file",
                                                           "github_app_base_url",
                                                           "report",
                                                           "deployment"};

RouteConfig ParseRoute(const ConfigReader& r, const YAML::Node& n, size_t index) {
  const std::string where = "routes[" + std::to_string(index) + "]";
  r.KnownKeys(n, where, kRouteKeys);
  RouteConfig rc;
  rc.name = r.String(n, "name", "");
  if (rc.name.empty()) r.Fail(n, where + ".name is required");
  if (rc.name.find_first_of("/?# ") != std::string::npos) {
    r.Fail(n["name"], "route name '" + rc.name + "' may not contain '/', '?', '#' or spaces");
  }
  const std::string rw = "route '" + rc.name + "'";
  rc.provider = r.String(n, "provider", "");
  if (!rc.provider.empty() && std::find_if(std::begin(kProviderKinds), std::end(kProviderKinds), [&](const char* k) {
                                return rc.provider == k;
                              }) == std::end(kProviderKinds)) {
    r.Fail(n["provider"], rw + ": unknown provider '" + rc.provider +
                              "' (github, gitlab, gitea, bitbucket, bitbucketserver, azuredevops)");
  }
  rc.address = r.String(n, "address", "");
  if (!rc.provider.empty() && rc.address.empty()) r.Fail(n, rw + ": provider needs an address");
  if (!rc.address.empty()) {
    auto parsed = core::ParseGitAddress(rc.address);
    if (auto* err = std::get_if<core::AddressError>(&parsed)) r.Fail(n["address"], rw + ": " + err->message);
    rc.repo = std::get<core::GitAddress>(parsed).path;
  }
  rc.token_file = r.Path(n, "token_file");
  rc.token_env = r.String(n, "token_env", "");
  rc.username = r.String(n, "username", "");
  rc.hmac_key_file = r.Path(n, "hmac_key_file");
  rc.hmac_key_env = r.String(n, "hmac_key_env", "");
  rc.bearer_token_file = r.Path(n, "bearer_token_file");
  rc.bearer_token_env = r.String(n, "bearer_token_env", "");
  if ((!rc.hmac_key_file.empty() || !rc.hmac_key_env.empty()) &&
      (!rc.bearer_token_file.empty() || !rc.bearer_token_env.empty())) {
    r.Fail(n, rw + ": choose one of hmac_key_* and bearer_token_*");
  }
  rc.cluster = r.String(n, "cluster", "");
  rc.context = r.String(n, "context", "");
  rc.target_url = r.String(n, "target_url", "");
  ParseTls(r, n, rw, rc);
  const RouteReports report = ParseRouteReport(r, n, rw);
  rc.report_status = report.status;
  rc.deployment = ParseRouteDeployment(r, n, rc, report.deployment, rw);
  rc.api_base = r.String(n, "api_base", "");
  const bool app_auth = ParseGitHubApp(r, n, rw, rc);
  if (!rc.provider.empty() && !app_auth && rc.token_file.empty() && rc.token_env.empty()) {
    r.Fail(n, rw + ": provider " + rc.provider + " needs token_file or token_env" +
                  (rc.provider == "github" ? " (or a GitHub App)" : ""));
  }
  rc.report_check = report.check;
  if (rc.report_check) RequireCheckRunAuth(r, n, rw, rc, app_auth);
  for (auto [key, tmpl] : {std::pair{"context", &rc.context}, std::pair{"target_url", &rc.target_url}}) {
    if (auto problem = core::ValidateTemplate(*tmpl)) r.Fail(n[key], rw + ": " + key + ": " + *problem);
  }
  if (const YAML::Node m = n["match"]; m.IsDefined() && !m.IsNull()) {
    if (!m.IsSequence()) r.Fail(m, rw + ": match must be a list");
    for (size_t i = 0; i < m.size(); ++i) {
      r.KnownKeys(m[i], rw + " match[" + std::to_string(i) + "]", {"kind", "name", "namespace"});
      core::EventSourceMatch em;
      em.kind = r.String(m[i], "kind", "*");
      em.name = r.String(m[i], "name", "*");
      em.namespace_ = r.String(m[i], "namespace", "*");
      rc.match.push_back(em);
    }
  }
  return rc;
}

}  // namespace

core::RouteCatalog Config::Catalog() const {
  if (routes.empty()) return core::RouteCatalog();
  std::vector<core::RouteProfile> profiles;
  for (const auto& rc : routes) {
    core::RouteProfile p;
    p.name = rc.name;
    p.repo = rc.repo;
    if (!rc.context.empty()) p.context_template = rc.context;
    p.cluster = rc.cluster;
    p.target_url_template = rc.target_url;
    p.has_provider = !rc.provider.empty();
    p.report_status = rc.report_status;
    p.deployment = rc.deployment;
    p.report_check = rc.report_check;
    profiles.push_back(std::move(p));
  }
  return core::RouteCatalog(profiles, aggregates);  // each one's repo is its route's (ParseAggregates)
}

std::vector<std::string> Config::SecretFiles() const {
  std::vector<std::string> files;
  for (const auto& rc : routes) {
    for (const std::string* f :
         {&rc.token_file, &rc.hmac_key_file, &rc.bearer_token_file, &rc.github_private_key_file, &rc.client_key_file}) {
      if (!f->empty()) files.push_back(*f);
    }
  }
  return files;
}

Config ParseConfig(const std::string& text, const std::string& source, const std::string& base_dir) {
  ConfigReader r(source, text, std::filesystem::absolute(base_dir.empty() ? "." : base_dir));
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw ConfigError(source + ":" + std::to_string(e.mark.line + 1) + ": invalid YAML: " + e.msg);
  }
  Config c;
  c.source = source;
  if (!root.IsDefined() || root.IsNull()) return c;
  r.KnownKeys(root, "the top level",
              {"listen", "database", "durability", "max_body_bytes", "routes", "aggregates", "dispatch", "http",
               "health", "kubernetes"});
  c.listen = r.String(root, "listen", c.listen);
  // The default (no `database` key) stays in the current directory: a config folder such as a
  // mounted ConfigMap is often read-only.
  c.database = root["database"].IsDefined() ? r.Path(root, "database", c.database) : c.database;
  const std::string durability = r.String(root, "durability", "full");
  if (durability == "full")
    c.durability = store::Durability::kFull;
  else if (durability == "normal")
    c.durability = store::Durability::kNormal;
  else
    r.Fail(root["durability"], "durability must be full or normal, not '" + durability + "'");
  c.max_body_bytes = static_cast<size_t>(r.Integer(root, "max_body_bytes", c.max_body_bytes, 1024, 64LL << 20));
  if (const YAML::Node routes = root["routes"]; routes.IsDefined() && !routes.IsNull()) {
    if (!routes.IsSequence()) r.Fail(routes, "routes must be a list");
    std::set<std::string> names;
    for (size_t i = 0; i < routes.size(); ++i) {
      RouteConfig rc = ParseRoute(r, routes[i], i);
      if (!names.insert(rc.name).second) r.Fail(routes[i], "route '" + rc.name + "' is defined twice");
      c.routes.push_back(std::move(rc));
    }
    CheckDistinctDeployments(r, routes, c.routes);
  }
  c.aggregates = ParseAggregates(r, root["aggregates"], c.routes);
  if (const YAML::Node d = root["dispatch"]; d.IsDefined() && !d.IsNull()) {
    r.KnownKeys(d, "dispatch", {"workers", "max_attempts", "initial_backoff", "max_backoff"});
    c.dispatch.workers = static_cast<int>(r.Integer(d, "workers", 4, 1, 64));
    c.dispatch.max_attempts = static_cast<int>(r.Integer(d, "max_attempts", 10, 1, 1000));
    c.dispatch.initial_backoff = r.Duration(d, "initial_backoff", c.dispatch.initial_backoff);
    c.dispatch.max_backoff = r.Duration(d, "max_backoff", c.dispatch.max_backoff);
    if (c.dispatch.initial_backoff > c.dispatch.max_backoff) {
      r.Fail(d, "dispatch: initial_backoff (" + r.String(d, "initial_backoff", "1s") +
                    ") is longer than max_backoff (" + r.String(d, "max_backoff", "10m") +
                    "); make initial_backoff the shorter one");
    }
  }
  if (const YAML::Node h = root["http"]; h.IsDefined() && !h.IsNull()) {
    r.KnownKeys(h, "http", {"max_connections", "max_header_bytes", "header_timeout", "body_timeout", "idle_timeout"});
    c.http.max_connections = static_cast<size_t>(r.Integer(h, "max_connections", 1024, 1, 1000000));
    c.http.max_header_bytes = static_cast<size_t>(r.Integer(h, "max_header_bytes", 64 * 1024, 1024, 1 << 20));
    for (auto [key, value] :
         {std::pair{"header_timeout", &c.http.header_timeout}, std::pair{"body_timeout", &c.http.body_timeout},
          std::pair{"idle_timeout", &c.http.idle_timeout}}) {
      *value = r.Duration(h, key, *value);
      if (value->count() <= 0) r.Fail(h[key], std::string(key) + " must be longer than 0");
    }
  }
  if (const YAML::Node h = root["health"]; h.IsDefined() && !h.IsNull()) {
    r.KnownKeys(h, "health", {"stall_after"});
    c.health.stall_after = r.Duration(h, "stall_after", c.health.stall_after);
    if (c.health.stall_after < std::chrono::seconds(1)) r.Fail(h["stall_after"], "stall_after must be at least 1s");
  }
  c.kubernetes = ParseKubernetes(r, root["kubernetes"]);
  return c;
}

Config LoadConfig(const std::string& path, bool explicitly_named) {
  const std::filesystem::path absolute = std::filesystem::absolute(path);
  std::error_code ec;
  if (!explicitly_named && !std::filesystem::exists(path, ec)) {
    Config c;
    c.source = "embedded defaults";
    return c;
  }
  // An ifstream opens a directory without complaint and reads nothing from it.
  if (std::filesystem::is_directory(path, ec)) {
    throw ConfigError("config file " + absolute.string() + " is a directory; give the YAML file in it (--config)");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ConfigError("cannot read config file " + absolute.string() + ": " + std::strerror(errno) +
                      " (--config, or the environment variable FLUXSTATUS_CONFIG)");
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseConfig(ss.str(), path, absolute.parent_path().string());
}

}  // namespace fluxstatus::app
