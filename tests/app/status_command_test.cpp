// `fluxstatus status`: filters by commit prefix and route; --json carries the contract's fields.
#include <boost/test/unit_test.hpp>

#include <set>
#include <string>

#include "tests/app/cli_fixture.h"

using namespace fluxstatus::app::testing;
namespace utf = boost::unit_test;

namespace {

// The contract's current_status columns: `status --json` names each one.
const std::vector<std::string> kStatusFields = {"route",       "repo",       "commit_sha", "context",    "state",
                                                "description", "target_url", "event_id",   "event_time", "updated_at",
                                                "sync_state",  "synced_at",  "attempts",   "last_error"};

std::set<std::string> ContextsOf(const rapidjson::Document& doc) {
  std::set<std::string> out;
  for (const auto& s : doc["statuses"].GetArray())
    out.insert(std::string(s["commit_sha"].GetString()).substr(0, 4) + " " + s["context"].GetString());
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(StatusCommand)

BOOST_FIXTURE_TEST_CASE(lists_only_matching_commits_when_commit_prefix_is_given, CliFixture) {
  IngestSamples(AllSampleEvents());
  const std::set<std::string> expected = {"8c1d kustomization/contoso2", "8c1d kustomization/infra",
                                          "8c1d kustomization/oci-apps"};
  for (const std::string& prefix : std::vector<std::string>{"8c1d", "8C1D2E", kSha8c1d}) {
    BOOST_TEST_CONTEXT("--commit " << prefix) {
      const auto r = Run({"status", "--commit", prefix, "--json"});
      BOOST_TEST_INFO(Show(r));
      BOOST_TEST_REQUIRE(r.exit_code == 0);
      BOOST_TEST((ContextsOf(ParseJson(r.out)) == expected));
    }
  }
  const auto none = Run({"status", "--commit", "ffff"});
  BOOST_TEST(none.exit_code == 0);
  BOOST_TEST(Contains(none.out, "no statuses match"));
}

BOOST_FIXTURE_TEST_CASE(prints_table_with_contexts_when_no_flag_is_given, CliFixture) {
  IngestSamples({"01-gitrepository-new-artifact.json", "03-kustomization-succeeded.json"});
  const auto r = Run({"status"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(Contains(r.out, "CONTEXT"));
  BOOST_TEST(Contains(r.out, "gitrepository/contoso2"));
  BOOST_TEST(Contains(r.out, "kustomization/contoso2"));
  BOOST_TEST(Contains(r.out, "reconciliation succeeded"));
  BOOST_TEST(Contains(r.out, kSha2f5e.substr(0, 12)));
}

BOOST_FIXTURE_TEST_CASE(prints_every_contract_field_when_json_is_requested, CliFixture) {
  IngestSamples(AllSampleEvents());
  const auto r = Run({"status", "--json"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST_REQUIRE(r.exit_code == 0);
  const auto doc = ParseJson(r.out);
  BOOST_TEST_REQUIRE(doc["statuses"].IsArray());
  BOOST_TEST_REQUIRE(doc["statuses"].Size() == 7u);
  for (const auto& s : doc["statuses"].GetArray()) {
    BOOST_TEST_CONTEXT(s["context"].GetString()) {
      for (const auto& field : kStatusFields) BOOST_TEST(s.HasMember(field.c_str()), "missing field " << field);
      BOOST_TEST(s["event_id"].IsInt64());
      BOOST_TEST(s["attempts"].IsInt64());
      BOOST_TEST(s["target_url"].IsNull());
      BOOST_TEST(s["synced_at"].IsNull());
      const std::set<std::string> states = {"pending", "success", "failure", "error"};
      BOOST_TEST(states.count(s["state"].GetString()) == 1u);
      BOOST_TEST(std::string(s["sync_state"].GetString()) == "skipped");
      // RFC 3339 UTC with milliseconds.
      const std::string t = s["event_time"].GetString();
      BOOST_TEST(t.size() == 24u);
      BOOST_TEST(t.back() == 'Z');
    }
  }
  // Non-ASCII survives the JSON round trip.
  bool cafe = false;
  for (const auto& s : doc["statuses"].GetArray())
    cafe |= std::string(s["context"].GetString()) == "kustomization/café-app";
  BOOST_TEST(cafe);
}

BOOST_FIXTURE_TEST_CASE(lists_only_the_route_when_route_is_given, CliFixture) {
  WriteConfig(
      "routes:\n"
      "  - name: contoso2\n"
      "    provider: github\n"
      "    address: https://github.com/simonjaeger/contoso2\n"
      "    token_env: FLUXSTATUS_TEST_UNSET_TOKEN\n"
      "  - name: lab\n");
  IngestSamples({"01-gitrepository-new-artifact.json", "03-kustomization-succeeded.json"}, {"--route", "contoso2"});
  IngestSamples({"04-kustomization-healthcheck-failed.json"}, {"--route", "lab"});

  const auto r = Run({"status", "--route", "lab", "--json"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST_REQUIRE(r.exit_code == 0);
  const auto doc = ParseJson(r.out);
  BOOST_TEST_REQUIRE(doc["statuses"].Size() == 1u);
  BOOST_TEST(std::string(doc["statuses"][0]["route"].GetString()) == "lab");
  BOOST_TEST(std::string(doc["statuses"][0]["sync_state"].GetString()) == "skipped");

  const auto gh = ParseJson(Run({"status", "--route", "contoso2", "--json"}).out);
  BOOST_TEST_REQUIRE(gh["statuses"].Size() == 2u);
  for (const auto& s : gh["statuses"].GetArray()) {
    BOOST_TEST(std::string(s["repo"].GetString()) == "simonjaeger/contoso2");
    BOOST_TEST(std::string(s["sync_state"].GetString()) == "pending");  // has a provider
  }
}

BOOST_FIXTURE_TEST_CASE(refuses_commit_filter_when_it_is_not_hexadecimal, CliFixture) {
  BOOST_TEST(Run({"migrate"}).exit_code == 0);
  const auto r = Run({"status", "--commit", "main%"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code != 0);
  BOOST_TEST(Contains(r.err, "hexadecimal"));
}

BOOST_FIXTURE_TEST_CASE(says_so_when_there_are_no_statuses_yet, CliFixture) {
  BOOST_TEST(Run({"migrate"}).exit_code == 0);
  const auto r = Run({"status"});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(Contains(r.out, "no statuses yet"));
  BOOST_TEST(ParseJson(Run({"status", "--json"}).out)["statuses"].Size() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
