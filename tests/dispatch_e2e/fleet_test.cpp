// Three clusters, one aggregate (issue 15): the real `fluxstatus serve` sums the three routes'
// statuses for a commit into `fleet/production` and posts it on the fake GitHub as it changes:
// pending while a cluster has not reported, success once all three have, failure naming the
// cluster that failed. A restart re-posts nothing the host already shows, and `rebuild --check`
// agrees with what the live service derived.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "tests/dispatch_e2e/e2e_support.h"
#include "tests/dispatch_e2e/serve_support.h"
#include "tests/support/files.h"

namespace fluxstatus::dispatch_e2e {
namespace {

const std::string kFleet = "fleet/production";
const std::vector<std::string> kClusters = {"prod-eu", "prod-us", "prod-ap"};

std::string FleetConfig(const std::filesystem::path& dir, const FakeGitHost& host) {
  std::string routes;
  for (const auto& cluster : kClusters) {
    routes += RouteYaml(dir, host, cluster, HostKind::kGitHub, "s3cret") + "    cluster: " + cluster + "\n";
  }
  return ServeConfig(routes) +
         "aggregates:\n"
         "  - name: production\n"
         "    route: prod-eu\n"
         "    members: [prod-eu, prod-us, prod-ap]\n"
         "    contexts: [\"kustomization/*\"]\n"
         "    rule: all\n";
}

// The fleet status as the host shows it: the newest one's state and description.
struct Shown {
  std::string state;
  std::string description;
  int posts = 0;
};
Shown FleetOnHost(const FakeGitHost& host, const std::string& sha) {
  Shown shown;
  for (const auto& s : host.Statuses(HostKind::kGitHub, RepoFor(HostKind::kGitHub), sha)) {
    if (s.context != kFleet) continue;
    shown.state = s.state;
    shown.description = s.description;
    ++shown.posts;
  }
  return shown;
}

// Waits for the host to show it; on a timeout, says what the host shows instead.
bool HostShows(const FakeGitHost& host, const std::string& sha, const std::string& state,
               const std::string& description) {
  if (WaitUntil([&] {
        const Shown shown = FleetOnHost(host, sha);
        return shown.state == state && shown.description == description;
      })) {
    return true;
  }
  const Shown shown = FleetOnHost(host, sha);
  BOOST_TEST_MESSAGE("the host shows " << kFleet << " " << shown.state << " '" << shown.description << "' after "
                                       << shown.posts << " posts");
  return false;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(Fleet)

BOOST_AUTO_TEST_CASE(three_clusters_add_up_to_one_fleet_status_that_names_the_cluster_that_failed) {
  FakeGitHost host(FakeGitHost::Options{"s3cret", "", 1});
  testing::TempDir dir;
  auto serve = std::make_unique<Serve>(dir.path(), FleetConfig(dir.path(), host));
  const std::string first = Sha(40);

  Accepted(serve->Hook("prod-eu", Succeeded(first, 10)));
  BOOST_TEST(HostShows(host, first, "pending", "1/3 clusters ready"));
  Accepted(serve->Hook("prod-us", Succeeded(first, 11)));
  BOOST_TEST(HostShows(host, first, "pending", "2/3 clusters ready"));
  Accepted(serve->Hook("prod-ap", Succeeded(first, 12)));
  BOOST_TEST(HostShows(host, first, "success", "3/3 clusters ready"));
  // The host has it before the worker's record commits: wait for the record too.
  BOOST_TEST(WaitUntil([&] {
    return QueryText(serve->db_path(),
                     "SELECT state || ' ' || members_ready || '/' || members_total || ' ' ||"
                     " sync_state FROM aggregate_status WHERE commit_sha = '" +
                         first + "'") == "success 3/3 synced";
  }));

  // A second commit fails its health check on one cluster.
  const std::string second = Sha(41);
  Accepted(serve->Hook("prod-eu", Succeeded(second, 20)));
  Accepted(serve->Hook("prod-us", Succeeded(second, 21)));
  Ev failed = Failed(second, 22);
  failed.reason = "HealthCheckFailed";
  failed.message = "timeout waiting for: [Deployment/default/web status: 'InProgress']";
  Accepted(serve->Hook("prod-ap", failed));
  BOOST_TEST(HostShows(host, second, "failure",
                       "2/3 clusters ready; prod-ap: health check failed: timeout waiting for:"
                       " [Deployment/default/web status: 'InProgress']"));
  BOOST_TEST(FleetOnHost(host, first).state == "success");  // the first commit's verdict stands

  // Each change was posted once: 1/3, 2/3, 3/3 for the first commit. The second may have
  // skipped a pending step if its events were folded before the first post; never more than 3.
  BOOST_TEST(FleetOnHost(host, first).posts == 3);
  BOOST_TEST(FleetOnHost(host, second).posts <= 3);
  const int posts_before = CountRequests(host, "POST", "/statuses/");

  // A restart posts nothing the host already has, and the live rows equal a fresh fold.
  BOOST_TEST(serve->Stop() == 0);
  serve = std::make_unique<Serve>(dir.path(), FleetConfig(dir.path(), host));
  Accepted(serve->Hook("prod-eu", Succeeded(second, 20)));  // Flux resending: a duplicate
  BOOST_TEST_REQUIRE(WaitAllSynced(serve->db_path(), 6));
  BOOST_TEST(QueryInt(serve->db_path(), "SELECT count(*) FROM aggregate_status WHERE sync_state <> 'synced'") == 0);
  BOOST_TEST(CountRequests(host, "POST", "/statuses/") == posts_before);
  BOOST_TEST(serve->Stop() == 0);
  const auto check = RunCli(dir.path(), {"rebuild", "--check"});
  BOOST_TEST(check.exit_code == 0, check.out + check.err);

  // `status` lists the aggregate beside the clusters' statuses, and `status --wait` counts it.
  const auto listed = RunCli(dir.path(), {"status", "--commit", first});
  BOOST_TEST(listed.exit_code == 0, listed.err);
  BOOST_TEST(listed.out.find(kFleet) != std::string::npos, listed.out);
  const auto waited = RunCli(dir.path(), {"status", "--wait", "--commit", first, "--timeout", "5s"});
  BOOST_TEST(waited.exit_code == 0, waited.out + waited.err);
  BOOST_TEST(waited.out.find("4 statuses are success") != std::string::npos, waited.out);
  const auto failing = RunCli(dir.path(), {"status", "--wait", "--commit", second, "--timeout", "5s"});
  BOOST_TEST(failing.exit_code == 1, failing.out + failing.err);
  BOOST_TEST(failing.out.find(kFleet) != std::string::npos, failing.out);

  // Every call for the aggregate is in delivery_attempts, under its context.
  BOOST_TEST(QueryInt(serve->db_path(), "SELECT count(*) FROM delivery_attempts WHERE context = '" + kFleet +
                                            "' AND outcome = 'delivered'") >= 4);
}

// With the service down, `ingest` files each cluster's events and an offline `replay` sends
// them: the clusters' statuses and the aggregate alike.
BOOST_AUTO_TEST_CASE(an_offline_replay_posts_the_fleet_status_with_the_clusters_statuses) {
  FakeGitHost host(FakeGitHost::Options{"s3cret", "", 1});
  testing::TempDir dir;
  testing::WriteFile(dir.path() / "fluxstatus.yaml", FleetConfig(dir.path(), host));
  const std::string sha = Sha(43);
  int at = 0;
  for (const auto& cluster : kClusters) {
    const auto file = dir.path() / (cluster + ".json");
    testing::WriteFile(file, EventJson(Succeeded(sha, ++at)));
    const auto ingested = RunCli(dir.path(), {"ingest", "--route", cluster, file.string()});
    BOOST_TEST_REQUIRE(ingested.exit_code == 0, ingested.out + ingested.err);
  }
  BOOST_TEST(FleetOnHost(host, sha).posts == 0);
  const auto replayed = RunCli(dir.path(), {"replay", "--since", "1h"});
  BOOST_TEST_REQUIRE(replayed.exit_code == 0, replayed.out + replayed.err);
  const Shown shown = FleetOnHost(host, sha);
  BOOST_TEST(shown.state == "success");
  BOOST_TEST(shown.description == "3/3 clusters ready");
  BOOST_TEST(shown.posts == 1);
  BOOST_TEST(QueryText(dir.path() / "fluxstatus.db", "SELECT sync_state FROM aggregate_status") == "synced");
}

// The API calls one commit costs with 3 clusters x 2 Kustomizations, each going Progressing ->
// ReconciliationSucceeded (the closing-note figure): one POST per status change, and
// one per change of the aggregate's text, which never exceeds "0/3", "1/3", "2/3", "3/3".
BOOST_AUTO_TEST_CASE(
    a_commit_on_three_clusters_with_two_kustomizations_costs_12_status_posts_and_at_most_4_fleet_posts) {
  FakeGitHost host(FakeGitHost::Options{"s3cret", "", 1});
  testing::TempDir dir;
  Serve serve(dir.path(), FleetConfig(dir.path(), host));
  const std::string sha = Sha(42);
  int at = 0;
  for (const auto& cluster : kClusters) {
    for (const char* name : {"infra", "apps"}) Accepted(serve.Hook(cluster, Progressing(sha, ++at, name)));
  }
  const auto cluster_posts = [&] {
    int posts = 0;
    for (const auto& s : host.Statuses(HostKind::kGitHub, RepoFor(HostKind::kGitHub), sha)) {
      if (s.context != kFleet) ++posts;
    }
    return posts;
  };
  // The service coalesces a pending that is overtaken before it is sent (newest wins), so the
  // figure is for a Flux that reports Progressing well before the outcome, as it does: wait for
  // the six pending posts before the outcomes arrive.
  BOOST_TEST_REQUIRE(WaitUntil([&] { return cluster_posts() == 6; }));
  for (const auto& cluster : kClusters) {
    for (const char* name : {"infra", "apps"}) Accepted(serve.Hook(cluster, Succeeded(sha, ++at, name)));
  }
  BOOST_TEST_REQUIRE(HostShows(host, sha, "success", "3/3 clusters ready"));
  BOOST_TEST_REQUIRE(WaitAllSynced(serve.db_path(), 6));
  const int status_posts = cluster_posts();
  const int fleet_posts = FleetOnHost(host, sha).posts;
  const int calls = CountRequests(host, "POST") + CountRequests(host, "GET");
  BOOST_TEST_MESSAGE("one commit, 3 clusters x 2 contexts: " << status_posts << " status posts, " << fleet_posts
                                                             << " fleet posts, " << calls << " calls in all");
  BOOST_TEST(status_posts == 12);
  BOOST_TEST(fleet_posts >= 1);
  BOOST_TEST(fleet_posts <= 4);
  BOOST_TEST(calls == status_posts + fleet_posts);  // no lookups on a healthy host
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fluxstatus::dispatch_e2e
