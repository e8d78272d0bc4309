// THE INVARIANT: the derived tables are a pure function of the event log. Rebuilding from the
// log gives what incremental folding gave, whatever order the events arrived in; and the check
// that says so can fail.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "tests/store/store_fixture.h"

using namespace fluxstatus::store;
using namespace fluxstatus::store::testing;
using fluxstatus::core::RouteCatalog;

namespace {

constexpr std::uint32_t kSeed = 20261124;
constexpr int kStreamLength = 300;
constexpr int kPermutations = 5;

// With an aggregate over both routes, so every stream also checks that the aggregates the
// live writer derives equal those a rebuild derives.
RouteCatalog Routes() {
  fluxstatus::core::FleetAggregate both;
  both.name = "both";
  both.route = "github";
  both.repo = "simonjaeger/contoso2";
  both.members = {"github", "local"};
  both.contexts = {"kustomization/*"};
  both.report_deployment = true;
  // Deployments too: the route's own (over its Kustomizations) and the aggregate's.
  auto github = Profile("github", true, "simonjaeger/contoso2");
  fluxstatus::core::DeploymentSpec spec;
  spec.environment = "github-env";
  github.deployment = spec;
  github.report_check = true;  // and a check run per status
  return RouteCatalog({github, Profile("local", false)}, {both});
}

// A random stream over a few commits, objects, severities and reasons. With distinct_times
// every event has its own timestamp; otherwise timestamps come from a handful of seconds, so
// many events of the same key tie and log order decides.
std::vector<std::pair<std::string, std::string>> RandomStream(std::uint32_t seed, bool distinct_times) {
  std::mt19937 rng(seed);
  const std::array<std::string, 3> shas = {kShaA, kShaB, kShaC};
  const std::array<std::pair<std::string, std::string>, 4> objects = {
      std::pair{"Kustomization", "apps"}, std::pair{"Kustomization", "infra"},
      std::pair{"GitRepository", "flux-system"}, std::pair{"Kustomization", "café"}};
  const std::array<std::string, 2> routes = {"github", "local"};
  const std::array<std::tuple<std::string, std::string, std::string>, 8> outcomes = {
      std::tuple{"info", "ReconciliationSucceeded", "Reconciliation finished in 1.8s"},
      std::tuple{"info", "ReconciliationSucceeded", "Reconciliation finished in 2.4s"},
      std::tuple{"info", "Progressing", "Deployment/default/web configured"},
      std::tuple{"info", "DependencyNotReady", "dependency 'flux-system/infra' is not ready"},
      std::tuple{"error", "HealthCheckFailed", "timeout waiting for: [Deployment/default/web status: 'InProgress']"},
      std::tuple{"error", "ReconciliationFailed", "kustomize build failed: map[string]interface {}(nil)"},
      std::tuple{"error", "ReconciliationFailed", "ошибка ✗ <tag> & \"quoted\""},
      std::tuple{"trace", "Progressing", "trace only"}};
  std::vector<std::pair<std::string, std::string>> stream;  // (route, body)
  for (int i = 0; i < kStreamLength; ++i) {
    EventSpec spec;
    const auto& [kind, name] = objects[rng() % objects.size()];
    spec.kind = kind;
    spec.name = name;
    const auto& [severity, reason, message] = outcomes[rng() % outcomes.size()];
    spec.severity = severity;
    spec.reason = reason;
    spec.message = message;
    spec.revision = "main@sha1:" + shas[rng() % shas.size()];
    spec.time_ms = distinct_times ? kBaseMs + i * 1000 : kBaseMs + static_cast<std::int64_t>(rng() % 6) * 1000;
    spec.extra_metadata = "seq-" + std::to_string(i);  // every body distinct
    stream.emplace_back(routes[rng() % routes.size()], EventJson(spec));
  }
  return stream;
}

std::string Describe(const std::vector<Row>& rows) {
  std::ostringstream os;
  for (const auto& r : rows) {
    for (const auto& c : r) os << c << " | ";
    os << "\n";
  }
  return os.str();
}

const char* const kAllCurrent = "SELECT * FROM current_status ORDER BY route, repo, commit_sha, context";
const char* const kAllHistory = "SELECT * FROM status_history ORDER BY rowid";
const char* const kAllAggregates = "SELECT * FROM aggregate_status ORDER BY name, commit_sha";
const char* const kAllDeployments = "SELECT * FROM deployments ORDER BY route, commit_sha, environment";
const char* const kAllCheckRuns = "SELECT * FROM check_runs ORDER BY route, commit_sha, context";
const char* const kFinalByKey =
    "SELECT route, repo, commit_sha, context, state, description, event_time FROM current_status"
    " ORDER BY route, repo, commit_sha, context";

// Ingests the stream in the given order into a fresh database (alternating single appends and
// batches, as serve and ingest do), and checks the invariant there. Returns the final state.
std::vector<Row> IngestAndCheck(const std::vector<std::pair<std::string, std::string>>& stream,
                                const std::vector<std::size_t>& order) {
  StoreFixture f;
  EventStore store(*f.db, Routes());
  std::vector<IncomingEvent> batch;
  for (std::size_t n = 0; n < order.size(); ++n) {
    const auto& [route, body] = stream[order[n]];
    auto e = Incoming(route, body, kBaseMs + static_cast<std::int64_t>(n));
    if (n % 3 == 0) {
      store.Append(e);
    } else {
      batch.push_back(std::move(e));
      if (batch.size() == 17) {
        for (const auto& o : store.AppendBatch(batch)) BOOST_TEST(std::holds_alternative<AppendResult>(o));
        batch.clear();
      }
    }
  }
  for (const auto& o : store.AppendBatch(batch)) BOOST_TEST(std::holds_alternative<AppendResult>(o));
  BOOST_TEST(QueryInt(*f.db, "SELECT count(*) FROM events") == static_cast<std::int64_t>(stream.size()));
  BOOST_TEST_REQUIRE(QueryInt(*f.db, "SELECT count(*) FROM current_status") > 10);

  // (a) rebuild equals incremental
  const RebuildCheck check = store.CheckRebuild();
  BOOST_TEST(check.equal);
  BOOST_TEST(check.diff.empty());
  for (std::size_t i = 0; i < std::min<std::size_t>(check.diff.size(), 10); ++i) BOOST_TEST_MESSAGE(check.diff[i]);

  // (b) a real rebuild changes nothing in current_status (and status_history)
  const auto current_before = QueryRows(*f.db, kAllCurrent);
  const auto history_before = QueryRows(*f.db, kAllHistory);
  const auto aggregates_before = QueryRows(*f.db, kAllAggregates);
  BOOST_TEST_REQUIRE(aggregates_before.size() >= 2u);  // the stream's commits, each counted by a member
  const auto deployments_before = QueryRows(*f.db, kAllDeployments);
  BOOST_TEST_REQUIRE(deployments_before.size() >= 4u);  // the route's and the aggregate's, per commit
  const auto check_runs_before = QueryRows(*f.db, kAllCheckRuns);
  BOOST_TEST_REQUIRE(
      check_runs_before.size() ==
      static_cast<std::size_t>(QueryInt(*f.db, "SELECT count(*) FROM current_status WHERE route = 'github'")));
  const RebuildReport report = store.Rebuild();
  BOOST_TEST(report.check_runs == static_cast<std::int64_t>(check_runs_before.size()));
  BOOST_TEST(report.aggregates == static_cast<std::int64_t>(aggregates_before.size()));
  BOOST_TEST(report.deployments == static_cast<std::int64_t>(deployments_before.size()));
  BOOST_TEST(report.events == static_cast<std::int64_t>(stream.size()));
  BOOST_TEST(report.statuses == static_cast<std::int64_t>(current_before.size()));
  BOOST_TEST(report.changes == static_cast<std::int64_t>(history_before.size()));
  const auto current_after = QueryRows(*f.db, kAllCurrent);
  BOOST_TEST_INFO("current_status before rebuild:\n"
                  << Describe(current_before) << "after:\n"
                  << Describe(current_after));
  BOOST_TEST((current_after == current_before));
  BOOST_TEST((QueryRows(*f.db, kAllHistory) == history_before));
  BOOST_TEST((QueryRows(*f.db, kAllAggregates) == aggregates_before));
  BOOST_TEST((QueryRows(*f.db, kAllDeployments) == deployments_before));
  BOOST_TEST((QueryRows(*f.db, kAllCheckRuns) == check_runs_before));
  return QueryRows(*f.db, kFinalByKey);
}

EventSpec Named(const std::string& name) {
  EventSpec spec;
  spec.name = name;
  return spec;
}

EventSpec At(std::int64_t time_ms) {
  EventSpec spec;
  spec.time_ms = time_ms;
  return spec;
}

std::vector<std::size_t> Identity(std::size_t n) {
  std::vector<std::size_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = i;
  return v;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(RebuildInvariant)

BOOST_AUTO_TEST_CASE(rebuild_equals_incremental_when_events_arrive_in_any_order_with_tied_times) {
  const auto stream = RandomStream(kSeed, /*distinct_times=*/false);
  std::mt19937 rng(kSeed + 1);
  auto order = Identity(stream.size());
  for (int p = 0; p < kPermutations; ++p) {
    BOOST_TEST_CONTEXT("permutation " << p << " (seed " << kSeed << ")") { IngestAndCheck(stream, order); }
    std::shuffle(order.begin(), order.end(), rng);
  }
}

BOOST_AUTO_TEST_CASE(final_status_is_order_independent_when_times_per_key_are_distinct) {
  const auto stream = RandomStream(kSeed + 2, /*distinct_times=*/true);
  std::mt19937 rng(kSeed + 3);
  auto order = Identity(stream.size());
  std::vector<Row> reference;
  for (int p = 0; p < kPermutations; ++p) {
    BOOST_TEST_CONTEXT("permutation " << p << " (seed " << kSeed << ")") {
      const auto final_state = IngestAndCheck(stream, order);
      if (p == 0) {
        reference = final_state;
      } else {
        BOOST_TEST_INFO("final statuses in log order:\n"
                        << Describe(reference) << "permuted:\n"
                        << Describe(final_state));
        BOOST_TEST((final_state == reference));
      }
    }
    std::shuffle(order.begin(), order.end(), rng);
  }
}

BOOST_FIXTURE_TEST_CASE(check_reports_a_diff_when_current_status_was_tampered_with, StoreFixture) {
  EventStore store(*db, Routes());
  EventSpec failed;
  failed.severity = "error";
  failed.reason = "HealthCheckFailed";
  failed.message = "timeout waiting for: [Deployment/default/web status: 'InProgress']";
  store.Append(Incoming("github", failed));
  store.Append(Incoming("github", Named("infra")));
  BOOST_TEST_REQUIRE(store.CheckRebuild().equal);

  db->exec("UPDATE commit_statuses SET state = 'success' WHERE state = 'failure'");
  const RebuildCheck check = store.CheckRebuild();
  BOOST_TEST(!check.equal);
  BOOST_TEST_REQUIRE(!check.diff.empty());
  std::string diff;
  for (const auto& line : check.diff) diff += line + "\n";
  BOOST_TEST_INFO("diff:\n" << diff);
  BOOST_TEST(diff.find("- current_status") != std::string::npos);
  BOOST_TEST(diff.find("+ current_status") != std::string::npos);
  BOOST_TEST(diff.find("kustomization/apps") != std::string::npos);
  BOOST_TEST(diff.find("kustomization/infra") == std::string::npos);  // only the tampered key
  // The check writes nothing: the tampered row is still there until a rebuild.
  BOOST_TEST(Count("current_status WHERE state = 'failure'") == 0);

  store.Rebuild();
  BOOST_TEST(Count("current_status WHERE state = 'failure'") == 1);
  BOOST_TEST(store.CheckRebuild().equal);
}

BOOST_FIXTURE_TEST_CASE(check_reports_a_diff_when_status_history_lost_a_row, StoreFixture) {
  EventStore store(*db, Routes());
  EventSpec progressing;
  progressing.reason = "Progressing";
  store.Append(Incoming("github", progressing));
  store.Append(Incoming("github", At(kBaseMs + 1000)));
  db->exec("DELETE FROM status_changes WHERE id = (SELECT min(id) FROM status_changes)");
  const RebuildCheck check = store.CheckRebuild();
  BOOST_TEST(!check.equal);
  BOOST_TEST(!check.diff.empty());
  BOOST_TEST(Count("status_history") == 1);
}

BOOST_FIXTURE_TEST_CASE(rebuild_keeps_sync_progress_when_status_is_unchanged, StoreFixture) {
  EventStore store(*db, Routes());
  store.Append(Incoming("github", EventSpec{}));
  store.Append(Incoming("github", Named("infra")));
  db->exec(
      "UPDATE commit_statuses SET sync_state = 'synced', synced_at = '2026-11-24T09:00:05.000Z',"
      " attempts = 1 WHERE context = 'kustomization/apps'");
  const auto before = QueryRows(*db, kAllCurrent);

  store.Rebuild();
  const auto rows =
      QueryRows(*db, "SELECT sync_state, synced_at, attempts FROM current_status WHERE context = 'kustomization/apps'");
  BOOST_TEST_REQUIRE(rows.size() == 1u);
  BOOST_TEST(rows[0][0] == "synced");
  BOOST_TEST(rows[0][1] == "2026-11-24T09:00:05.000Z");
  BOOST_TEST(rows[0][2] == "1");
  BOOST_TEST(QueryText(*db, "SELECT sync_state FROM current_status WHERE context = 'kustomization/infra'") ==
             "pending");
  BOOST_TEST((QueryRows(*db, kAllCurrent) == before));
  BOOST_TEST(store.CheckRebuild().equal);
}

BOOST_AUTO_TEST_SUITE_END()
