// `fluxstatus check-config` on aggregates, through the real binary: a misconfigured aggregate
// exits 2 with the message naming it, the problem, the fix and the line, one mistake at a time,
// and the fixed file is listed with what each aggregate will post.
#include <boost/test/unit_test.hpp>

#include <string>

#include "tests/app/cli_fixture.h"

using namespace fluxstatus::app::testing;

namespace {

// Three clusters, each its own route posting to one repository, and `lab`; the aggregate is
// named on line 7, its route on line 8, and `rest` (its other keys) starts on line 9.
std::string FleetConfig(const std::string& rest) {
  std::string yaml = "routes:\n";
  for (const char* cluster : {"prod-eu", "prod-us", "prod-ap"}) {
    yaml += std::string("  - {name: ") + cluster +
            ", provider: github, address: \"https://github.com/acme/app\", token_file: github-token}\n";
  }
  yaml += "  - {name: lab}\n";
  return yaml + "aggregates:\n  - name: production\n    route: prod-eu\n" + rest;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(CheckConfigAggregates)

BOOST_FIXTURE_TEST_CASE(check_config_explains_an_unknown_member_then_a_quorum_too_large_then_accepts, CliFixture) {
  Write("github-token", "ghp_test\n");

  // Line 9 names a member that is no route (and the rule is wrong too: one mistake at a time).
  WriteConfig(
      FleetConfig("    members: [prod-eu, prod-uss, prod-ap]\n"
                  "    rule: quorum 4\n"));
  auto r = Run({"check-config"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(Contains(r.err,
                      "fluxstatus.yaml:9: aggregate 'production': member 'prod-uss' is not a configured route; "
                      "did you mean 'prod-us'?"));

  WriteConfig(
      FleetConfig("    members: [prod-eu, prod-us, prod-ap]\n"
                  "    rule: quorum 4\n"));
  r = Run({"check-config"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(Contains(r.err,
                      "fluxstatus.yaml:10: aggregate 'production': rule \"quorum 4\" needs 4 members ready, "
                      "but the aggregate has only 3"));

  WriteConfig(
      FleetConfig("    members: [prod-eu, prod-us, prod-ap]\n"
                  "    rule: quorum 2\n"));
  r = Run({"check-config"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(Contains(r.out, "4 routes, 1 aggregate"));
  BOOST_TEST(Contains(r.out,
                      "aggregate production: fleet/production on acme/app via route prod-eu, over prod-eu, "
                      "prod-us, prod-ap (rule quorum 2)"));
}

BOOST_FIXTURE_TEST_CASE(check_config_refuses_an_aggregate_posted_through_a_route_without_provider, CliFixture) {
  Write("github-token", "ghp_test\n");
  std::string yaml = FleetConfig("    members: [prod-eu, prod-us]\n");
  yaml.replace(yaml.find("route: prod-eu"), 14, "route: lab");
  WriteConfig(yaml);
  const auto r = Run({"check-config"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(Contains(r.err,
                      "fluxstatus.yaml:8: aggregate 'production' cannot post fleet/production: route 'lab' has "
                      "no provider; set provider/address on it or name a route that has one"));
}

BOOST_FIXTURE_TEST_CASE(every_verb_refuses_a_config_whose_aggregate_is_misconfigured, CliFixture) {
  WriteConfig(FleetConfig("    members: [prod-eu, prod-eu]\n"));
  const auto r = Run({"status"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(Contains(r.err, "member 'prod-eu' is listed twice"));
}

BOOST_AUTO_TEST_SUITE_END()
