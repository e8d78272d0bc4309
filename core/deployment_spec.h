// A route's `deployment:` block (issue 15): which environment its deployments go to, which of
// its contexts make up their state, and the links and flags they carry. Pure: the
// configuration checks and resolves it, dispatch renders the URL templates per commit.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fluxstatus::core {

// What a deployment's state is made of when `contexts` is not set: the objects that apply a
// commit to the cluster (a GitRepository's status says it was fetched, not deployed).
inline const std::vector<std::string> kDefaultDeploymentContexts{"kustomization/*", "helmrelease/*"};

struct DeploymentSpec {
  std::string environment;  // resolved: the template with {cluster} and {route} filled in
  std::vector<std::string> contexts = kDefaultDeploymentContexts;  // globs, as aggregates'
  std::string environment_url;  // template ({commit} {environment} {cluster} {route}); "" = none
  std::string log_url;          // same placeholders
  bool production = false;      // GitHub production_environment
  bool transient = false;       // GitHub transient_environment
  friend bool operator==(const DeploymentSpec&, const DeploymentSpec&) = default;
};

// The values a deployment template may name.
struct DeploymentPlaceholders {
  std::string_view cluster, route, commit, environment;
};

// nullopt when `tmpl` is usable with the placeholders `allowed` names (a subset of
// "cluster", "route", "commit", "environment"); otherwise what is wrong ("unknown placeholder
// {kind}; use {cluster}, {route}", "unclosed {").
std::optional<std::string> ValidateDeploymentTemplate(std::string_view tmpl, const std::vector<std::string>& allowed);

// Fills in a template ValidateDeploymentTemplate accepted.
std::string RenderDeploymentTemplate(std::string_view tmpl, const DeploymentPlaceholders& values);

// The environment template when the route sets none: {cluster} when it has a cluster, else
// {route}.
std::string_view DefaultEnvironmentTemplate(std::string_view cluster);

// GitLab's `ref` for a deployment: the ref name of a Flux revision ("main@sha1:…" or
// "refs/heads/main@sha1:…" → "main"); nullopt for "refs/tags/…", a bare SHA or anything else,
// where the caller sends the SHA itself. Flux writes a tag as "v1.2.3@sha1:…", which cannot be
// told from a branch: it is sent as the ref with `tag: false`, which GitLab resolves all the same.
std::optional<std::string> BranchOfRevision(std::string_view revision);

}  // namespace fluxstatus::core
