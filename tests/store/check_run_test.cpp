// Check runs in the store (sink_targets, sink 'check'; view `check_runs`): a route reporting
// `check` gets one row per status, in the status's state and words; the run's id survives new
// states and rebuild; a route without `check` gets none; replay marks the rows, `rebuild
// --check` finds a tampered one, and replay's per-commit re-fold keeps them.
#include <boost/test/unit_test.hpp>

#include <string>

#include "store/replay_window.h"
#include "store/sink_targets.h"
#include "tests/store/store_fixture.h"

using namespace fluxstatus::store;
using namespace fluxstatus::store::testing;
namespace core = fluxstatus::core;

namespace {

constexpr const char* kRepo = "acme/app";

core::RouteCatalog Routes() {
  core::RouteProfile checked = Profile("prod-eu", true, kRepo);
  checked.report_check = true;
  return core::RouteCatalog({checked, Profile("staging", true, kRepo)});
}

EventSpec Event(const std::string& sha, std::int64_t time_ms, const std::string& name,
                const std::string& reason = "ReconciliationSucceeded") {
  EventSpec spec;
  spec.name = name;
  spec.revision = "main@sha1:" + sha;
  spec.time_ms = time_ms;
  spec.reason = reason;
  if (reason == "HealthCheckFailed") {
    spec.severity = "error";
    spec.message = "timeout waiting for: [Deployment/default/web status: 'InProgress']";
  }
  return spec;
}

std::string Run(SQLite::Database& db, const std::string& context, const std::string& column) {
  return QueryText(db, "SELECT " + column + " FROM check_runs WHERE context = '" + context + "'");
}

core::StatusKey AppsKey(const std::string& sha) { return {"prod-eu", kRepo, sha, "kustomization/apps"}; }

}  // namespace

BOOST_FIXTURE_TEST_SUITE(check_runs_in_the_store, StoreFixture)

BOOST_AUTO_TEST_CASE(a_route_reporting_check_gets_a_row_per_status_in_its_state_and_words) {
  EventStore store(*db, Routes());
  store.Append(Incoming("staging", Event(kShaA, kBaseMs, "apps")));  // no `check`: no row
  BOOST_TEST(Count("check_runs") == 0);

  store.Append(Incoming("prod-eu", Event(kShaA, kBaseMs + 1000, "apps", "Progressing")));
  store.Append(Incoming("prod-eu", Event(kShaA, kBaseMs + 2000, "infra")));
  BOOST_TEST(Count("check_runs") == 2);
  BOOST_TEST(Run(*db, "kustomization/apps", "state") == "pending");
  BOOST_TEST(Run(*db, "kustomization/apps", "sync_state") == "pending");
  BOOST_TEST(Run(*db, "kustomization/apps", "route") == "prod-eu");
  BOOST_TEST(Run(*db, "kustomization/apps", "repo") == kRepo);
  BOOST_TEST(Run(*db, "kustomization/infra", "state") == "success");

  store.Append(Incoming("prod-eu", Event(kShaA, kBaseMs + 3000, "apps", "HealthCheckFailed")));
  BOOST_TEST(Run(*db, "kustomization/apps", "state") == "failure");
  BOOST_TEST(Run(*db, "kustomization/apps", "description") ==
             QueryText(*db,
                       "SELECT description FROM current_status WHERE route = 'prod-eu' AND context = "
                       "'kustomization/apps'"));
  BOOST_TEST(store.CheckRebuild().equal);
}

BOOST_AUTO_TEST_CASE(the_runs_id_is_kept_through_new_states_and_rebuild_and_replay_marks_the_row) {
  EventStore store(*db, Routes());
  store.Append(Incoming("prod-eu", Event(kShaA, kBaseMs, "apps", "Progressing")));
  SinkTargets sinks(*db);
  auto row = sinks.Load(core::Sink::kCheckRun, AppsKey(kShaA));
  BOOST_TEST_REQUIRE(row.has_value());
  store.RecordDelivery(SinkRecord(*row, core::DeliveryResult::kSynced, "991"));
  BOOST_TEST(Run(*db, "kustomization/apps", "host_check_run_id") == "991");
  BOOST_TEST(Run(*db, "kustomization/apps", "sync_state") == "synced");

  store.Append(Incoming("prod-eu", Event(kShaA, kBaseMs + 1000, "apps")));  // success: due, same run
  BOOST_TEST(Run(*db, "kustomization/apps", "sync_state") == "pending");
  BOOST_TEST(Run(*db, "kustomization/apps", "host_check_run_id") == "991");
  BOOST_TEST(store.Rebuild().check_runs == 1);
  BOOST_TEST(Run(*db, "kustomization/apps", "host_check_run_id") == "991");

  row = sinks.Load(core::Sink::kCheckRun, AppsKey(kShaA));
  store.RecordDelivery(SinkRecord(*row, core::DeliveryResult::kSynced, "992"));  // a new run after completion
  BOOST_TEST(MarkCommitForResync(*db, "prod-eu", kShaA) == 2);                   // the status and its run
  BOOST_TEST(Run(*db, "kustomization/apps", "sync_state") == "pending");
  BOOST_TEST(QueryInt(*db, "SELECT in_flight FROM sink_targets WHERE sink = 'check'") == 1);
  BOOST_TEST(Run(*db, "kustomization/apps", "host_check_run_id") == "992");
}

BOOST_AUTO_TEST_CASE(rebuild_check_finds_a_tampered_run_and_rebuild_mends_it) {
  EventStore store(*db, Routes());
  store.Append(Incoming("prod-eu", Event(kShaA, kBaseMs, "apps")));
  db->exec("UPDATE sink_targets SET state = 'failure' WHERE sink = 'check'");
  const RebuildCheck check = store.CheckRebuild();
  BOOST_TEST(!check.equal);
  BOOST_TEST(check.check_runs_differing == 1);
  std::string diff;
  for (const auto& line : check.diff) diff += line + "\n";
  BOOST_TEST_INFO("diff:\n" << diff);
  BOOST_TEST(diff.find("- check_runs (route prod-eu") != std::string::npos);
  store.Rebuild();
  BOOST_TEST(Run(*db, "kustomization/apps", "state") == "success");
  BOOST_TEST(store.CheckRebuild().equal);
}

BOOST_AUTO_TEST_CASE(a_route_reporting_only_check_runs_keeps_its_statuses_skipped) {
  core::RouteProfile route = Profile("prod-eu", true, kRepo);
  route.report_status = false;
  route.report_check = true;
  EventStore store(*db, core::RouteCatalog({route}));
  store.Append(Incoming("prod-eu", Event(kShaA, kBaseMs, "apps")));
  BOOST_TEST(Count("current_status WHERE sync_state = 'skipped'") == 1);
  BOOST_TEST(Run(*db, "kustomization/apps", "sync_state") == "pending");
}

BOOST_AUTO_TEST_SUITE_END()
