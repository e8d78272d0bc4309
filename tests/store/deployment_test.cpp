// Deployments in the store (sink_targets, sink 'deployment'; view `deployments`): the live
// writer keeps each route's and aggregate's deployment row equal to the statuses it is made
// of, the host's deployment id survives every re-fold, a record stores it, `rebuild` and its
// check cover the rows, and replay marks them for a check against the host.
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

core::RouteProfile Deploying(const std::string& name, const std::string& environment) {
  core::RouteProfile p = Profile(name, true, kRepo);
  core::DeploymentSpec spec;
  spec.environment = environment;
  spec.contexts = {"kustomization/*"};
  p.deployment = spec;
  return p;
}

core::RouteCatalog Routes(bool aggregate_deploys = true) {
  core::FleetAggregate production;
  production.name = "production";
  production.route = "prod-eu";
  production.repo = kRepo;
  production.members = {"prod-eu", "prod-us"};
  production.contexts = {"kustomization/*"};
  production.report_deployment = aggregate_deploys;
  return core::RouteCatalog({Deploying("prod-eu", "eu"), Deploying("prod-us", "us"), Profile("staging", true, kRepo)},
                            {production});
}

EventSpec Event(const std::string& sha, std::int64_t time_ms, const std::string& name = "apps",
                const std::string& reason = "ReconciliationSucceeded") {
  EventSpec spec;
  spec.name = name;
  spec.revision = "main@sha1:" + sha;
  spec.time_ms = time_ms;
  spec.reason = reason;
  if (reason == "Progressing") spec.message = "Deployment/default/web created";
  if (reason == "HealthCheckFailed") {
    spec.severity = "error";
    spec.message = "timeout waiting for: [Deployment/default/web status: 'InProgress']";
  }
  return spec;
}

std::string Deployment(SQLite::Database& db, const std::string& sha, const std::string& environment,
                       const std::string& column) {
  return QueryText(db, "SELECT " + column + " FROM deployments WHERE environment = '" + environment +
                           "' AND commit_sha = '" + sha + "'");
}

core::StatusKey EuKey(const std::string& sha) { return {"prod-eu", kRepo, sha, "deployment/eu"}; }

}  // namespace

BOOST_FIXTURE_TEST_SUITE(deployments_in_the_store, StoreFixture)

BOOST_AUTO_TEST_CASE(each_route_deploys_each_commit_to_its_environment_in_the_state_of_its_counted_contexts) {
  EventStore store(*db, Routes());
  store.Append(Incoming("staging", Event(kShaA, kBaseMs)));  // no deployment block: no row
  BOOST_TEST(Count("deployments WHERE route = 'staging'") == 0);

  store.Append(Incoming("prod-eu", Event(kShaA, kBaseMs + 1000, "apps", "Progressing")));
  BOOST_TEST(Deployment(*db, kShaA, "eu", "state") == "pending");
  BOOST_TEST(Deployment(*db, kShaA, "eu", "route") == "prod-eu");
  BOOST_TEST(Deployment(*db, kShaA, "eu", "repo") == kRepo);
  BOOST_TEST(Deployment(*db, kShaA, "eu", "sync_state") == "pending");
  BOOST_TEST(Deployment(*db, kShaA, "eu", "coalesce(host_deployment_id, 'none')") == "none");

  store.Append(Incoming("prod-eu", Event(kShaA, kBaseMs + 2000)));
  BOOST_TEST(Deployment(*db, kShaA, "eu", "state") == "success");
  BOOST_TEST(Deployment(*db, kShaA, "eu", "description") == "1/1 ready");

  store.Append(Incoming("prod-us", Event(kShaA, kBaseMs + 3000, "apps", "HealthCheckFailed")));
  BOOST_TEST(Deployment(*db, kShaA, "us", "state") == "failure");
  BOOST_TEST(Deployment(*db, kShaA, "us", "description").find("0/1 ready; kustomization/apps") == 0u);
  // The aggregate's deployment: environment `production`, in the aggregate's words.
  BOOST_TEST(Deployment(*db, kShaA, "production", "state") == "failure");
  BOOST_TEST(Deployment(*db, kShaA, "production", "description").find("1/2 clusters ready; prod-us: ") == 0u);
  BOOST_TEST(Count("deployments") == 3);
  BOOST_TEST(store.CheckRebuild().equal);
}

