// The real `fluxstatus serve` resyncing from a Kubernetes API server over real time: events
// lost while it was down come back from the cluster's objects and reach the Git host, the
// bound token is re-read at every resync, and a cluster that refuses it shows in the metrics
// and the log while the probes stay green (the cluster's API is no reason to restart).
#include <boost/test/unit_test.hpp>

#include "tests/dispatch_e2e/resync_support.h"
#include "tests/dispatch_e2e/serve_support.h"

namespace fluxstatus::dispatch_e2e {
namespace {

constexpr auto kWait = std::chrono::seconds(30);

bool HostShows(const ResyncWorld& world, const std::string& sha, const std::string& state) {
  const auto states = HostStates(world.host, HostKind::kGitHub, RepoFor(HostKind::kGitHub), sha, "kustomization/apps");
  return !states.empty() && states.back() == HostState(HostKind::kGitHub, state);
}

// The value of a metric line "name{labels} value" (or "name value"); -1 when absent.
double Metric(const Serve& serve, const std::string& series) {
  const Reply r = HttpGet(serve.Url("/metrics"));
  const auto at = r.body.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(r.body.substr(at + series.size() + 2));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(resync_serve)

BOOST_AUTO_TEST_CASE(events_lost_while_down_come_back_from_the_cluster_and_reach_the_host) {
  testing::KubeconfigOptions token_file;
  token_file.token_as_file = true;  // re-read at every resync, as a pod's bound token
  ResyncWorld world(token_file);
  const std::string old_sha = testing::Sha(11), new_sha = testing::Sha(12), next_sha = testing::Sha(13);
  world.Cluster({}, {});
  {
    Serve serve(world.dir.path(), world.Config("0"));
    Accepted(serve.Hook("gh", Progressing(old_sha, 0)));
    BOOST_TEST_REQUIRE(WaitUntil([&] { return HostShows(world, old_sha, "pending"); }, kWait));
    BOOST_TEST_REQUIRE(serve.Stop() == 0);
  }
  // While fluxstatus is down, Flux applies old_sha, then tries new_sha and fails: both events lost.
  world.Cluster(
      {FailedAttempt(old_sha, new_sha, "HealthCheckFailed",
                     "timeout waiting for: [Deployment/apps/web status: 'InProgress']", "2026-11-24T10:20:00Z")},
      {Stored(new_sha)});

  Serve serve(world.dir.path(), world.Config("2s"));
  BOOST_TEST_REQUIRE(
      WaitUntil([&] { return HostShows(world, old_sha, "success") && HostShows(world, new_sha, "failure"); }, kWait),
      serve.Output());
  BOOST_TEST(world.ResyncEvents() >= 2);
  BOOST_TEST(Metric(serve, "fluxstatus_resync_last_success_timestamp_seconds") > 0);
  BOOST_TEST(Metric(serve, "fluxstatus_resync_events_synthesized_total") >= 2);

  // The bound token rotates between two resyncs: the next one reads the new one from its file.
  world.kube.SetToken("rotated-token");
  world.WriteKubeconfig();
  world.Cluster({Applied(next_sha, "2026-11-24T10:40:00Z")}, {Stored(next_sha)});
  BOOST_TEST_REQUIRE(WaitUntil([&] { return HostShows(world, next_sha, "success"); }, kWait), serve.Output());

  // A resync that finds nothing new appends nothing, however often it runs.
  const std::int64_t events = QueryInt(world.db_path(), "SELECT count(*) FROM events");
  const double passes = Metric(serve, "fluxstatus_resync_last_success_timestamp_seconds");
  BOOST_TEST_REQUIRE(
      WaitUntil([&] { return Metric(serve, "fluxstatus_resync_last_success_timestamp_seconds") > passes; }, kWait));
  BOOST_TEST(QueryInt(world.db_path(), "SELECT count(*) FROM events") == events);
  BOOST_TEST(serve.Stop() == 0);
}

BOOST_AUTO_TEST_CASE(a_refusing_cluster_shows_in_metrics_and_log_while_the_probes_stay_green) {
  ResyncWorld world;
  world.Cluster({Applied(testing::Sha(14), "2026-11-24T10:05:00Z")}, {});
  world.kube.Forbid("kustomizations");
  Serve serve(world.dir.path(), world.Config("1s"));
  const std::string series = "fluxstatus_resync_errors_total{reason=\"forbidden\"}";
  BOOST_TEST_REQUIRE(WaitUntil([&] { return Metric(serve, series) >= 2; }, kWait), serve.Output());
  BOOST_TEST(HttpGet(serve.Url("/healthz")).status == 200);
  BOOST_TEST(HttpGet(serve.Url("/readyz")).status == 200);
  BOOST_TEST(serve.Output().find("list kustomizations.kustomize.toolkit.fluxcd.io") != std::string::npos);
  BOOST_TEST(serve.Output().find(world.kube.token()) == std::string::npos);
  BOOST_TEST(world.ResyncEvents() == 0);

  world.kube.Allow("kustomizations");
  BOOST_TEST(WaitUntil([&] { return world.ResyncEvents() == 1; }, kWait), serve.Output());
  BOOST_TEST(serve.Stop() == 0);
}

BOOST_AUTO_TEST_CASE(with_no_route_to_file_on_every_resync_fails_so_the_alert_fires) {
  ResyncWorld world;
  world.Cluster({Applied(testing::Sha(15), "2026-11-24T10:05:00Z")}, {});
  std::string config = world.Config("1s");
  const auto at = config.find("    match:");
  config.erase(at, config.find('\n', at) + 1 - at);  // the route keeps no `match`
  Serve serve(world.dir.path(), config);
  const std::string series = "fluxstatus_resync_errors_total{reason=\"no_route\"}";
  BOOST_TEST_REQUIRE(WaitUntil([&] { return Metric(serve, series) >= 2; }, kWait), serve.Output());
  BOOST_TEST(Metric(serve, "fluxstatus_resync_last_success_timestamp_seconds") == 0);
  BOOST_TEST(serve.Output().find("no route has a `match` list") != std::string::npos);
  BOOST_TEST(serve.Stop() == 0);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fluxstatus::dispatch_e2e
