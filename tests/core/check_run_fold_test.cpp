// core::FoldCheckRuns / RouteCheckRuns: a route reporting `check` gets one check-run row per
// status, with the status's key, state and words; other routes get none; the live writer's
// per-commit rows and rebuild's whole fold agree; and a run's external_id tells routes apart.
#include <boost/test/unit_test.hpp>

#include "core/check_run_fold.h"
#include "core/rfc3339.h"
#include "tests/core/test_support.h"

namespace core = fluxstatus::core;

namespace {

core::RouteProfile Route(const std::string& name, bool check) {
  core::RouteProfile p;
  p.name = name;
  p.repo = "acme/app";
  p.has_provider = true;
  p.report_check = check;
  return p;
}

core::KeyState State(core::StatusState state, std::int64_t event_id) {
  core::KeyState s;
  s.state = state;
  s.description = "words " + std::to_string(event_id);
  s.event_id = event_id;
  return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(CheckRunFold)

BOOST_AUTO_TEST_CASE(a_route_reporting_check_gets_a_run_per_status_and_others_none) {
  const core::RouteCatalog routes({Route("gh", true), Route("plain", false)});
  core::KeyStates keys;
  keys[{"gh", "acme/app", "abc", "kustomization/apps"}] = State(core::StatusState::kFailure, 3);
  keys[{"gh", "acme/app", "abc", "kustomization/infra"}] = State(core::StatusState::kPending, 2);
  keys[{"plain", "acme/app", "abc", "kustomization/apps"}] = State(core::StatusState::kSuccess, 1);
  const auto runs = core::FoldCheckRuns(routes, keys);
  BOOST_TEST_REQUIRE(runs.size() == 2u);
  BOOST_TEST(runs[0].key.context == "kustomization/apps");
  BOOST_TEST(runs[0].fold == keys.begin()->second);
  BOOST_TEST(runs[1].key.context == "kustomization/infra");

  // The live writer's per-commit rows are the same rows.
  core::CommitStatusesOfRoute own(keys.begin(), keys.end());
  BOOST_TEST((core::RouteCheckRuns(*routes.Find("gh"), own) == runs));
  BOOST_TEST(core::RouteCheckRuns(*routes.Find("plain"), own).empty());
}

BOOST_AUTO_TEST_CASE(the_external_id_names_the_route_and_the_context) {
  const std::string eu = core::CheckRunExternalId({"prod-eu", "acme/app", "abc", "kustomization/apps"});
  const std::string us = core::CheckRunExternalId({"prod-us", "acme/app", "abc", "kustomization/apps"});
  BOOST_TEST(eu == "fluxstatus:prod-eu:kustomization/apps");
  BOOST_TEST(eu != us);
  // The same key on another commit keeps its id: the commit is the run's head_sha already.
  BOOST_TEST(core::CheckRunExternalId({"prod-eu", "acme/app", "def", "kustomization/apps"}) == eu);
}

BOOST_AUTO_TEST_CASE(check_run_times_are_whole_seconds_in_utc) {
  BOOST_TEST(core::FormatRfc3339Seconds(1'764'000'000'999) == "2025-11-24T16:00:00Z");
  BOOST_TEST(core::FormatRfc3339Seconds(0) == "1970-01-01T00:00:00Z");
  BOOST_TEST(core::FormatRfc3339Seconds(-1) == "1969-12-31T23:59:59Z");
}

BOOST_AUTO_TEST_SUITE_END()
