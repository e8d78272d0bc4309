#include "app/deployment_config.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>
#include <variant>

#include "app/verb_suggestion.h"
#include "core/git_address.h"

namespace fluxstatus::app {
namespace {

const std::vector<std::string> kDeploymentKeys = {"environment", "contexts",   "environment_url",
                                                  "log_url",     "production", "transient"};
const std::vector<std::string> kEnvironmentPlaceholders = {"cluster", "route"};
const std::vector<std::string> kUrlPlaceholders = {"cluster", "route", "commit", "environment"};

// The `deployment` entry of the route's `report:` list (or the list itself), to point at.
YAML::Node DeploymentWord(const YAML::Node& route) {
  const YAML::Node report = route["report"];
  if (report.IsSequence()) {
    for (const auto& word : report) {
      if (word.IsScalar() && word.as<std::string>() == "deployment") return word;
    }
  }
  return report;
}

// Like ConfigReader::KnownKeys, with the nearest known key for a typo: the block is new, so
// a misspelt key is likelier than one from another version.
void RequireDeploymentKeys(const ConfigReader& r, const YAML::Node& block, const std::string& rw) {
  if (!block.IsMap()) {
    r.Fail(block, rw + ": deployment must be a mapping, e.g. deployment: {environment: \"{cluster}\"}");
  }
  for (const auto& kv : block) {
    if (!kv.first.IsScalar()) r.Fail(kv.first, "a key in " + rw + " deployment is not a name");
    const auto key = kv.first.as<std::string>();
    if (std::find(kDeploymentKeys.begin(), kDeploymentKeys.end(), key) != kDeploymentKeys.end()) continue;
    const auto near = NearestVerb(key, kDeploymentKeys);
    r.Fail(kv.first, "unknown key '" + key + "' in " + rw + " deployment" +
                         (near ? "; did you mean '" + *near + "'?"
                               : " (environment, contexts, environment_url, log_url, production, transient)"));
  }
}

// What the route's report and provider allow: a block only with `deployment` in report, and
// `deployment` only through a GitHub or GitLab provider.
void RequireDeploymentSink(const ConfigReader& r, const YAML::Node& route, const RouteConfig& rc,
                           bool reports_deployment, const std::string& rw) {
  const YAML::Node block = route["deployment"];
  if (!reports_deployment && block.IsDefined()) {
    r.Fail(block, rw + ": the deployment block is used only when report lists `deployment`; add `deployment` " +
                      "to report (e.g. report: [status, deployment]), or remove the block");
  }
  if (!reports_deployment) return;
  if (rc.provider.empty()) {
    r.Fail(DeploymentWord(route), rw + ": report lists `deployment` but the route has no provider, so nothing " +
                                      "would post it; set provider (github or gitlab), address and a token, or " +
                                      "remove `deployment` from report");
  }
  if (!PostsDeployments(rc.provider)) {
    r.Fail(DeploymentWord(route), "deployments are posted to GitHub and GitLab only; route '" + rc.name +
                                      "' uses provider '" + rc.provider + "': remove `deployment` from report");
  }
}

bool Flag(const ConfigReader& r, const YAML::Node& block, const char* key, const std::string& rw) {
  const YAML::Node n = block[key];
  if (!n.IsDefined() || n.IsNull()) return false;
  bool value = false;
  if (!n.IsScalar() || !YAML::convert<bool>::decode(n, value)) {
    r.Fail(n, rw + ": deployment." + key + " must be true or false");
  }
  return value;
}

// A template with only the placeholders `allowed`; ValidateDeploymentTemplate's words on a
// bad one.
std::string Template(const ConfigReader& r, const YAML::Node& block, const char* key, const std::string& fallback,
                     const std::vector<std::string>& allowed, const std::string& rw) {
  const std::string tmpl = r.String(block, key, fallback);
  if (auto problem = core::ValidateDeploymentTemplate(tmpl, allowed)) {
    r.Fail(block[key], rw + ": deployment." + key + " \"" + tmpl + "\": " + *problem);
  }
  return tmpl;
}

std::vector<std::string> Contexts(const ConfigReader& r, const YAML::Node& block, const std::string& rw) {
  const auto patterns = r.StringList(block, "contexts", rw + " deployment");
  if (!patterns) return core::kDefaultDeploymentContexts;
  // Nothing counted: the deployment would stay pending for ever, which looks like a stuck
  // cluster rather than a config mistake.
  if (patterns->empty()) {
    r.Fail(block["contexts"], rw + ": deployment.contexts is empty, so no context would make up the deployment's " +
                                  "state and it could never succeed; leave contexts out for [\"kustomization/*\", " +
                                  "\"helmrelease/*\"], or list globs such as \"kustomization/*\"");
  }
  for (std::size_t i = 0; i < patterns->size(); ++i) {
    if ((*patterns)[i].empty()) {
      r.Fail(block["contexts"][i], rw + ": deployment.contexts has an empty pattern, which matches no context; " +
                                       "remove it or write a glob such as \"kustomization/*\"");
    }
  }
  return *patterns;
}

// Why GitHub or GitLab would refuse `name` as an environment name; nullopt when neither would.
// One rule for both hosts, so a name that passes works on either and a route may move between them.
std::optional<std::string> EnvironmentNameProblem(const std::string& name) {
  if (name.empty()) return "is empty";
  if (name.size() > 255) return "is longer than 255 characters";
  if (name.front() == '/' || name.back() == '/') return "starts or ends with '/'";
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) return "has a character outside ASCII";
    if (!std::isalnum(u) && !std::strchr("-_/${}. ", c)) return std::string("has the character '") + c + "'";
  }
  return std::nullopt;
}

