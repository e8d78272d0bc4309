// A route's `report: [deployment]` and `deployment:` block, and an aggregate's
// `report: [deployment]`, in fluxstatus.yaml (app/deployment_config.h): what a good block
// resolves to, and the message each mistake gets (the route, the problem, the fix, the
// file:line), as ParseConfig and so `check-config` and `serve` see it.
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "app/config.h"

namespace app = fluxstatus::app;
namespace core = fluxstatus::core;

namespace {

app::Config Parse(const std::string& yaml) { return app::ParseConfig(yaml, "fluxstatus.yaml"); }

std::string ErrorOf(const std::string& yaml) {
  try {
    Parse(yaml);
  } catch (const app::ConfigError& e) {
    return e.what();
  }
  return "";
}

// The first ```yaml block of docs/configuration.md that starts with `start`.
std::string DocYaml(const std::string& start) {
  std::ifstream in(std::string(FLUXSTATUS_FIXTURES_DIR) + "/../../docs/configuration.md");
  std::stringstream text;
  text << in.rdbuf();
  const std::string all = text.str();
  const auto fence = all.find("```yaml\n" + start);
  if (fence == std::string::npos) return "";
  const auto body = fence + 8;
  return all.substr(body, all.find("```", body) - body);
}

bool StartsWith(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }
bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A GitHub route on acme/app (line 2), then `rest`: its further keys, from line 3 on.
std::string Route(const std::string& name, const std::string& rest, const std::string& provider = "github") {
  return "  - name: " + name + "\n    provider: " + provider + "\n    address: https://" +
         (provider == "gitlab"  ? "gitlab.com"
          : provider == "gitea" ? "gitea.example.com"
                                : "github.com") +
         "/acme/app\n    token_env: T\n" + rest;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(DeploymentConfig)

BOOST_AUTO_TEST_CASE(without_a_block_the_environment_is_the_cluster_and_the_contexts_the_appliers) {
  const auto c = Parse("routes:\n" + Route("prod-eu", "    cluster: eu-1\n    report: [status, deployment]\n"));
  BOOST_TEST_REQUIRE(c.routes[0].deployment.has_value());
  const core::DeploymentSpec& d = *c.routes[0].deployment;
  BOOST_TEST(d.environment == "eu-1");
  BOOST_TEST(d.contexts == core::kDefaultDeploymentContexts);
  BOOST_TEST(d.environment_url == "");
  BOOST_TEST(d.log_url == "");
  BOOST_TEST(!d.production);
  BOOST_TEST(!d.transient);
  BOOST_TEST(c.routes[0].report_status);

  // What the store and dispatch see.
  const auto catalog = c.Catalog();
  const auto profile = catalog.Find("prod-eu");
  BOOST_TEST_REQUIRE(profile.has_value());
  BOOST_TEST(profile->PostsStatuses());
  BOOST_TEST((profile->deployment == d));
  BOOST_TEST((catalog.DeploymentFor("prod-eu", "eu-1") == d));
  BOOST_TEST(catalog.PostsThrough("prod-eu"));
}

BOOST_AUTO_TEST_CASE(without_a_cluster_the_environment_is_the_routes_name) {
  const auto c = Parse("routes:\n" + Route("staging", "    report: [deployment]\n    deployment: {}\n"));
  BOOST_TEST_REQUIRE(c.routes[0].deployment.has_value());
  BOOST_TEST(c.routes[0].deployment->environment == "staging");
}

BOOST_AUTO_TEST_CASE(a_written_block_resolves_the_environment_and_keeps_the_url_templates_for_dispatch) {
  const auto c = Parse("routes:\n" + Route("prod-eu",
                                           "    cluster: eu-1\n"
                                           "    report: [deployment]\n"
                                           "    deployment:\n"
                                           "      environment: \"production/{cluster} {route}\"\n"
                                           "      contexts: [\"kustomization/apps*\"]\n"
                                           "      environment_url: \"https://{environment}.example.com\"\n"
                                           "      log_url: \"https://ci.example.com/{route}/{cluster}/{commit}\"\n"
                                           "      production: true\n"
                                           "      transient: yes\n"));
  BOOST_TEST_REQUIRE(c.routes[0].deployment.has_value());
  const core::DeploymentSpec& d = *c.routes[0].deployment;
  BOOST_TEST(d.environment == "production/eu-1 prod-eu");
  BOOST_TEST(d.contexts == std::vector<std::string>{"kustomization/apps*"});
  BOOST_TEST(d.environment_url == "https://{environment}.example.com");
  BOOST_TEST(d.log_url == "https://ci.example.com/{route}/{cluster}/{commit}");
  BOOST_TEST(d.production);
  BOOST_TEST(d.transient);

  // report: [deployment] alone: the route still dispatches (its deployments), not its statuses.
  BOOST_TEST(!c.routes[0].report_status);
  const auto profile = c.Catalog().Find("prod-eu");
  BOOST_TEST(profile->has_provider);
  BOOST_TEST(!profile->PostsStatuses());
}

BOOST_AUTO_TEST_CASE(a_route_reporting_status_only_has_no_deployment) {
  const auto c = Parse("routes:\n" + Route("prod-eu", "") + "  - {name: lab}\n");
  BOOST_TEST(!c.routes[0].deployment.has_value());
  BOOST_TEST(c.routes[0].report_status);
  BOOST_TEST(!c.routes[1].deployment.has_value());
  BOOST_TEST(!c.Catalog().Find("prod-eu")->deployment.has_value());
}

BOOST_AUTO_TEST_CASE(routes_on_different_repositories_may_share_an_environment_name) {
  std::string other = Route("prod-us", "    report: [deployment]\n    deployment: {environment: production}\n");
  other.replace(other.find("acme/app"), 8, "acme/api");
  const auto c = Parse(
      "routes:\n" + Route("prod-eu", "    report: [deployment]\n    deployment: {environment: production}\n") + other);
  BOOST_TEST(c.routes[0].deployment->environment == "production");
  BOOST_TEST(c.routes[1].deployment->environment == "production");
}

BOOST_AUTO_TEST_CASE(an_aggregate_reporting_a_deployment_deploys_to_the_environment_named_after_it) {
  const auto c = Parse("routes:\n" + Route("prod-eu", "    cluster: eu-1\n    report: [status, deployment]\n") +
                       "  - {name: lab}\n"
                       "aggregates:\n"
                       "  - {name: production, route: prod-eu, members: [prod-eu, lab], contexts: [\"k/*\"], "
                       "report: [status, deployment]}\n"
                       "  - {name: canary, route: prod-eu, members: [lab], report: [deployment]}\n");
  BOOST_TEST_REQUIRE(c.aggregates.size() == 2u);
  BOOST_TEST(c.aggregates[0].report_status);
  BOOST_TEST(c.aggregates[0].report_deployment);
  BOOST_TEST(!c.aggregates[1].report_status);
  BOOST_TEST(c.aggregates[1].report_deployment);

  const auto catalog = c.Catalog();
  const auto spec = catalog.DeploymentFor("prod-eu", "production");
  BOOST_TEST_REQUIRE(spec.has_value());
  BOOST_TEST(spec->contexts == std::vector<std::string>{"k/*"});
  BOOST_TEST(!catalog.AggregateHasSink(catalog.aggregates()[1]));  // its status is not posted
}

BOOST_AUTO_TEST_CASE(the_deployments_example_of_the_configuration_reference_is_accepted_as_written) {
  const std::string yaml = DocYaml("# fluxstatus.yaml: one deployment per cluster");
  BOOST_TEST_REQUIRE(!yaml.empty());
  const auto c = Parse(yaml);
  BOOST_TEST_REQUIRE(c.routes.size() == 2u);
  BOOST_TEST_REQUIRE(c.routes[0].deployment.has_value());
  BOOST_TEST(c.routes[0].deployment->environment == "production/eu-1");
  BOOST_TEST(c.routes[0].deployment->contexts == std::vector<std::string>{"kustomization/*"});
  BOOST_TEST(c.routes[0].deployment->production);
  BOOST_TEST_REQUIRE(c.routes[1].deployment.has_value());
  BOOST_TEST(c.routes[1].deployment->environment == "us-1");
  BOOST_TEST_REQUIRE(c.aggregates.size() == 1u);
  BOOST_TEST(c.aggregates[0].report_deployment);
}

// Each mistake, the line it is reported on, and what the message must say.
struct Mistake {
  const char* what;
  std::string yaml;
  int line;
  std::vector<std::string> says;
};

BOOST_AUTO_TEST_CASE(each_mistake_names_the_route_the_problem_and_the_fix_at_its_line) {
  const std::string head = "routes:\n";  // line 1; a Route's keys start on line 2, `rest` on line 6
  const std::string block = "    report: [status, deployment]\n    deployment:\n";  // lines 6-7; keys from 8
  const std::string lab = "  - name: lab\n    report: [status, deployment]\n";
  // clang-format off
  const std::vector<Mistake> mistakes = {
    {"provider without deployments", head + Route("x", "    report: [status, deployment]\n", "gitea"), 6, {"deployments are posted to GitHub and GitLab only; route 'x' uses provider 'gitea': remove `deployment` from report"}},
    {"no provider", head + lab, 3, {"route 'lab': report lists `deployment` but the route has no provider", "set provider (github or gitlab), address and a token, or remove `deployment` from report"}},
    {"block without report", head + Route("prod-eu", "    deployment:\n      environment: prod\n"), 7, {"route 'prod-eu': the deployment block is used only when report lists `deployment`", "add `deployment` to report", "or remove the block"}},
    {"block with report status", head + Route("prod-eu", "    report: [status]\n    deployment: {environment: prod}\n"), 7, {"add `deployment` to report (e.g. report: [status, deployment]), or remove the block"}},
    {"block on a route without provider", "routes:\n  - name: lab\n    deployment: {}\n", 3, {"route 'lab': the deployment block is used only when report lists `deployment`"}},
    {"deployment twice in report", head + Route("prod-eu", "    report: [deployment, deployment]\n"), 6, {"route 'prod-eu': report lists 'deployment' twice; list it once"}},
    {"unknown key near one", head + Route("prod-eu", block + "      enviroment: prod\n"), 8, {"unknown key 'enviroment' in route 'prod-eu' deployment; did you mean 'environment'?"}},
    {"unknown key", head + Route("prod-eu", block + "      colour: blue\n"), 8, {"unknown key 'colour' in route 'prod-eu' deployment (environment, contexts, environment_url, log_url, production, transient)"}},
    {"block not a mapping", head + Route("prod-eu", "    report: [deployment]\n    deployment: prod\n"), 7, {"route 'prod-eu': deployment must be a mapping"}},
    {"environment placeholder", head + Route("prod-eu", block + "      environment: \"{commit}\"\n"), 8, {"route 'prod-eu': deployment.environment \"{commit}\": unknown placeholder {commit}; use {cluster}, {route}"}},
    {"url placeholder", head + Route("prod-eu", block + "      environment_url: \"https://{kind}.example.com\"\n"), 8, {"route 'prod-eu': deployment.environment_url \"https://{kind}.example.com\": unknown placeholder {kind}; use {cluster}, {route}, {commit}, {environment}"}},
    {"log url unclosed", head + Route("prod-eu", block + "      log_url: \"https://ci/{commit\"\n"), 8, {"route 'prod-eu': deployment.log_url \"https://ci/{commit\": unclosed { at position 12"}},
    {"environment empty", head + Route("prod-eu", block + "      environment: \"{cluster}\"\n"), 8, {"route 'prod-eu': deployment.environment \"{cluster}\" resolves to '', which is empty; set the route's cluster, or write the environment's name"}},
    {"environment too long", head + Route("prod-eu", block + "      environment: " + std::string(256, 'e') + "\n"), 8, {"which is longer than 255 characters"}},
    {"environment slash", head + Route("prod-eu", block + "      environment: \"{route}/\"\n"), 8, {"deployment.environment \"{route}/\" resolves to 'prod-eu/', which starts or ends with '/'"}},
    {"environment character", head + Route("prod-eu", "    cluster: \"eu:1\"\n" + block + "      environment: \"prod-{cluster}\"\n"), 9, {"resolves to 'prod-eu:1', which has the character ':'", "GitHub and GitLab take up to 255 letters, digits, spaces and - _ / $ { } ., not starting or ending with '/'"}},
    {"environment from the route's name", head + Route("eu:1", "    report: [deployment]\n"), 2, {"route 'eu:1': deployment.environment \"{route}\" resolves to 'eu:1', which has the character ':'"}},
    {"contexts empty", head + Route("prod-eu", block + "      contexts: []\n"), 8, {"route 'prod-eu': deployment.contexts is empty", "could never succeed", "leave contexts out"}},
    {"contexts empty pattern", head + Route("prod-eu", block + "      contexts: [\"kustomization/*\", \"\"]\n"), 8, {"deployment.contexts has an empty pattern"}},
    {"contexts not a list", head + Route("prod-eu", block + "      contexts: \"kustomization/*\"\n"), 8, {"route 'prod-eu' deployment: contexts must be a list"}},
    {"production not a bool", head + Route("prod-eu", block + "      production: maybe\n"), 8, {"route 'prod-eu': deployment.production must be true or false"}},
    {"two routes one environment", head + Route("prod-eu", "    report: [deployment]\n    deployment: {environment: production}\n") + Route("prod-us", "    report: [deployment]\n    deployment: {environment: production}\n"), 8, {"route 'prod-us' and route 'prod-eu' (line 2) both deploy to environment 'production' of acme/app", "give each route its own `cluster`, or one of them another deployment.environment"}},
    {"environments differing in case", head + Route("prod-eu", "    report: [deployment]\n    deployment: {environment: Production}\n") + Route("prod-us", "    report: [deployment]\n    deployment: {environment: production}\n"), 8, {"both deploy to environment 'production'"}},
    {"same repository in other case", head + Route("a", "    report: [deployment]\n    deployment: {environment: production}\n") + "  - {name: b, provider: github, address: https://github.com/Acme/App, token_env: T, report: [deployment], deployment: {environment: production}}\n", 8, {"route 'b' and route 'a' (line 2) both deploy to environment 'production'"}},
  };
  // clang-format on
  for (const auto& m : mistakes) {
    const std::string error = ErrorOf(m.yaml);
    BOOST_TEST_CONTEXT(m.what << "; message: " << error) {
      BOOST_TEST(StartsWith(error, "fluxstatus.yaml:" + std::to_string(m.line) + ": "));
      for (const auto& part : m.says) {
        BOOST_TEST_INFO("says: " << part);
        BOOST_TEST(Contains(error, part));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(each_aggregate_deployment_mistake_names_the_aggregate_the_problem_and_the_fix) {
  // Lines 2-7: prod-eu (deploys to its cluster, eu-1); 8-11: a Gitea route; 12: lab; 13: aggregates.
  const std::string yaml = "routes:\n" + Route("prod-eu", "    cluster: eu-1\n    report: [status, deployment]\n") +
                           Route("forge", "", "gitea") + "  - {name: lab}\naggregates:\n";
  const std::string first = "  - name: production\n    members: [prod-eu]\n";  // lines 14-15; route, report 16-17
  // clang-format off
  const std::vector<Mistake> mistakes = {
    {"route without provider", yaml + first + "    route: lab\n    report: [deployment]\n", 17, {"aggregate 'production' cannot post its deployment to environment 'production': route 'lab' has no provider", "or remove `deployment` from report"}},
    {"route without deployments", yaml + first + "    route: forge\n    report: [deployment]\n", 17, {"deployments are posted to GitHub and GitLab only; aggregate 'production' is posted through route 'forge', which uses provider 'gitea': remove `deployment` from report"}},
    {"its route's own environment", yaml + "  - name: eu-1\n    members: [prod-eu]\n    route: prod-eu\n    report: [status, deployment]\n", 14, {"aggregate 'eu-1': its deployment to environment 'eu-1' of acme/app would be the same deployment on the host as route 'prod-eu''s", "rename the aggregate"}},
    {"unknown report", yaml + first + "    route: prod-eu\n    report: [deployments]\n", 17, {"aggregate 'production': unknown report 'deployments' (status, deployment)"}},
  };
  // clang-format on
  for (const auto& m : mistakes) {
    const std::string error = ErrorOf(m.yaml);
    BOOST_TEST_CONTEXT(m.what << "; message: " << error) {
      BOOST_TEST(StartsWith(error, "fluxstatus.yaml:" + std::to_string(m.line) + ": "));
      for (const auto& part : m.says) {
        BOOST_TEST_INFO("says: " << part);
        BOOST_TEST(Contains(error, part));
      }
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
