// `fluxstatus check-config` on deployments, through the real binary: a route deploying through a
// host without deployments, or two routes sharing one environment of a repository, exit 2 with
// the message naming the route(s), the problem, the fix and the line; the fixed file lists each
// route's deployment (environment, contexts) and each aggregate's.
#include <boost/test/unit_test.hpp>

#include <string>

#include "tests/app/cli_fixture.h"

using namespace fluxstatus::app::testing;

namespace {

// One route per cluster on acme/app, each deploying to `environment` (lines 2-3, 4-5), then
// `rest`.
std::string ClusterConfig(const std::string& environment, const std::string& rest = "") {
  std::string yaml = "routes:\n";
  for (const char* cluster : {"prod-eu", "prod-us"}) {
    yaml += std::string("  - {name: ") + cluster + ", cluster: " + cluster +
            ", provider: github, address: \"https://github.com/acme/app\", token_file: github-token,\n" +
            "     report: [status, deployment], deployment: {environment: \"" + environment + "\"}}\n";
  }
  return yaml + rest;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(CheckConfigDeployments)

BOOST_FIXTURE_TEST_CASE(check_config_refuses_two_routes_in_one_environment_then_lists_the_deployments, CliFixture) {
  Write("github-token", "ghp_test\n");
  WriteConfig(ClusterConfig("production"));
  auto r = Run({"check-config"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(Contains(r.err,
                      "fluxstatus.yaml:4: route 'prod-us' and route 'prod-eu' (line 2) both deploy to environment "
                      "'production' of acme/app, which would be one deployment on the host"));

  WriteConfig(ClusterConfig("production/{cluster}",
                            "aggregates:\n"
                            "  - {name: production, route: prod-eu, members: [prod-eu, prod-us],"
                            " report: [status, deployment]}\n"));
  r = Run({"check-config"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(Contains(r.out, "  route prod-eu: github acme/app\n"));
  BOOST_TEST(Contains(r.out,
                      "  deployment of route prod-eu: environment production/prod-eu on acme/app, over "
                      "kustomization/*, helmrelease/*\n"));
  BOOST_TEST(Contains(r.out, "  deployment of route prod-us: environment production/prod-us on acme/app"));
  BOOST_TEST(Contains(r.out,
                      "  aggregate production: fleet/production and deployment to environment production on "
                      "acme/app via route prod-eu, over prod-eu, prod-us (rule all)"));
}

BOOST_FIXTURE_TEST_CASE(check_config_lists_a_deployment_only_route_and_refuses_githubs_flags_on_gitlab, CliFixture) {
  Write("gitlab-token", "glpat_test\n");
  const std::string route =
      "routes:\n"
      "  - name: staging\n"
      "    provider: gitlab\n"
      "    address: https://gitlab.com/acme/app\n"
      "    token_file: gitlab-token\n"
      "    report: [deployment]\n"
      "    deployment:\n"
      "      contexts: [\"kustomization/apps\"]\n";
  WriteConfig(route + "      transient: true\n");
  auto r = Run({"check-config"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(Contains(r.err,
                      "fluxstatus.yaml:9: route 'staging': deployment.transient is a GitHub deployment field; "
                      "provider 'gitlab' has no such thing: remove it"));

  WriteConfig(route);
  r = Run({"check-config"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(Contains(r.out, "  route staging: gitlab acme/app (statuses are folded, not sent: report lacks status)"));
  BOOST_TEST(
      Contains(r.out, "  deployment of route staging: environment staging on acme/app, over kustomization/apps"));
}

BOOST_FIXTURE_TEST_CASE(check_config_refuses_a_deployment_through_gitea, CliFixture) {
  Write("gitea-token", "t\n");
  WriteConfig(
      "routes:\n"
      "  - name: forge\n"
      "    provider: gitea\n"
      "    address: https://gitea.example.com/acme/app\n"
      "    token_file: gitea-token\n"
      "    report: [status, deployment]\n");
  const auto r = Run({"check-config"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(Contains(r.err,
                      "fluxstatus.yaml:6: deployments are posted to GitHub and GitLab only; route 'forge' uses "
                      "provider 'gitea': remove `deployment` from report"));
}

BOOST_AUTO_TEST_SUITE_END()
