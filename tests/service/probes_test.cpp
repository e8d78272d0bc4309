// The real `fluxstatus serve` binary over real time: a byte-identical resend followed by quiet
// must not lock the service (issue 12), and the probes tell the truth when the writer cannot
// commit: /readyz stays 503 until a write works again (no flapping), /healthz fails once the
// writer has been stuck for health.stall_after, and both recover by themselves.
#include <future>
#include <string>
#include <thread>

#include <SQLiteCpp/Database.h>
#include <boost/test/unit_test.hpp>

#include "tests/service/service_support.h"
#include "tests/service/timers_support.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace st = fluxstatus::service_testing;
using fluxstatus::timers_testing::WriteLockHolder;
using st::Client;

namespace {

std::string Event(int n, const std::string& reason = "ReconciliationSucceeded") {
  st::EventSpec e;
  e.name = "app-" + std::to_string(n);
  e.reason = reason;
  e.timestamp = st::TimestampPlus(n);
  e.revision = "main@sha1:" + st::Sha(static_cast<std::uint64_t>(n) + 100);
  return st::EventJson(e);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(liveness)

// The sequence that locked every request with 503 "database is locked" until a restart: the
// resend left a statement open on the writer's connection, and the dispatch lease's renewal
// 5 s later made the writer's snapshot stale.
BOOST_AUTO_TEST_CASE(a_resend_then_eight_quiet_seconds_still_accepts_the_next_event) {
  fluxstatus::testing::TempDir dir;
  st::ServiceProcess proc(dir.path(), "routes:\n  - name: app\n");
  BOOST_TEST_REQUIRE(proc.WaitHealthy(std::chrono::seconds(20)), proc.Output());
  Client client;
  const std::string url = proc.Url("/hook/app");
  BOOST_TEST_REQUIRE(client.Post(url, Event(1)).status == 202);
  const auto again = client.Post(url, Event(1));
  BOOST_TEST_REQUIRE(again.status == 202);
  BOOST_TEST(st::ParseAccepted(again.body)->duplicate);
  std::this_thread::sleep_for(std::chrono::seconds(8));
  const auto next = client.Post(url, Event(2));
  BOOST_TEST(next.status == 202, next.body);
  BOOST_TEST(client.Get(proc.Url("/readyz")).status == 200);
  // And it keeps working across another lease renewal.
  std::this_thread::sleep_for(std::chrono::seconds(6));
  BOOST_TEST(client.Post(url, Event(3)).status == 202);
  BOOST_TEST(client.Post(url, Event(3)).status == 202);
  BOOST_TEST(client.Post(url, Event(4)).status == 202);
}

BOOST_AUTO_TEST_CASE(probes_fail_while_the_writer_cannot_commit_and_recover_without_traffic) {
  fluxstatus::testing::TempDir dir;
  st::ServiceProcess proc(dir.path(), "routes:\n  - name: app\nhealth:\n  stall_after: 2s\n");
  BOOST_TEST_REQUIRE(proc.WaitHealthy(std::chrono::seconds(20)), proc.Output());
  Client client;
  BOOST_TEST_REQUIRE(client.Post(proc.Url("/hook/app"), Event(1)).status == 202);

  auto lock = std::make_unique<WriteLockHolder>(proc.db_path());
  // The event waits in a commit that waits for the lock (busy timeout 5 s), then fails: 503.
  auto refused = std::async(std::launch::async, [&] {
    Client sender;
    return sender.Post(proc.Url("/hook/app"), Event(2));
  });
  // Stuck once the commit has waited stall_after (2 s); polled, as the event may reach the
  // writer late on a loaded machine.
  st::Answer stuck = client.Get(proc.Url("/healthz"));
  for (int i = 0; i < 40 && stuck.status != 503; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    stuck = client.Get(proc.Url("/healthz"));
  }
  BOOST_TEST(stuck.status == 503, stuck.body);
  BOOST_TEST(stuck.body.find("inside one commit") != std::string::npos, stuck.body);
  BOOST_TEST(refused.get().status == 503);

  // No traffic now. The old readiness hold turned /readyz green after 10 s although nothing
  // could be written; it must stay 503 while the lock is held.
  std::this_thread::sleep_for(std::chrono::seconds(3));
  const auto unready = client.Get(proc.Url("/readyz"));
  BOOST_TEST(unready.status == 503, unready.body);
  BOOST_TEST(unready.body.find("locked") != std::string::npos, unready.body);
  BOOST_TEST(client.Get(proc.Url("/healthz")).status == 503);
  const auto metrics = client.Get(proc.Url("/metrics")).body;
  BOOST_TEST(metrics.find("fluxstatus_live 0") != std::string::npos, metrics);

  lock->Release();
  // The writer's probe write finds the database writable again, without any event arriving.
  bool ready = false;
  for (int i = 0; i < 100 && !ready; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ready = client.Get(proc.Url("/readyz")).status == 200;
  }
  BOOST_TEST(ready);
  BOOST_TEST(client.Get(proc.Url("/healthz")).status == 200);
  BOOST_TEST(client.Post(proc.Url("/hook/app"), Event(3)).status == 202);
  const std::string log = proc.Output();
  BOOST_TEST(log.find("service is stuck") != std::string::npos, log);
  BOOST_TEST(log.find("service recovered") != std::string::npos, log);
}

BOOST_AUTO_TEST_CASE(serve_refuses_a_database_that_is_not_one_shared_file) {
  fluxstatus::testing::TempDir dir;
  const auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), FLUXSTATUS_BINARY);
    return fluxstatus::testing::RunProcess(dir.path(), args);
  };
  // Each thread would open a database of its own: accepted events would never be sent.
  const auto memory = run({"--db", ":memory:", "serve", "--listen", "127.0.0.1:0"});
  BOOST_TEST(memory.exit_code != 0);
  BOOST_TEST(memory.err.find("not a file path") != std::string::npos, memory.err);
  const auto folder = run({"--db", dir.path().string(), "status"});
  BOOST_TEST(folder.exit_code != 0);
  BOOST_TEST(folder.err.find("is a directory") != std::string::npos, folder.err);
  const auto missing = run({"--db", (dir.path() / "no/such/x.db").string(), "migrate"});
  BOOST_TEST(missing.exit_code != 0);
  BOOST_TEST(missing.err.find("does not exist; create it") != std::string::npos, missing.err);
}

BOOST_AUTO_TEST_SUITE_END()
