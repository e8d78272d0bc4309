// The soak's routes and fluxstatus.yaml: a GitHub App route that also posts deployments, check
// runs and an aggregate over both routes, and takes resync's statuses (`match`); a Gitea route
// signed like generic-hmac, whose `cluster` is appended to its contexts.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "tests/soak/soak_checks.h"
#include "tests/support/fake_git_host.h"

namespace fluxstatus::soak {

inline constexpr const char* kToken = "soak-t0ken";
inline constexpr const char* kHmacKey = "soak-hmac-key";
inline const AggregateUnderTest kAggregate{"everywhere", "github", "kustomization/"};

std::vector<RouteUnderTest> Routes();

// Writes the secret files into `dir` and returns the YAML; `kubernetes` is the config's
// `kubernetes:` block (ResyncCluster::KubernetesYaml).
std::string Config(const std::filesystem::path& dir, testing::FakeGitHost& host,
                   const std::vector<RouteUnderTest>& routes, const std::string& kubernetes);

}  // namespace fluxstatus::soak