BOOST_AUTO_TEST_CASE(the_hosts_id_is_stored_by_any_record_and_kept_through_new_states_and_rebuild) {
  EventStore store(*db, Routes(false));
  store.Append(Incoming("prod-eu", Event(kShaA, kBaseMs, "apps", "Progressing")));
  SinkTargets sinks(*db);
  auto row = sinks.Load(core::Sink::kDeployment, EuKey(kShaA));
  BOOST_TEST_REQUIRE(row.has_value());

  // The step stores the id the moment it has it: a kSending record, before the state is posted.
  store.RecordDelivery(SinkRecord(*row, core::DeliveryResult::kSending, "4711"));
  BOOST_TEST(Deployment(*db, kShaA, "eu", "host_deployment_id") == "4711");
  BOOST_TEST(Deployment(*db, kShaA, "eu", "sync_state") == "pending");
  store.RecordDelivery(SinkRecord(*row, core::DeliveryResult::kSynced, "4711"));
  BOOST_TEST(Deployment(*db, kShaA, "eu", "sync_state") == "synced");

  store.Append(Incoming("prod-eu", Event(kShaA, kBaseMs + 1000)));  // success: due again, same deployment
  BOOST_TEST(Deployment(*db, kShaA, "eu", "sync_state") == "pending");
  BOOST_TEST(Deployment(*db, kShaA, "eu", "host_deployment_id") == "4711");
  BOOST_TEST(store.Rebuild().deployments == 1);
  BOOST_TEST(Deployment(*db, kShaA, "eu", "host_deployment_id") == "4711");

  row = sinks.Load(core::Sink::kDeployment, EuKey(kShaA));
  store.RecordDelivery(SinkRecord(*row, core::DeliveryResult::kRetry, ""));  // "" : the host has it no more
  BOOST_TEST(Deployment(*db, kShaA, "eu", "coalesce(host_deployment_id, 'none')") == "none");
}

BOOST_AUTO_TEST_CASE(replay_marks_the_routes_deployments_and_check_finds_a_tampered_row) {
  EventStore store(*db, Routes());
  store.Append(Incoming("prod-eu", Event(kShaA, kBaseMs)));
  SinkTargets sinks(*db);
  const auto row = sinks.Load(core::Sink::kDeployment, EuKey(kShaA));
  BOOST_TEST_REQUIRE(row.has_value());
  store.RecordDelivery(SinkRecord(*row, core::DeliveryResult::kSynced, "17"));
  BOOST_TEST(Deployment(*db, kShaA, "eu", "sync_state") == "synced");

  BOOST_TEST(MarkCommitForResync(*db, "prod-eu", kShaA) >= 2);  // the status, its deployment, the aggregate's
  BOOST_TEST(Deployment(*db, kShaA, "eu", "sync_state") == "pending");
  BOOST_TEST(QueryInt(*db, "SELECT in_flight FROM sink_targets WHERE context = 'deployment/eu'") == 1);
  BOOST_TEST(Deployment(*db, kShaA, "eu", "host_deployment_id") == "17");

  db->exec("UPDATE sink_targets SET state = 'failure' WHERE sink = 'deployment' AND name = 'eu'");
  const RebuildCheck check = store.CheckRebuild();
  BOOST_TEST(!check.equal);
  BOOST_TEST(check.deployments_differing == 1);
  std::string diff;
  for (const auto& line : check.diff) diff += line + "\n";
  BOOST_TEST_INFO("diff:\n" << diff);
  BOOST_TEST(diff.find("- deployments (route prod-eu") != std::string::npos);
  store.Rebuild();
  BOOST_TEST(Deployment(*db, kShaA, "eu", "state") == "success");
  BOOST_TEST(store.CheckRebuild().equal);
}

BOOST_AUTO_TEST_CASE(a_route_reporting_only_deployments_keeps_its_statuses_skipped) {
  auto route = Deploying("prod-eu", "eu");
  route.report_status = false;
  EventStore store(*db, core::RouteCatalog({route}));
  store.Append(Incoming("prod-eu", Event(kShaA, kBaseMs)));
  BOOST_TEST(Count("current_status WHERE sync_state = 'skipped'") == 1);
  BOOST_TEST(Deployment(*db, kShaA, "eu", "sync_state") == "pending");
}

BOOST_AUTO_TEST_SUITE_END()