// `at`: where a bad name is reported when the block does not write the environment.
std::string ResolvedEnvironment(const ConfigReader& r, const YAML::Node& block, const YAML::Node& at,
                                const RouteConfig& rc, const std::string& rw) {
  const std::string tmpl = Template(r, block, "environment", std::string(core::DefaultEnvironmentTemplate(rc.cluster)),
                                    kEnvironmentPlaceholders, rw);
  const std::string environment = core::RenderDeploymentTemplate(tmpl, {rc.cluster, rc.name, "", ""});
  if (auto problem = EnvironmentNameProblem(environment)) {
    const bool no_cluster = environment.empty() && tmpl.find("{cluster}") != std::string::npos;
    r.Fail(block["environment"].IsDefined() ? block["environment"] : at,
           rw + ": deployment.environment \"" + tmpl + "\" resolves to '" + environment + "', which " + *problem +
               (no_cluster ? "; set the route's cluster, or write the environment's name"
                           : "; GitHub and GitLab take up to 255 letters, digits, spaces and - _ / $ { } ., "
                             "not starting or ending with '/'"));
  }
  return environment;
}

std::string Lowered(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// log_url, production and transient are fields of GitHub's deployments; GitLab has none of
// them, and a key that silently does nothing is worse than one refused.
void RequireGitHubOnlyKeysOnGitHub(const ConfigReader& r, const YAML::Node& block, const RouteConfig& rc,
                                   const std::string& rw) {
  if (rc.provider == "github") return;
  for (const char* key : {"log_url", "production", "transient"}) {
    if (!block[key].IsDefined()) continue;
    r.Fail(block[key], rw + ": deployment." + key + " is a GitHub deployment field; provider '" + rc.provider +
                           "' has no such thing: remove it (GitLab shows environment_url as the environment's link)");
  }
}

}  // namespace

bool PostsDeployments(const std::string& provider) { return provider == "github" || provider == "gitlab"; }

std::optional<core::DeploymentSpec> ParseRouteDeployment(const ConfigReader& r, const YAML::Node& route,
                                                         const RouteConfig& rc, bool reports_deployment,
                                                         const std::string& rw) {
  RequireDeploymentSink(r, route, rc, reports_deployment, rw);
  if (!reports_deployment) return std::nullopt;
  const YAML::Node written = route["deployment"];
  const bool has_block = written.IsDefined() && !written.IsNull();
  if (has_block) RequireDeploymentKeys(r, written, rw);
  const YAML::Node block = has_block ? written : YAML::Node(YAML::NodeType::Map);  // no block: every default
  core::DeploymentSpec spec;
  spec.environment = ResolvedEnvironment(r, block, has_block ? written : route, rc, rw);
  spec.contexts = Contexts(r, block, rw);
  spec.environment_url = Template(r, block, "environment_url", "", kUrlPlaceholders, rw);
  spec.log_url = Template(r, block, "log_url", "", kUrlPlaceholders, rw);
  spec.production = Flag(r, block, "production", rw);
  spec.transient = Flag(r, block, "transient", rw);
  RequireGitHubOnlyKeysOnGitHub(r, block, rc, rw);
  return spec;
}

std::string DeploymentHostKey(const RouteConfig& rc, const std::string& environment) {
  const auto parsed = core::ParseGitAddress(rc.address);
  const auto* address = std::get_if<core::GitAddress>(&parsed);
  const std::string repository = address ? address->host + "/" + address->path : rc.address;
  // GitHub's environment names are not case sensitive: "Production" and "production" are one.
  return rc.provider + " " + Lowered(repository) + " " + Lowered(environment);
}

void CheckDistinctDeployments(const ConfigReader& r, const YAML::Node& list, const std::vector<RouteConfig>& routes) {
  std::map<std::string, std::size_t> first;  // host key -> index of the first route posting to it
  for (std::size_t i = 0; i < routes.size(); ++i) {
    if (!routes[i].deployment) continue;
    const std::string& environment = routes[i].deployment->environment;
    const auto [found, inserted] = first.emplace(DeploymentHostKey(routes[i], environment), i);
    if (inserted) continue;
    const RouteConfig& earlier = routes[found->second];
    r.Fail(list[i], "route '" + routes[i].name + "' and route '" + earlier.name + "' (line " +
                        std::to_string(list[found->second].Mark().line + 1) + ") both deploy to environment '" +
                        environment + "' of " + routes[i].repo + ", which would be one deployment on the host; " +
                        "give each route its own `cluster`, or one of them another deployment.environment");
  }
}

}  // namespace fluxstatus::app
