// The dispatch lease between processes: only its holder sends. A lease left by a process that
// is gone is taken over (at its expiry; at once when the process was on this host), and the
// service waits for a live holder's lease instead of sending beside it.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <thread>

#include "tests/replay_e2e/replay_support.h"
#include "tests/support/files.h"

namespace fluxstatus::replay_e2e {

namespace {

std::string Config(const std::filesystem::path& dir, const FakeGitHost& host) {
  return "routes:\n" + RouteYaml(dir, host, "gh", HostKind::kGitHub) + DispatchYaml(2, 5, "50ms", "100ms");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(DispatchLease)

BOOST_AUTO_TEST_CASE(replay_takes_over_a_lease_from_another_host_once_it_expires) {
  FakeGitHost host;
  testing::TempDir dir;
  testing::WriteFile(dir.path() / "fluxstatus.yaml", Config(dir.path(), host));
  IngestOffline(dir.path(), "gh", EventJson(Succeeded(Sha(41), 0)) + "\n" + EventJson(Failed(Sha(42), 0)) + "\n");
  const std::string db_path = (dir.path() / "fluxstatus.db").string();
  const std::string stale = "another-host.example:4242:00000000deadbeef";
  PlantLease(db_path, stale, NowMs() + 1500);  // its process died without releasing it

  const CliRun run = RunCli(dir.path(), {"replay", "--since", "1h"});
  BOOST_TEST(run.exit_code == 0, run.out << run.err);
  BOOST_TEST(run.out.find("sent by this replay after " + stale + " gave the dispatch lease up") != std::string::npos,
             run.out);
  const auto summary = SummaryOf(run.out);
  BOOST_TEST(summary.at("SENT") == 2);
  BOOST_TEST(summary.at("STILL PENDING") == 0);
  BOOST_TEST(QueryRows(db_path, "SELECT sync_state, count(*) FROM current_status GROUP BY 1") ==
             (std::vector<Row>{{"synced", "2"}}));
  BOOST_TEST(CountRequests(host, "POST") == 2);
  BOOST_TEST(QueryInt(db_path, "SELECT count(*) FROM dispatch_lease") == 0);
}

BOOST_AUTO_TEST_CASE(a_lease_of_a_process_gone_from_this_host_is_taken_at_once) {
  FakeGitHost host;
  testing::TempDir dir;
  testing::WriteFile(dir.path() / "fluxstatus.yaml", Config(dir.path(), host));
  IngestOffline(dir.path(), "gh", EventJson(Succeeded(Sha(43), 0)) + "\n");
  const std::string db_path = (dir.path() / "fluxstatus.db").string();
  // A service on this machine was killed an hour before its lease would expire.
  PlantLease(db_path, ThisHost() + ":" + std::to_string(DeadPid()) + ":0123456789abcdef", NowMs() + 3600 * 1000);

  const CliRun run = RunCli(dir.path(), {"replay", "--since", "1h"});
  BOOST_TEST(run.exit_code == 0, run.out << run.err);
  BOOST_TEST(SummaryOf(run.out).at("SENT") == 1);
  BOOST_TEST(SyncState(db_path, Sha(43), kApps) == "synced");
}

BOOST_AUTO_TEST_CASE(the_service_does_not_send_while_another_live_process_holds_the_lease) {
  FakeGitHost host;
  testing::TempDir dir;
  testing::WriteFile(dir.path() / "fluxstatus.yaml", Config(dir.path(), host));
  BOOST_TEST_REQUIRE(RunCli(dir.path(), {"migrate"}).exit_code == 0);
  const std::string db_path = (dir.path() / "fluxstatus.db").string();
  const std::int64_t expires = NowMs() + 3000;
  PlantLease(db_path, "another-host.example:7:feedfacefeedface", expires);

  Serve serve(dir.path(), Config(dir.path(), host));
  BOOST_TEST_REQUIRE(serve.Hook("gh", Succeeded(Sha(44), 0)).status == 202);
  BOOST_TEST_REQUIRE(WaitUntil([&] { return SyncState(db_path, Sha(44), kApps) == "pending"; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // several dispatch polls
  const std::size_t sent_meanwhile = host.Requests().size();
  if (NowMs() < expires - 200) {
    BOOST_TEST(sent_meanwhile == 0u);  // the other holder's lease is still valid
    BOOST_TEST(SyncState(db_path, Sha(44), kApps) == "pending");
  }
  BOOST_TEST_REQUIRE(WaitAllSynced(db_path, 1));  // after its expiry the service takes over
  BOOST_TEST(CountRequests(host, "POST") == 1);
  BOOST_TEST(QueryText(db_path, "SELECT holder FROM dispatch_lease").find(ThisHost() + ":") == 0u);
  BOOST_TEST(serve.Stop() == 0);
  BOOST_TEST(QueryInt(db_path, "SELECT count(*) FROM dispatch_lease") == 0);  // released at shutdown
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fluxstatus::replay_e2e
