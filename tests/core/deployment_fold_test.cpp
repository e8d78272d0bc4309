// Deployments as a sink (core/deployment_fold.h, core/deployment_spec.h): which row a route's
// statuses and an aggregate's state yield, what it says, and the templates and refs that
// dispatch sends.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "core/deployment_fold.h"
#include "core/deployment_spec.h"
#include "tests/core/test_support.h"

namespace core = fluxstatus::core;
using core::StatusState;
using core::testing::Put;

namespace {

constexpr const char* kSha = "0123456789abcdef0123456789abcdef01234567";
constexpr const char* kOtherSha = "fedcba9876543210fedcba9876543210fedcba98";

core::RouteProfile ProdEu() {
  core::RouteProfile r;
  r.name = "prod-eu";
  r.repo = "acme/app";
  r.cluster = "prod-eu";
  r.has_provider = true;
  core::DeploymentSpec spec;
  spec.environment = "prod-eu";
  spec.contexts = {"kustomization/*"};
  r.deployment = spec;
  return r;
}

core::FleetAggregate Production(bool deploys) {
  core::FleetAggregate a;
  a.name = "production";
  a.route = "prod-eu";
  a.repo = "acme/app";
  a.members = {"prod-eu"};
  a.contexts = {"kustomization/*"};
  a.report_deployment = deploys;
  return a;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(deployment_fold)

BOOST_AUTO_TEST_CASE(no_counted_status_yields_no_deployment) {
  core::KeyStates keys;
  Put(keys, "prod-eu", kSha, "gitrepository/flux-system", StatusState::kSuccess, "stored artifact", 1);
  BOOST_TEST(core::FoldDeployments(core::RouteCatalog({ProdEu()}), keys, {}).empty());
}

BOOST_AUTO_TEST_CASE(one_row_per_commit_with_the_environment_as_context_and_the_newest_counted_event) {
  core::KeyStates keys;
  Put(keys, "prod-eu", kSha, "kustomization/apps", StatusState::kSuccess, "applied", 3);
  Put(keys, "prod-eu", kSha, "kustomization/infra", StatusState::kPending, "progressing", 2);
  Put(keys, "prod-eu", kSha, "gitrepository/flux-system", StatusState::kSuccess, "stored", 9);  // not counted
  Put(keys, "prod-eu", kOtherSha, "kustomization/apps", StatusState::kSuccess, "applied", 5);
  const auto rows = core::FoldDeployments(core::RouteCatalog({ProdEu()}), keys, {});
  BOOST_TEST_REQUIRE(rows.size() == 2u);
  const auto& first = rows[0].key.commit_sha == kSha ? rows[0] : rows[1];
  BOOST_TEST(first.key.route == "prod-eu");
  BOOST_TEST(first.key.repo == "acme/app");
  BOOST_TEST(first.key.context == "deployment/prod-eu");
  BOOST_TEST(core::EnvironmentOfContext(first.key.context) == "prod-eu");
  BOOST_TEST((first.fold.state == StatusState::kPending));
  BOOST_TEST(first.fold.description == "1/2 ready");
  BOOST_TEST(first.fold.event_id == 3);
}

BOOST_AUTO_TEST_CASE(all_counted_success_is_success_and_a_failure_names_its_context) {
  core::KeyStates keys;
  Put(keys, "prod-eu", kSha, "kustomization/apps", StatusState::kSuccess, "applied", 1);
  Put(keys, "prod-eu", kSha, "kustomization/infra", StatusState::kSuccess, "applied", 2);
  auto rows = core::FoldDeployments(core::RouteCatalog({ProdEu()}), keys, {});
  BOOST_TEST_REQUIRE(rows.size() == 1u);
  BOOST_TEST((rows[0].fold.state == StatusState::kSuccess));
  BOOST_TEST(rows[0].fold.description == "2/2 ready");

  Put(keys, "prod-eu", kSha, "kustomization/infra", StatusState::kError, "health check failed: timeout", 4);
  rows = core::FoldDeployments(core::RouteCatalog({ProdEu()}), keys, {});
  BOOST_TEST_REQUIRE(rows.size() == 1u);
  BOOST_TEST((rows[0].fold.state == StatusState::kFailure));  // GitHub and GitLab have no "error" to keep
  BOOST_TEST(rows[0].fold.description == "1/2 ready; kustomization/infra: health check failed: timeout");
}

BOOST_AUTO_TEST_CASE(the_description_fits_githubs_140_characters) {
  core::KeyStates keys;
  Put(keys, "prod-eu", kSha, "kustomization/apps", StatusState::kFailure, std::string(300, 'x'), 1);
  const auto rows = core::FoldDeployments(core::RouteCatalog({ProdEu()}), keys, {});
  BOOST_TEST_REQUIRE(rows.size() == 1u);
  BOOST_TEST(rows[0].fold.description.rfind("0/1 ready; kustomization/apps: xxx", 0) == 0u);
  BOOST_TEST(rows[0].fold.description.size() == 139u + std::string("…").size());
}

BOOST_AUTO_TEST_CASE(a_route_without_a_deployment_block_yields_none) {
  auto route = ProdEu();
  route.deployment.reset();
  core::KeyStates keys;
  Put(keys, "prod-eu", kSha, "kustomization/apps", StatusState::kSuccess, "applied", 1);
  BOOST_TEST(core::FoldDeployments(core::RouteCatalog({route}), keys, {}).empty());
}

BOOST_AUTO_TEST_CASE(an_aggregate_reporting_a_deployment_deploys_to_its_name_with_its_words) {
  core::KeyStates keys;
  Put(keys, "prod-eu", kSha, "kustomization/apps", StatusState::kSuccess, "applied", 1);
  auto route = ProdEu();
  route.deployment.reset();
  const core::RouteCatalog catalog({route}, {Production(true)});
  const auto aggregates = core::FoldAggregates(catalog.aggregates(), keys);
  const auto rows = core::FoldDeployments(catalog, keys, aggregates);
  BOOST_TEST_REQUIRE(rows.size() == 1u);
  BOOST_TEST(rows[0].key.context == "deployment/production");
  BOOST_TEST((rows[0].fold.state == StatusState::kSuccess));
  BOOST_TEST(rows[0].fold.description == aggregates[0].fold.description);

  const core::RouteCatalog silent({route}, {Production(false)});
  BOOST_TEST(core::FoldDeployments(silent, keys, core::FoldAggregates(silent.aggregates(), keys)).empty());
  const auto spec = catalog.DeploymentFor("prod-eu", "production");
  BOOST_TEST_REQUIRE(spec.has_value());
  BOOST_TEST(spec->environment == "production");
  BOOST_TEST(!catalog.DeploymentFor("prod-eu", "staging").has_value());
}

BOOST_AUTO_TEST_CASE(templates_name_their_placeholders_and_render_them) {
  BOOST_TEST(!core::ValidateDeploymentTemplate("{cluster}-{route}", {"cluster", "route"}).has_value());
  BOOST_TEST(core::ValidateDeploymentTemplate("{kind}", {"cluster", "route"}).value() ==
             "unknown placeholder {kind}; use {cluster}, {route}");
  BOOST_TEST(core::ValidateDeploymentTemplate("https://x/{commit", {"commit"}).value() == "unclosed { at position 11");
  BOOST_TEST(core::RenderDeploymentTemplate("https://grafana/{environment}?sha={commit}&c={cluster}",
                                            {"eu", "prod-eu", "abc", "prod"}) == "https://grafana/prod?sha=abc&c=eu");
  BOOST_TEST(core::DefaultEnvironmentTemplate("") == "{route}");
  BOOST_TEST(core::DefaultEnvironmentTemplate("prod-eu") == "{cluster}");
}

BOOST_AUTO_TEST_CASE(gitlabs_ref_is_the_branch_of_the_revision_else_none) {
  BOOST_TEST(core::BranchOfRevision("main@sha1:0123456789abcdef0123456789abcdef01234567").value() == "main");
  BOOST_TEST(core::BranchOfRevision("refs/heads/release/1.2@sha1:0123").value() == "release/1.2");
  BOOST_TEST(!core::BranchOfRevision("refs/tags/v1.0.0@sha1:0123").has_value());
  BOOST_TEST(!core::BranchOfRevision("sha1:0123456789abcdef").has_value());
  BOOST_TEST(!core::BranchOfRevision("0123456789abcdef0123456789abcdef01234567").has_value());
  BOOST_TEST(!core::BranchOfRevision("refs/pull/4/head@sha1:0123").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
