// Folding through EventStore: what current_status and status_history show after events.
#include <boost/test/unit_test.hpp>

#include <string>

#include "core/fold.h"
#include "tests/store/store_fixture.h"
#include "tests/support/files.h"

using namespace fluxstatus::store;
using namespace fluxstatus::store::testing;
using fluxstatus::core::FoldOutcome;
using fluxstatus::core::RouteCatalog;
using fluxstatus::testing::ReadFile;
using fluxstatus::testing::SampleFile;

namespace fluxstatus::core {
inline std::ostream& boost_test_print_type(std::ostream& os, FoldOutcome o) {
  return os << "FoldOutcome(" << static_cast<int>(o) << ")";
}
}  // namespace fluxstatus::core

namespace {

const std::string kSample2f5e = "2f5e7c0d9a4b3e1f6a7b8c9d0e1f2a3b4c5d6e7f";
const std::string kSample8c1d = "8c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d";

IncomingEvent Sample(const std::string& file, std::int64_t received_at_ms = kBaseMs) {
  return Incoming("contoso2", ReadFile(SampleFile("events", file)), received_at_ms);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(EventStoreFold)

BOOST_FIXTURE_TEST_CASE(key_goes_pending_then_success_when_progressing_then_succeeded, StoreFixture) {
  EventStore store(*db, RouteCatalog());
  EventSpec progressing;
  progressing.reason = "Progressing";
  progressing.message = "Deployment/default/web configured";
  progressing.time_ms = kBaseMs;
  EventSpec succeeded;
  succeeded.time_ms = kBaseMs + 2000;

  const auto first = store.Append(Incoming("contoso2", progressing));
  BOOST_TEST(first.context == "kustomization/apps");
  BOOST_TEST(first.commit_sha == kShaA);
  BOOST_TEST(QueryText(*db, "SELECT state FROM current_status") == "pending");

  store.Append(Incoming("contoso2", succeeded));
  const auto rows = QueryRows(*db, "SELECT commit_sha, context, state, description, event_time FROM current_status");
  BOOST_TEST_REQUIRE(rows.size() == 1u);
  BOOST_TEST(rows[0][0] == kShaA);
  BOOST_TEST(rows[0][1] == "kustomization/apps");
  BOOST_TEST(rows[0][2] == "success");
  BOOST_TEST(rows[0][3] == "reconciliation succeeded");
  BOOST_TEST(rows[0][4] == "2026-11-24T09:00:02.000Z");

  const auto history = QueryRows(*db, "SELECT state, event_id FROM status_history ORDER BY rowid");
  BOOST_TEST_REQUIRE(history.size() == 2u);
  BOOST_TEST(history[0][0] == "pending");
  BOOST_TEST(history[1][0] == "success");
  BOOST_TEST(history[0][1] == std::to_string(first.id));
}

BOOST_FIXTURE_TEST_CASE(same_status_again_adds_no_history_when_only_newer, StoreFixture) {
  EventStore store(*db, RouteCatalog());
  EventSpec a;
  EventSpec b;
  b.time_ms = kBaseMs + 60000;
  b.message = "Reconciliation finished in 2.0s, next run in 10m0s";  // same description
  store.Append(Incoming("contoso2", a));
  const auto r = store.Append(Incoming("contoso2", b));
  BOOST_TEST(r.fold.value() == FoldOutcome::kRefreshed);
  BOOST_TEST(Count("status_history") == 1);
  // The key now points at the newer event.
  BOOST_TEST(QueryInt(*db, "SELECT event_id FROM current_status") == r.id);
  BOOST_TEST(QueryText(*db, "SELECT event_time FROM current_status") == "2026-11-24T09:01:00.000Z");
}

BOOST_FIXTURE_TEST_CASE(older_event_does_not_overwrite_when_it_arrives_after_a_newer_one, StoreFixture) {
  EventStore store(*db, RouteCatalog());
  const auto newer = store.Append(Sample("04-kustomization-healthcheck-failed.json", kBaseMs));
  const auto older = store.Append(Sample("12-out-of-order-older-success.json", kBaseMs + 1000));
  BOOST_TEST(older.fold.value() == FoldOutcome::kStale);

  const auto rows = QueryRows(*db, "SELECT commit_sha, context, state, description, event_id FROM current_status");
  BOOST_TEST_REQUIRE(rows.size() == 1u);
  BOOST_TEST(rows[0][0] == kSample8c1d);
  BOOST_TEST(rows[0][1] == "kustomization/contoso2");
  BOOST_TEST(rows[0][2] == "failure");
  BOOST_TEST(rows[0][3].rfind("health check failed: timeout waiting for:", 0) == 0);
  BOOST_TEST(rows[0][4] == std::to_string(newer.id));
  BOOST_TEST(Count("events") == 2);  // both logged
  BOOST_TEST(Count("status_history") == 1);
}

BOOST_FIXTURE_TEST_CASE(later_log_order_wins_when_timestamps_tie, StoreFixture) {
  EventStore store(*db, RouteCatalog());
  EventSpec failed;
  failed.severity = "error";
  failed.reason = "HealthCheckFailed";
  failed.message = "timeout waiting for: [Deployment/apps/podinfo status: 'InProgress']";
  EventSpec succeeded;  // same time_ms

  // Commit A: failure logged first, then success at the same instant -> success.
  failed.revision = succeeded.revision = "main@sha1:" + kShaA;
  store.Append(Incoming("contoso2", failed));
  store.Append(Incoming("contoso2", succeeded));
  // Commit B: the other way round -> failure.
  failed.revision = succeeded.revision = "main@sha1:" + kShaB;
  store.Append(Incoming("contoso2", succeeded));
  store.Append(Incoming("contoso2", failed));

  BOOST_TEST(QueryText(*db, "SELECT state FROM current_status WHERE commit_sha = '" + kShaA + "'") == "success");
  BOOST_TEST(QueryText(*db, "SELECT state FROM current_status WHERE commit_sha = '" + kShaB + "'") == "failure");
  BOOST_TEST(Count("status_history") == 4);
}

BOOST_FIXTURE_TEST_CASE(trace_event_is_logged_without_status_when_severity_is_trace, StoreFixture) {
  EventStore store(*db, RouteCatalog());
  EventSpec trace;
  trace.severity = "trace";
  trace.reason = "Progressing";
  const auto r = store.Append(Incoming("contoso2", trace));
  BOOST_TEST(!r.duplicate);
  BOOST_TEST(!r.fold.has_value());
  BOOST_TEST(Count("events") == 1);
  BOOST_TEST(QueryText(*db, "SELECT severity FROM events") == "trace");
  BOOST_TEST(Count("current_status") == 0);
  BOOST_TEST(Count("status_history") == 0);
}

BOOST_FIXTURE_TEST_CASE(commit_sha_is_null_with_reason_when_revision_is_a_chart_version, StoreFixture) {
  EventStore store(*db, RouteCatalog());
  const auto r = store.Append(Sample("08-helmrelease-chart-version.json"));
  BOOST_TEST(!r.fold.has_value());
  BOOST_TEST(r.commit_sha.empty());
  const auto rows = QueryRows(*db, "SELECT commit_sha, no_commit_reason, revision, kind FROM events");
  BOOST_TEST_REQUIRE(rows.size() == 1u);
  BOOST_TEST(rows[0][0] == fluxstatus::testing::kNullText);
  BOOST_TEST(rows[0][1] != fluxstatus::testing::kNullText);
  BOOST_TEST(!rows[0][1].empty());
  BOOST_TEST(rows[0][1].find("6.7.1") != std::string::npos);
  BOOST_TEST(rows[0][3] == "HelmRelease");
  BOOST_TEST(Count("events WHERE commit_sha IS NULL") == 1);
  BOOST_TEST(Count("current_status") == 0);
}

BOOST_FIXTURE_TEST_CASE(commit_sha_is_null_when_event_has_no_metadata, StoreFixture) {
  EventStore store(*db, RouteCatalog());
  EventSpec spec;
  spec.revision.clear();
  store.Append(Incoming("contoso2", spec));
  BOOST_TEST(Count("events WHERE commit_sha IS NULL AND no_commit_reason <> ''") == 1);
  BOOST_TEST(Count("current_status") == 0);
}

BOOST_FIXTURE_TEST_CASE(sync_state_follows_provider_when_routes_are_configured, StoreFixture) {
  EventStore store(*db, RouteCatalog({Profile("github", true, "simonjaeger/contoso2"), Profile("local", false)}));
  const std::string body = EventJson(EventSpec{});
  store.Append(Incoming("github", body));
  store.Append(Incoming("local", body));
  BOOST_TEST(QueryText(*db, "SELECT sync_state FROM current_status WHERE route = 'github'") == "pending");
  BOOST_TEST(QueryText(*db, "SELECT repo FROM current_status WHERE route = 'github'") == "simonjaeger/contoso2");
  BOOST_TEST(QueryText(*db, "SELECT sync_state FROM current_status WHERE route = 'local'") == "skipped");
  BOOST_TEST(QueryInt(*db, "SELECT attempts FROM current_status WHERE route = 'github'") == 0);
  BOOST_TEST(QueryText(*db, "SELECT synced_at FROM current_status WHERE route = 'github'") ==
             fluxstatus::testing::kNullText);
}

BOOST_FIXTURE_TEST_CASE(sync_state_is_skipped_when_catalog_is_open, StoreFixture) {
  EventStore store(*db, RouteCatalog());
  store.Append(Incoming("anything", EventSpec{}));
  BOOST_TEST(QueryText(*db, "SELECT sync_state FROM current_status") == "skipped");
}

BOOST_FIXTURE_TEST_CASE(event_still_folds_as_no_provider_when_route_is_not_in_a_closed_catalog, StoreFixture) {
  EventStore store(*db, RouteCatalog({Profile("github", true, "simonjaeger/contoso2")}));
  const auto r = store.Append(Incoming("removed-route", EventSpec{}));
  BOOST_TEST(!r.duplicate);
  BOOST_TEST(r.fold.has_value());
  const auto rows = QueryRows(*db, "SELECT route, repo, state, sync_state FROM current_status");
  BOOST_TEST_REQUIRE(rows.size() == 1u);
  BOOST_TEST(rows[0][0] == "removed-route");
  BOOST_TEST(rows[0][1] == "");
  BOOST_TEST(rows[0][2] == "success");
  BOOST_TEST(rows[0][3] == "skipped");
}

BOOST_FIXTURE_TEST_CASE(new_state_goes_back_to_pending_sync_when_status_changes_after_sync, StoreFixture) {
  EventStore store(*db, RouteCatalog({Profile("github", true, "simonjaeger/contoso2")}));
  store.Append(Incoming("github", EventSpec{}));
  db->exec("UPDATE commit_statuses SET sync_state = 'synced', synced_at = '2026-11-24T09:00:01.000Z', attempts = 1");
  EventSpec failed;
  failed.severity = "error";
  failed.reason = "HealthCheckFailed";
  failed.message = "timeout";
  failed.time_ms = kBaseMs + 10000;
  store.Append(Incoming("github", failed));
  // A new state must be sent again: the key is pending, and its attempts start over.
  const auto rows = QueryRows(*db, "SELECT state, sync_state, attempts FROM current_status");
  BOOST_TEST_REQUIRE(rows.size() == 1u);
  BOOST_TEST(rows[0][0] == "failure");
  BOOST_TEST(rows[0][1] == "pending");
  BOOST_TEST(rows[0][2] == "0");
}

BOOST_AUTO_TEST_SUITE_END()
