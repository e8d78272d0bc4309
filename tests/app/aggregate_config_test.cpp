// `aggregates:` and the routes' `report:` in fluxstatus.yaml (app/aggregate_config.h): what a
// full and a minimal aggregate become, and the message each mistake gets (the aggregate, the
// problem, the fix, and the file:line), as ParseConfig and so `check-config` and `serve` see it.
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "app/config.h"

namespace app = fluxstatus::app;
namespace core = fluxstatus::core;

namespace {

// Lines 1-6; an aggregate written after them starts on line 7.
const std::string kRoutes =
    "routes:\n"
    "  - {name: prod-eu, provider: github, address: \"https://github.com/acme/app\", token_env: T}\n"
    "  - {name: prod-us, provider: github, address: \"https://github.com/acme/app\", token_env: T}\n"
    "  - {name: prod-ap, provider: github, address: \"https://github.com/acme/app\", token_env: T}\n"
    "  - {name: lab}\n"
    "aggregates:\n";

app::Config Parse(const std::string& yaml) { return app::ParseConfig(yaml, "fluxstatus.yaml"); }

// The message ParseConfig refuses the file with ("" when it accepts it).
std::string ErrorOf(const std::string& yaml) {
  try {
    Parse(yaml);
  } catch (const app::ConfigError& e) {
    return e.what();
  }
  return "";
}

// The first ```yaml block of docs/<doc> that starts with `start`.
std::string DocYaml(const std::string& doc, const std::string& start) {
  std::ifstream in(std::string(FLUXSTATUS_FIXTURES_DIR) + "/../../docs/" + doc);
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

}  // namespace

BOOST_AUTO_TEST_SUITE(AggregateConfig)

BOOST_AUTO_TEST_CASE(a_full_aggregate_posts_fleet_name_on_its_routes_repository_over_its_members) {
  const auto c = Parse(kRoutes +
                       "  - name: production\n"
                       "    route: prod-eu\n"
                       "    members: [prod-eu, prod-us, prod-ap]\n"
                       "    contexts: [\"kustomization/*\", \"helmrelease/*\"]\n"
                       "    rule: quorum 2\n"
                       "    report: [status]\n");
  BOOST_TEST_REQUIRE(c.aggregates.size() == 1u);
  const core::FleetAggregate& a = c.aggregates[0];
  BOOST_TEST(a.Context() == "fleet/production");
  BOOST_TEST(a.route == "prod-eu");
  BOOST_TEST(a.repo == "acme/app");
  BOOST_TEST(a.members == (std::vector<std::string>{"prod-eu", "prod-us", "prod-ap"}));
  BOOST_TEST(a.contexts == (std::vector<std::string>{"kustomization/*", "helmrelease/*"}));
  BOOST_TEST((a.rule == core::AggregateRule{core::AggregateRule::Kind::kQuorum, 2}));
  BOOST_TEST(a.report_status);

  // What the store and dispatch see: every member's status moves it, and it is posted.
  const auto catalog = c.Catalog();
  BOOST_TEST_REQUIRE(catalog.aggregates().size() == 1u);
  BOOST_TEST(catalog.aggregates()[0].repo == "acme/app");
  BOOST_TEST(catalog.AggregatesOver("prod-ap").size() == 1u);
  BOOST_TEST(catalog.AggregatesOver("lab").empty());
  BOOST_TEST(catalog.AggregateHasSink(catalog.aggregates()[0]));
}

BOOST_AUTO_TEST_CASE(an_aggregate_counts_every_context_under_rule_all_and_is_posted_by_default) {
  const auto c = Parse(kRoutes + "  - {name: production, route: prod-eu, members: [prod-eu, prod-us]}\n");
  BOOST_TEST_REQUIRE(c.aggregates.size() == 1u);
  const auto& a = c.aggregates[0];
  BOOST_TEST(a.contexts == std::vector<std::string>{"*"});
  BOOST_TEST((a.rule == core::AggregateRule{core::AggregateRule::Kind::kAll, 0}));
  BOOST_TEST(a.report_status);
}

BOOST_AUTO_TEST_CASE(report_empty_keeps_the_aggregate_without_posting_so_its_route_needs_no_provider) {
  const auto c = Parse(kRoutes + "  - {name: staging, route: lab, members: [prod-eu, lab], report: []}\n");
  BOOST_TEST_REQUIRE(c.aggregates.size() == 1u);
  BOOST_TEST(!c.aggregates[0].report_status);
  BOOST_TEST(!c.Catalog().AggregateHasSink(c.Catalog().aggregates()[0]));
}

BOOST_AUTO_TEST_CASE(a_config_without_aggregates_has_none) {
  BOOST_TEST(Parse(kRoutes).aggregates.empty());
  BOOST_TEST(Parse("routes:\n  - name: lab\n").Catalog().aggregates().empty());
}

BOOST_AUTO_TEST_CASE(a_route_reporting_status_is_accepted) {
  BOOST_TEST(ErrorOf("routes:\n  - {name: lab, report: [status]}\n") == "");
}

BOOST_AUTO_TEST_CASE(a_github_app_route_reports_check_runs_with_or_without_statuses) {
  const std::string app_route =
      "routes:\n  - name: gh\n    provider: github\n    address: https://github.com/acme/app\n"
      "    github_app_id: \"12\"\n    github_private_key_file: app.pem\n    github_installation_id: \"34\"\n";
  const auto both = Parse(app_route + "    report: [status, check]\n");
  BOOST_TEST(both.routes[0].report_check);
  BOOST_TEST(both.routes[0].report_status);
  const auto profile = both.Catalog().Find("gh");
  BOOST_TEST_REQUIRE(profile.has_value());
  BOOST_TEST(profile->report_check);
  const auto only = Parse(app_route + "    report: [check]\n");
  BOOST_TEST(only.routes[0].report_check);
  BOOST_TEST(!only.routes[0].report_status);
  BOOST_TEST(!Parse(app_route).routes[0].report_check);  // the default is [status]
}

BOOST_AUTO_TEST_CASE(the_fleet_guides_config_is_accepted_as_written) {
  const std::string yaml = DocYaml("fleet.md", "# fluxstatus.yaml");
  BOOST_TEST_REQUIRE(!yaml.empty());
  const auto c = Parse(yaml);
  BOOST_TEST(c.routes.size() == 3u);
  BOOST_TEST_REQUIRE(c.aggregates.size() == 1u);
  BOOST_TEST(c.aggregates[0].Context() == "fleet/production");
  BOOST_TEST(c.aggregates[0].members.size() == 3u);
}

BOOST_AUTO_TEST_CASE(the_configuration_references_example_is_accepted_as_written) {
  const std::string yaml = DocYaml("configuration.md", "listen: \"127.0.0.1:9595\"");
  BOOST_TEST_REQUIRE(!yaml.empty());
  const auto c = Parse(yaml);
  BOOST_TEST_REQUIRE(c.aggregates.size() == 1u);
  BOOST_TEST(c.aggregates[0].repo == "simonjaeger/contoso2");
}

// Each mistake, the line it is reported on, and what the message must say.
struct Mistake {
  const char* what;
  std::string yaml;
  int line;
  std::vector<std::string> says;
};

BOOST_AUTO_TEST_CASE(each_mistake_names_the_aggregate_the_problem_and_the_fix_at_its_line) {
  const std::string two = "  - {name: production, route: prod-eu, members: [prod-eu, prod-us]}\n";
  // clang-format off
  const std::vector<Mistake> mistakes = {
    {"name twice", kRoutes + two + "  - {name: production, route: prod-us, members: [prod-ap]}\n", 8, {"aggregate 'production' is defined twice (first at line 7)", "give each aggregate its own name"}},
    {"no name", kRoutes + "  - {route: prod-eu, members: [prod-eu]}\n", 7, {"aggregates[0].name is required", "fleet/<name>"}},
    {"name not plain", kRoutes + "  - {name: prod eu/x, route: prod-eu, members: [prod-eu]}\n", 7, {"aggregate name 'prod eu/x' may contain only letters, digits, '.', '_' and '-'"}},
    {"no route", kRoutes + "  - {name: production, members: [prod-eu]}\n", 7, {"aggregate 'production': route is required", "post fleet/production"}},
    {"route typo", kRoutes + "  - {name: production, route: prod-e, members: [prod-eu]}\n", 7, {"aggregate 'production': route 'prod-e' is not configured; did you mean 'prod-eu'?"}},
    {"route unknown", kRoutes + "  - {name: production, route: central, members: [prod-eu]}\n", 7, {"route 'central' is not configured; the configured routes are: prod-eu, prod-us, prod-ap, lab"}},
    {"route without provider", kRoutes + "  - {name: production, route: lab, members: [prod-eu]}\n", 7, {"aggregate 'production' cannot post fleet/production: route 'lab' has no provider; set provider/address on it or name a route that has one"}},
    {"members empty", kRoutes + "  - {name: production, route: prod-eu, members: []}\n", 7, {"aggregate 'production' has no members; list the routes it sums up"}},
    {"members missing", kRoutes + "  - {name: production, route: prod-eu}\n", 7, {"aggregate 'production' has no members"}},
    {"members not a list", kRoutes + "  - {name: production, route: prod-eu, members: prod-eu}\n", 7, {"aggregate 'production': members must be a list"}},
    {"member typo", kRoutes + "  - name: production\n    route: prod-eu\n    members:\n      - prod-eu\n      - prod-uss\n", 11, {"aggregate 'production': member 'prod-uss' is not a configured route; did you mean 'prod-us'?"}},
    {"member unknown", kRoutes + "  - {name: production, route: prod-eu, members: [prod-eu, staging-1]}\n", 7, {"member 'staging-1' is not a configured route; the configured routes are: prod-eu, prod-us, prod-ap, lab"}},
    {"member twice", kRoutes + "  - {name: production, route: prod-eu, members: [prod-eu, prod-us, prod-eu]}\n", 7, {"aggregate 'production': member 'prod-eu' is listed twice; list each route once"}},
    {"quorum over members", kRoutes + "  - name: production\n    route: prod-eu\n    members: [prod-eu, prod-us, prod-ap]\n    rule: quorum 4\n", 10, {"aggregate 'production': rule \"quorum 4\" needs 4 members ready, but the aggregate has only 3", "quorum N with N from 1 to 3"}},
    {"rule unknown", kRoutes + "  - {name: production, route: prod-eu, members: [prod-eu], rule: majority}\n", 7, {"aggregate 'production': rule \"majority\" is neither `all` nor `quorum N`"}},
    {"contexts empty", kRoutes + "  - {name: production, route: prod-eu, members: [prod-eu], contexts: []}\n", 7, {"aggregate 'production': contexts is empty", "fleet/production could never succeed", "leave contexts out to count every context"}},
    {"unknown key", kRoutes + "  - {name: production, route: prod-eu, member: [prod-eu]}\n", 7, {"unknown key 'member' in aggregates[0]"}},
    {"aggregate report unknown", kRoutes + "  - {name: production, route: prod-eu, members: [prod-eu], report: [statuses]}\n", 7, {"aggregate 'production': unknown report 'statuses'"}},
    {"no routes at all", "aggregates:\n  - {name: production, route: prod-eu, members: [prod-eu]}\n", 2, {"route 'prod-eu' is not configured; no routes are configured"}},
    {"not a list", "aggregates: {name: production}\n", 1, {"aggregates must be a list"}},
    {"check without provider", "routes:\n  - {name: lab, report: [check]}\n", 2, {"route 'lab': report lists `check`, but check runs are a GitHub feature and the route uses no provider", "remove `check` from report"}},
    {"check on gitlab", "routes:\n  - name: lab\n    provider: gitlab\n    address: https://gitlab.com/acme/app\n    token_env: T\n    report: [status, check]\n", 6, {"route 'lab': report lists `check`, but check runs are a GitHub feature and the route uses provider 'gitlab'"}},
    {"check on a token route", "routes:\n  - name: lab\n    provider: github\n    address: https://github.com/acme/app\n    token_env: T\n    report: [status, check]\n", 6, {"route 'lab': report lists `check`, but only a GitHub App can create check runs", "set github_app_id, github_private_key_file and github_installation_id", "or remove `check` from report"}},
    {"aggregate reports check", kRoutes + "  - {name: production, route: prod-eu, members: [prod-eu], report: [check]}\n", 7, {"aggregate 'production': an aggregate reports status or deployment; check runs are per route"}},
    {"route report empty", "routes:\n  - {name: lab, report: []}\n", 2, {"route 'lab': report: [] would post nothing; list status, deployment, check or several"}},
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
