// The soak test (issue 12, item 4): the real `fluxstatus serve` under a seeded, realistic Flux
// stream from four concurrent retrying senders, with byte-identical resends (at once, and before
// idle pauses longer than every timer in the service), out-of-order arrivals, 429 and 5xx from
// the Git host, one SIGTERM restart and one SIGKILL while sends are in flight, and all along a
// resync from a test Kubernetes API server whose objects change, shadow the stream's keys and
// whose token rotates (resync_cluster.h). At the end every send must have been acknowledged,
// the log must hold each body once per route, and the folded statuses, the host's newest
// statuses, the aggregate, the deployments and the check runs must equal what the test's own
// reference fold makes of the log; resync must have appended each cluster state that differed
// exactly once (resync_check.cpp).
// SOAK_SEED=N replays a run; SOAK_SECONDS sets its length (`make soak SOAK_MINUTES=30`).
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <iostream>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include <SQLiteCpp/Database.h>
#include <boost/test/unit_test.hpp>

#include "tests/soak/flux_stream.h"
#include "tests/soak/reference_fold.h"
#include "tests/soak/resync_cluster.h"
#include "tests/soak/serve_process.h"
#include "tests/soak/soak_checks.h"
#include "tests/soak/soak_config.h"
#include "tests/soak/soak_traffic.h"
#include "tests/support/fake_git_host.h"
#include "tests/support/files.h"
#include "tests/support/sql.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait_until.h"

