// The real `fluxstatus serve` when things go wrong: SIGTERM with a host that never answers
// (out within 10 s, the cut send landing once after the restart), a permanent failure in the
// log at error, and the gauges a user alerts on.
#include <boost/test/unit_test.hpp>

#include <csignal>

#include "tests/dispatch_e2e/e2e_support.h"
#include "tests/dispatch_e2e/log_lines.h"
#include "tests/dispatch_e2e/serve_support.h"

namespace fluxstatus::dispatch_e2e {
namespace {

const std::string kApps = "kustomization/apps";

}  // namespace

BOOST_AUTO_TEST_SUITE(ServeHealth)

BOOST_AUTO_TEST_CASE(sigterm_with_a_host_that_never_answers_exits_within_10_s_and_the_send_lands_once) {
  FakeGitHost host;
  testing::TempDir dir;
  const std::string config = ServeConfig(RouteYaml(dir.path(), host, "gh", HostKind::kGitHub));
  const std::string sha = Sha(95);
  {
    Serve serve(dir.path(), config);
    host.SetDelay(std::chrono::seconds(60));  // applied at once, never answered in time
    Accepted(serve.Hook("gh", Succeeded(sha, 0)));
    BOOST_TEST_REQUIRE(WaitUntil([&] { return CountRequests(host, "POST") == 1; }));
    const auto signalled = std::chrono::steady_clock::now();
    const int status = serve.Stop(SIGTERM);
    const auto took = std::chrono::steady_clock::now() - signalled;
    BOOST_TEST(status == 0, serve.Output());  // exited with code 0
    BOOST_TEST(took < std::chrono::seconds(10), std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                                                    << " ms");
  }
  host.SetDelay(std::chrono::milliseconds(0));
  Serve restarted(dir.path(), config);
  BOOST_TEST_REQUIRE(WaitAllSynced(restarted.db_path(), 1));
  BOOST_TEST(HostStates(host, HostKind::kGitHub, "acme/app", sha, kApps) == std::vector<std::string>{"success"});
  BOOST_TEST(CountRequests(host, "POST") == 1);
  // The cut send was uncertain, so the restart looked before posting again.
  BOOST_TEST(Outcomes(restarted.db_path(), sha, kApps) == (std::vector<std::string>{"uncertain", "already_on_host"}));
  BOOST_TEST(restarted.Stop() == 0);
}

BOOST_AUTO_TEST_CASE(a_permanent_failure_is_logged_at_error_with_the_key_and_the_http_status) {
  FakeGitHost host;
  testing::TempDir dir;
  Serve serve(dir.path(), ServeConfig(RouteYaml(dir.path(), host, "gh", HostKind::kGitHub)));
  const std::string sha = Sha(96);
  host.FailNext(1, 422, {}, R"({"message":"Validation Failed"})");
  Accepted(serve.Hook("gh", Succeeded(sha, 0)));
  BOOST_TEST_REQUIRE(WaitUntil([&] { return SyncState(serve.db_path(), sha, kApps) == "failed"; }));
  std::vector<std::map<std::string, std::string>> lines;
  BOOST_TEST_REQUIRE(WaitUntil([&] {
                       lines = LogLinesWith(serve.Output(), {{"level", "error"}, {"msg", "status delivery failed"}});
                       return !lines.empty();
                     }),
                     serve.Output());
  auto& line = lines.front();
  BOOST_TEST(line["route"] == "gh");
  BOOST_TEST(line["commit"] == sha);
  BOOST_TEST(line["context"] == kApps);
  BOOST_TEST(line["http_status"] == "422");
  BOOST_TEST(line["error"].find("Validation Failed") != std::string::npos, line["error"]);
  BOOST_TEST(serve.Stop() == 0);
}

BOOST_AUTO_TEST_CASE(metrics_count_statuses_by_sync_state_and_the_workers_alive) {
  FakeGitHost host;
  testing::TempDir dir;
  Serve serve(dir.path(), ServeConfig(RouteYaml(dir.path(), host, "gh", HostKind::kGitHub), DispatchYaml(3)));
  host.FailNext(1, 422);
  Accepted(serve.Hook("gh", Succeeded(Sha(97), 0)));
  BOOST_TEST_REQUIRE(WaitUntil([&] { return SyncState(serve.db_path(), Sha(97), kApps) == "failed"; }));
  Accepted(serve.Hook("gh", Succeeded(Sha(98), 0)));
  BOOST_TEST_REQUIRE(WaitUntil([&] { return SyncState(serve.db_path(), Sha(98), kApps) == "synced"; }));
  std::string body;
  BOOST_TEST(WaitUntil([&] {
               body = HttpGet(serve.Url("/metrics")).body;
               return body.find("fluxstatus_statuses{sync_state=\"synced\"} 1\n") != std::string::npos;
             }),
             body);
  BOOST_TEST(body.find("fluxstatus_statuses{sync_state=\"failed\"} 1\n") != std::string::npos, body);
  BOOST_TEST(body.find("fluxstatus_statuses{sync_state=\"pending\"} 0\n") != std::string::npos, body);
  BOOST_TEST(body.find("fluxstatus_statuses{sync_state=\"skipped\"} 0\n") != std::string::npos, body);
  BOOST_TEST(body.find("fluxstatus_dispatch_workers_alive 3\n") != std::string::npos, body);
  BOOST_TEST(serve.Stop() == 0);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fluxstatus::dispatch_e2e
