// Aggregates in the store: the live writer keeps each aggregate's row equal to what its
// members' statuses say, a dispatch step's record moves its sync columns, `rebuild` keeps that
// progress and `rebuild --check` finds a row that was tampered with.
#include <boost/test/unit_test.hpp>

#include <string>

#include "store/sink_targets.h"
#include "tests/store/store_fixture.h"

using namespace fluxstatus::store;
using namespace fluxstatus::store::testing;
namespace core = fluxstatus::core;

namespace {

constexpr const char* kRepo = "acme/app";

core::RouteCatalog Fleet(bool aggregate_route_has_provider = true) {
  core::FleetAggregate production;
  production.name = "production";
  production.route = "prod-eu";
  production.repo = kRepo;
  production.members = {"prod-eu", "prod-us", "prod-ap"};
  production.contexts = {"kustomization/*"};
  return core::RouteCatalog({Profile("prod-eu", aggregate_route_has_provider, kRepo), Profile("prod-us", true, kRepo),
                             Profile("prod-ap", true, kRepo), Profile("staging", true, kRepo)},
                            {production});
}

EventSpec Succeeded(const std::string& sha, std::int64_t time_ms) {
  EventSpec spec;
  spec.revision = "main@sha1:" + sha;
  spec.time_ms = time_ms;
  return spec;
}

EventSpec HealthCheckFailed(const std::string& sha, std::int64_t time_ms) {
  EventSpec spec = Succeeded(sha, time_ms);
  spec.severity = "error";
  spec.reason = "HealthCheckFailed";
  spec.message = "timeout waiting for: [Deployment/default/web status: 'InProgress']";
  return spec;
}

std::string Aggregate(SQLite::Database& db, const std::string& sha, const std::string& column) {
  return QueryText(
      db, "SELECT " + column + " FROM aggregate_status WHERE name = 'production' AND commit_sha = '" + sha + "'");
}

core::StatusKey AggregateKey(const std::string& sha) { return {"prod-eu", kRepo, sha, "fleet/production"}; }

}  // namespace

BOOST_FIXTURE_TEST_SUITE(aggregates_in_the_store, StoreFixture)

BOOST_AUTO_TEST_CASE(the_row_follows_the_members_from_pending_to_success_and_names_a_failing_member) {
  EventStore store(*db, Fleet());
  store.Append(Incoming("staging", Succeeded(kShaA, kBaseMs)));  // not a member: no row
  BOOST_TEST(Count("aggregate_status") == 0);

  store.Append(Incoming("prod-eu", Succeeded(kShaA, kBaseMs + 1000)));
  store.Append(Incoming("prod-us", Succeeded(kShaA, kBaseMs + 2000)));
  BOOST_TEST(Aggregate(*db, kShaA, "state") == "pending");
  BOOST_TEST(Aggregate(*db, kShaA, "description") == "2/3 clusters ready");
  BOOST_TEST(Aggregate(*db, kShaA, "context") == "fleet/production");
  BOOST_TEST(Aggregate(*db, kShaA, "repo") == kRepo);
  BOOST_TEST(Aggregate(*db, kShaA, "sync_state") == "pending");

  store.Append(Incoming("prod-ap", Succeeded(kShaA, kBaseMs + 3000)));
  BOOST_TEST(Aggregate(*db, kShaA, "state") == "success");
  BOOST_TEST(Aggregate(*db, kShaA, "members_ready || '/' || members_total") == "3/3");

  store.Append(Incoming("prod-eu", Succeeded(kShaB, kBaseMs + 4000)));
  store.Append(Incoming("prod-us", Succeeded(kShaB, kBaseMs + 5000)));
  store.Append(Incoming("prod-ap", HealthCheckFailed(kShaB, kBaseMs + 6000)));
  BOOST_TEST(Aggregate(*db, kShaB, "state") == "failure");
  BOOST_TEST(Aggregate(*db, kShaB, "description").find("2/3 clusters ready; prod-ap: ") == 0u);
  BOOST_TEST(Aggregate(*db, kShaA, "state") == "success");  // the first commit keeps its own row
  BOOST_TEST(store.CheckRebuild().equal);
}

BOOST_AUTO_TEST_CASE(an_aggregate_whose_route_has_no_provider_is_kept_but_skipped) {
  EventStore store(*db, Fleet(/*aggregate_route_has_provider=*/false));
  store.Append(Incoming("prod-us", Succeeded(kShaA, kBaseMs)));
  BOOST_TEST(Aggregate(*db, kShaA, "state") == "pending");
  BOOST_TEST(Aggregate(*db, kShaA, "sync_state") == "skipped");
}

BOOST_AUTO_TEST_CASE(a_delivery_record_syncs_the_row_and_rebuild_keeps_it_while_the_verdict_stands) {
  EventStore store(*db, Fleet());
  for (const char* route : {"prod-eu", "prod-us", "prod-ap"}) store.Append(Incoming(route, Succeeded(kShaA, kBaseMs)));
  SinkTargets sinks(*db);
  const auto row = sinks.Load(core::Sink::kAggregate, AggregateKey(kShaA));
  BOOST_TEST_REQUIRE(row.has_value());

  DeliveryRecord synced;
  synced.key = row->key;
  synced.sink = core::Sink::kAggregate;
  synced.sent_event_id = row->fold.event_id;
  synced.sent_state = "success";
  synced.sent_description = row->fold.description;
  synced.result = core::DeliveryResult::kSynced;
  synced.at_ms = kBaseMs + 10000;
  store.RecordDelivery(synced);
  BOOST_TEST(Aggregate(*db, kShaA, "sync_state") == "synced");
  BOOST_TEST(Count("current_status WHERE sync_state = 'synced'") == 0);  // the record named the aggregate only

  const RebuildReport report = store.Rebuild();
  BOOST_TEST(report.aggregates == 1);
  BOOST_TEST(Aggregate(*db, kShaA, "sync_state") == "synced");

  store.Append(Incoming("prod-ap", HealthCheckFailed(kShaA, kBaseMs + 20000)));
  BOOST_TEST(Aggregate(*db, kShaA, "state") == "failure");
  BOOST_TEST(Aggregate(*db, kShaA, "sync_state") == "pending");  // a new verdict is due
}

BOOST_AUTO_TEST_CASE(check_finds_a_tampered_aggregate_and_rebuild_restores_it) {
  EventStore store(*db, Fleet());
  store.Append(Incoming("prod-eu", Succeeded(kShaA, kBaseMs)));
  BOOST_TEST_REQUIRE(store.CheckRebuild().equal);
  db->exec("UPDATE sink_targets SET state = 'success', members_ready = 3");
  const RebuildCheck check = store.CheckRebuild();
  BOOST_TEST(!check.equal);
  BOOST_TEST(check.aggregates_differing == 1);
  std::string diff;
  for (const auto& line : check.diff) diff += line + "\n";
  BOOST_TEST_INFO("diff:\n" << diff);
  BOOST_TEST(diff.find("- aggregate_status (route prod-eu") != std::string::npos);
  BOOST_TEST(diff.find("state 'pending'") != std::string::npos);
  BOOST_TEST(diff.find("members_ready '1'") != std::string::npos);
  store.Rebuild();
  BOOST_TEST(Aggregate(*db, kShaA, "state") == "pending");
  BOOST_TEST(store.CheckRebuild().equal);
}

BOOST_AUTO_TEST_SUITE_END()
