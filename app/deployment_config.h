// A route's `deployment:` block in fluxstatus.yaml (issue 15), checked and resolved when the file
// is loaded: a name GitHub or GitLab would refuse, a provider without deployments, or two
// routes sharing one host deployment fail at `check-config`, not at the first post.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "app/config.h"
#include "app/config_reader.h"
#include "core/deployment_spec.h"

namespace fluxstatus::app {

// Whether fluxstatus posts deployments to this provider's hosts (GitHub deployments, GitLab
// environments); the other hosts have no such API.
bool PostsDeployments(const std::string& provider);

// The route's deployment, its environment resolved from the template with the route's
// cluster and name, its URL templates kept for dispatch to render per commit; nullopt when
// `reports_deployment` is false. Refuses a block the report does not use, a route whose
// provider cannot post deployments, unknown keys, bad templates and environment names GitHub
// or GitLab would refuse. `rw` ("route 'prod-eu'") starts each message.
// REQUIRES: rc.name, rc.provider and rc.cluster are parsed. Throws ConfigError.
std::optional<core::DeploymentSpec> ParseRouteDeployment(const ConfigReader& r, const YAML::Node& route,
                                                         const RouteConfig& rc, bool reports_deployment,
                                                         const std::string& rw);

// The host object a deployment to `environment` posted through `rc` is: the repository on its
// host (case-insensitive, as the hosts compare them) and the environment. Equal keys are one
// deployment on the host.
std::string DeploymentHostKey(const RouteConfig& rc, const std::string& environment);

// Refuses two routes whose deployments would be one host object (the same repository and
// resolved environment), naming both. `list` is the `routes:` node `routes` was parsed from.
void CheckDistinctDeployments(const ConfigReader& r, const YAML::Node& list, const std::vector<RouteConfig>& routes);

}  // namespace fluxstatus::app