namespace fluxstatus::soak {
namespace {

using testing::FakeGitHost;
using testing::HostKind;
using testing::QueryRows;

constexpr int kSenders = 4;
constexpr std::chrono::milliseconds kWaveInterval{3500};
constexpr int kMinWaves = 8;                         // the "at least 8 commits"
constexpr std::chrono::seconds kDeadlineSlack{120};  // after the stream, for retries to finish
constexpr std::chrono::seconds kDrainTimeout{120};
constexpr std::chrono::seconds kGracePeriod{30};  // Kubernetes' default terminationGracePeriodSeconds

struct Settings {
  std::uint64_t seed = 0;
  std::chrono::seconds duration{FLUXSTATUS_SOAK_DEFAULT_SECONDS};
};

Settings FromEnvironment() {
  Settings s;
  if (const char* seed = std::getenv("SOAK_SEED"))
    s.seed = std::strtoull(seed, nullptr, 10);
  else
    s.seed = (static_cast<std::uint64_t>(std::random_device{}()) << 32) | std::random_device{}();
  if (const char* secs = std::getenv("SOAK_SECONDS")) s.duration = std::chrono::seconds(std::max(10L, std::atol(secs)));
  return s;
}

// What happened to the service during the run.
struct Lifecycle {
  int sigterms = 0;
  int sigkills = 0;
  std::vector<std::string> notes;  // for the summary
  long rss_start_kb = 0;
  long rss_end_kb = 0;
  std::string logged;  // LoggedProblems of serve's output, at the end
};

// One SIGTERM restart at 30% of the run and one SIGKILL at 60%, each while senders have
// requests under way and while the host holds its answers, so dispatch sends are under way
// too. serve comes back on the same database and port; senders retry through the gap.
void Restarts(ServeProcess& serve, Traffic& traffic, FakeGitHost& host, const Settings& settings,
              std::chrono::steady_clock::time_point start, Lifecycle& life, Failures& failures) {
  const auto in_flight = [&traffic] { return traffic.gate().WaitActive(std::chrono::seconds(10)); };
  std::this_thread::sleep_until(start + settings.duration * 3 / 10);
  // A slow host (answers 2 s late) so that SIGTERM also finds dispatch sends under way.
  host.SetDelay(std::chrono::milliseconds(2000));
  std::this_thread::sleep_for(std::chrono::seconds(1));
  bool busy = in_flight();
  long rss = serve.RssKb();
  const auto stopped = serve.Terminate(kGracePeriod);
  ++life.sigterms;
  life.notes.push_back("SIGTERM (" + std::string(busy ? "sends in flight" : "no send in flight") + ", RSS " +
                       std::to_string(rss) + " KiB) stopped serve in " + std::to_string(stopped.took.count()) + " ms");
  if (!stopped.status || !WIFEXITED(*stopped.status) || WEXITSTATUS(*stopped.status) != 0) {
    failures.Add(
        "SIGTERM stops serve cleanly (exit 0) within the 30 s grace period",
        "expected exit 0, got " +
            (stopped.status ? "wait status " + std::to_string(*stopped.status) : "still running after 30 s (killed)") +
            "; took " + std::to_string(stopped.took.count()) + " ms\n" + serve.OutputTail(2000));
  }
  serve.Start();
  host.SetDelay(std::chrono::milliseconds(0));

  std::this_thread::sleep_until(start + settings.duration * 6 / 10);
  // The host holds each answer 1 s; the kill comes 300 ms into a wave, after dispatch (polling
  // every 100 ms) has posted its first statuses and while senders still send the wave.
  host.SetDelay(std::chrono::milliseconds(1000));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  busy = in_flight();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  busy = busy && in_flight();
  rss = serve.RssKb();
  serve.Kill();
  ++life.sigkills;
  life.notes.push_back("SIGKILL (" + std::string(busy ? "sends in flight" : "no send in flight") + ", RSS " +
                       std::to_string(rss) + " KiB)");
  serve.Start();
  host.SetDelay(std::chrono::milliseconds(0));
}

// The run must have exercised what it claims, or its passing means nothing.
void CheckCoverage(const ReferenceFold& fold, const FluxStream& stream, const std::vector<LedgerEntry>& ledger,
                   int out_of_order, const Lifecycle& life, const FaultCounts& faults, const std::string& db,
                   Failures& failures) {
  std::set<std::string> kustomizations, commits;
  int helm_keys = 0;
  for (const auto& [key, e] : fold.keys) {
    const std::string& context = std::get<2>(key);
    if (context.rfind("kustomization/", 0) == 0) kustomizations.insert(context);
    if (context.rfind("helmrelease/", 0) == 0) ++helm_keys;
    commits.insert(std::get<1>(key));
  }
  const auto resends =
      std::count_if(ledger.begin(), ledger.end(), [](const auto& e) { return e.kind != SendKind::kOriginal; });
  const auto expect = [&](bool ok, const std::string& what) {
    if (!ok) failures.Add("the run exercised what the soak claims", what);
  };
  expect(kustomizations.size() >= 10,
         "expected >= 10 Kustomization contexts, got " + std::to_string(kustomizations.size()));
  expect(commits.size() >= 8, "expected >= 8 commits, got " + std::to_string(commits.size()));
  expect(helm_keys > 0, "expected HelmRelease statuses, got none");
  expect(resends > 0 && stream.counts().pauses > 0, "expected resends and idle pauses, got " + std::to_string(resends) +
                                                        " and " + std::to_string(stream.counts().pauses));
  expect(out_of_order > 0, "expected out-of-order arrivals in the log, got none");
  expect(life.sigterms == 1 && life.sigkills == 1, "expected one SIGTERM and one SIGKILL");
  const auto count = [&db](const char* where) {
    return std::stoll(QueryRows(db, std::string("SELECT count(*) FROM delivery_attempts WHERE ") + where)[0][0]);
  };
  expect(faults.rate_limits == 0 || count("http_status = 429") > 0, "a 429 was injected but dispatch never saw one");
  expect(faults.server_errors == 0 || count("http_status >= 500") > 0, "a 5xx was injected but dispatch never saw one");
  expect(faults.dropped_answers == 0 || count("http_status IS NULL AND outcome <> 'listed'") > 0,
         "an answer was dropped but dispatch never recorded a call without one");
}

// At the end the service is still healthy and consistent: /readyz, a fresh event per route,
// rebuild --check, a clean stop, and no sanitizer report in its output.
void CheckEnd(ServeProcess& serve, FluxStream& stream, const std::vector<RouteUnderTest>& routes,
              const std::filesystem::path& dir, const std::string& config, const std::string& db, Lifecycle& life,
              Failures& failures) {
  const long ready = serve.GetStatus("/readyz");
  if (ready != 200) failures.Add("/readyz is 200 at the end", "expected 200, got " + std::to_string(ready));
  TrafficGate gate;
  FluxSender sender(gate);
  const std::string fresh = stream.FreshBody();
  for (const auto& r : routes) {
    const SendResult res =
        sender.PostOnce(Endpoint{serve.Url("/hook/" + r.name), r.hmac_key}, fresh, "kustomize-controller");
    if (res.status != 202) {
      failures.Add("a fresh POST gets 202 at the end",
                   "route " + r.name + ": expected 202, got " + std::to_string(res.status) + " " + res.error);
    }
  }
  const CliRun check = RunCli(dir, config, db, {"rebuild", "--check"});
  if (check.exit_code != 0) {
    failures.Add("rebuild --check is clean", "expected exit 0, got " + std::to_string(check.exit_code) + ":\n" +
                                                 check.out.substr(0, 3000) + check.err.substr(0, 1000));
  }
  life.rss_end_kb = serve.RssKb();
  const auto stopped = serve.Terminate(kGracePeriod);
  if (!stopped.status || !WIFEXITED(*stopped.status) || WEXITSTATUS(*stopped.status) != 0) {
    failures.Add("SIGTERM stops serve cleanly (exit 0) within the 30 s grace period",
                 "at the end: took " + std::to_string(stopped.took.count()) + " ms, " +
                     (stopped.status ? "wait status " + std::to_string(*stopped.status) : "killed"));
  }
  const std::string output = serve.Output();
  life.logged = LoggedProblems(output);
  for (const char* marker : {"ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer"}) {
    const auto at = output.find(marker);
    if (at != std::string::npos) failures.Add("serve reports no sanitizer finding", output.substr(at, 3000));
  }
}

// What the traffic phase leaves for the checks.
struct TrafficOutcome {
  std::vector<LedgerEntry> ledger;
  FaultCounts faults;
  std::chrono::seconds took{0};
};

TrafficOutcome RunTraffic(const Settings& settings, FluxStream& stream,
                          const std::map<std::string, Endpoint>& endpoints, FakeGitHost& host, ServeProcess& serve,
                          Lifecycle& life, Failures& failures) {
  const auto started = std::chrono::steady_clock::now();
  TrafficPlan plan;
  plan.seed = settings.seed;
  plan.waves = std::max<int>(kMinWaves, static_cast<int>(settings.duration / kWaveInterval));
  plan.wave_interval = kWaveInterval;
  plan.senders = kSenders;
  plan.deadline = started + settings.duration + kDeadlineSlack;
  Traffic traffic(plan, stream, endpoints, host);
  traffic.Start();
  std::this_thread::sleep_for(std::chrono::seconds(3));
  life.rss_start_kb = serve.RssKb();
  Restarts(serve, traffic, host, settings, started, life, failures);
  traffic.Finish();
  if (traffic.late_dependencies() > 0) {
    life.notes.push_back(std::to_string(traffic.late_dependencies()) + " planned orderings waited out (60 s)");
  }
  return TrafficOutcome{traffic.ledger().entries(), traffic.faults(),
                        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started)};
}

void CheckDrained(const std::string& db, Failures& failures) {
  const auto pending = [&db] {
    return std::stoll(QueryRows(db,
                                "SELECT (SELECT count(*) FROM current_status WHERE sync_state = 'pending') +"
                                " (SELECT count(*) FROM aggregate_status WHERE sync_state = 'pending') +"
                                " (SELECT count(*) FROM deployments WHERE sync_state = 'pending') +"
                                " (SELECT count(*) FROM check_runs WHERE sync_state = 'pending')")[0][0]);
  };
  if (testing::WaitUntil([&] { return pending() == 0; }, kDrainTimeout, std::chrono::milliseconds(100))) return;
  failures.Add("the service drains: no key pending " + std::to_string(kDrainTimeout.count()) + " s after the last send",
               std::to_string(pending()) + " keys still pending (listed under 'every key is synced')");
}

std::string Summary(const std::string& replay, const FluxStream& stream, const TrafficOutcome& traffic,
                    const std::vector<RouteBody>& log, int out_of_order, const ReferenceFold& fold,
                    const FakeGitHost& host, const Lifecycle& life, const std::string& lookups) {
  const auto& ledger = traffic.ledger;
  const auto resends =
      std::count_if(ledger.begin(), ledger.end(), [](const auto& e) { return e.kind != SendKind::kOriginal; });
  const auto percent = [](std::size_t part, std::size_t all) { return 100 * part / std::max<std::size_t>(1, all); };
  std::ostringstream out;
  out << "soak summary, " << replay << ":\n  sent for " << traffic.took.count() << " s: " << stream.commits()
      << " commits, " << stream.counts().events << " events, " << ledger.size() << " sends (" << resends
      << " byte-identical resends = " << percent(static_cast<std::size_t>(resends), ledger.size()) << "%, "
      << stream.counts().pauses << " idle pauses of 6-8 s)\n  " << log.size() << " events logged, " << out_of_order
      << " arrived after a newer event of their key (" << percent(static_cast<std::size_t>(out_of_order), log.size())
      << "%), " << fold.keys.size() << " keys, " << fold.without_commit
      << " events without a commit\n  host faults: " << traffic.faults.rate_limits << " bursts of 429 + Retry-After, "
      << traffic.faults.server_errors << " bursts of 5xx, " << traffic.faults.dropped_answers
      << " answers dropped after a POST; " << host.Requests().size()
      << " requests to the host\n  restarts: " << life.sigterms << " SIGTERM, " << life.sigkills << " SIGKILL";
  for (const auto& note : life.notes) out << "\n  " << note;
  out << "\n  " << lookups << " host lookups before a re-send (sends whose answer a restart or timeout cut off)";
  out << "\n  serve RSS: " << life.rss_start_kb << " KiB at start, " << life.rss_end_kb << " KiB at end";
  out << "\n  serve logged (warnings and errors):" << life.logged;
  return out.str();
}

void RunSoak(const Settings& settings, const std::string& replay) {
  FakeGitHost::Options host_options;
  host_options.token = kToken;
  host_options.threads = 2;
  FakeGitHost host(host_options);
  testing::TempDir dir;
  const auto routes = Routes();
  const std::string config = dir.File("fluxstatus.yaml"), db = dir.File("fluxstatus.db");
  ResyncCluster cluster(settings.seed, dir.path());
  testing::WriteFile(config, Config(dir.path(), host, routes, cluster.KubernetesYaml()));
  ServeProcess serve(dir.path(), config, db);
  serve.Start();
  cluster.Start(db, serve.Url("/metrics"), settings.duration);
  std::map<std::string, Endpoint> endpoints;
  std::map<std::string, std::string> cluster_of_route;
  for (const auto& r : routes) {
    endpoints[r.name] = Endpoint{serve.Url("/hook/" + r.name), r.hmac_key};
    cluster_of_route[r.name] = r.cluster;
  }
  FluxStream stream(settings.seed, {"github", "gitea"});
  Failures failures;
  Lifecycle life;
  const TrafficOutcome traffic = RunTraffic(settings, stream, endpoints, host, serve, life, failures);
  cluster.Finish();

  CheckDrained(db, failures);
  std::vector<RouteBody> log;
  for (const auto& r : QueryRows(db, "SELECT route, body FROM events ORDER BY id"))
    log.push_back(RouteBody{r[0], r[1]});
  const ReferenceFold fold = Fold(log, cluster_of_route);
  const int out_of_order = CountOutOfOrder(log, cluster_of_route);
  CheckAcknowledged(traffic.ledger, failures);
  CheckResendAnswers(traffic.ledger, failures);
  CheckLog(db, traffic.ledger, failures);
  CheckFold(db, fold, failures);
  CheckHost(host, routes, fold, failures);
  CheckAggregate(db, host, routes, kAggregate, fold, failures);
  CheckDeployments(db, host, routes, kAggregate, "github", fold, failures);
  CheckCheckRuns(db, host, routes[0], fold, failures);
  CheckCoverage(fold, stream, traffic.ledger, out_of_order, life, traffic.faults, db, failures);
  CheckEnd(serve, stream, routes, dir.path(), config, db, life, failures);
  CheckResync(db, host, routes[0], cluster, fold, serve.Output(), failures);
  CheckResyncAgain(dir.path(), config, db, failures);

  const std::string lookups =
      QueryRows(db, "SELECT count(*) FROM delivery_attempts WHERE outcome IN ('listed', 'already_on_host')")[0][0];
  const std::string aggregates =
      QueryRows(db,
                "SELECT count(*) || ' commits (' || ifnull(sum(state = 'success'), 0) || ' success, ' ||"
                " ifnull(sum(state = 'failure'), 0) || ' failure, ' || ifnull(sum(state = 'pending'), 0) || ' pending)'"
                " FROM aggregate_status")[0][0];
  std::cout << "  aggregate fleet/" << kAggregate.name << ": " << aggregates << std::endl;
  std::cout << "  deployments: " << DeploymentSummary(db, host, "acme/fleet") << std::endl;
  std::cout << "  check runs: " << CheckRunSummary(db, host, routes[0]) << std::endl;
  std::cout << "  resync: " << ResyncSummary(db, cluster) << std::endl;
  const std::string summary = Summary(replay, stream, traffic, log, out_of_order, fold, host, life, lookups);
  BOOST_TEST_MESSAGE(summary);
  std::cout << summary << std::endl;
  BOOST_TEST(failures.empty(), failures.Report(replay));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(soak)

BOOST_AUTO_TEST_CASE(flux_traffic_with_restarts_and_host_faults_converges_to_the_reference_fold) {
  const Settings settings = FromEnvironment();
  const std::string replay = "seed " + std::to_string(settings.seed) +
                             " (replay: SOAK_SEED=" + std::to_string(settings.seed) +
                             " SOAK_SECONDS=" + std::to_string(settings.duration.count()) + " tests/soak/soak_tests)";
  std::cout << "soak: " << settings.duration.count() << " s, " << replay << std::endl;
  try {
    RunSoak(settings, replay);
  } catch (const std::exception& e) {
    BOOST_FAIL("soak aborted, " << replay << ": " << e.what());
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fluxstatus::soak
