// `fluxstatus replay` end to end: after an outage it lists every key of the window on its host
// and posts only what the host lacks; --dry-run prints the plan and changes nothing; the
// window's filters decide which keys are touched.
#include <boost/test/unit_test.hpp>

#include "tests/dispatch_e2e/e2e_support.h"
#include "tests/support/files.h"

namespace fluxstatus::dispatch_e2e {
namespace {

const std::string kApps = "kustomization/apps";

// Everything replay could change, as text.
std::vector<Row> Snapshot(const std::string& db_path) {
  auto rows = QueryRows(db_path, "SELECT * FROM commit_statuses ORDER BY route, commit_sha, context");
  rows.push_back({std::to_string(QueryInt(db_path, "SELECT count(*) FROM delivery_attempts")),
                  std::to_string(QueryInt(db_path, "SELECT count(*) FROM events"))});
  return rows;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ReplayCommand)

BOOST_AUTO_TEST_CASE(replay_posts_only_what_the_host_lacks_when_run_after_an_outage) {
  FakeGitHost host;
  testing::TempDir dir;
  const std::string delivered = Sha(60), reached = Sha(61), missing = Sha(62);
  {
    Serve serve(dir.path(), "routes:\n" + RouteYaml(dir.path(), host, "gh", HostKind::kGitHub) +
                                DispatchYaml(2, 2, "50ms", "100ms"));
    BOOST_TEST_REQUIRE(serve.Hook("gh", Succeeded(delivered, 0)).status == 202);
    BOOST_TEST_REQUIRE(WaitAllSynced(serve.db_path(), 1));
    host.SetDown(true);
    BOOST_TEST_REQUIRE(serve.Hook("gh", Succeeded(reached, 1)).status == 202);
    BOOST_TEST_REQUIRE(serve.Hook("gh", Failed(missing, 2)).status == 202);
    BOOST_TEST_REQUIRE(
        WaitUntil([&] {
          return QueryInt(serve.db_path(), "SELECT count(*) FROM current_status WHERE sync_state = 'failed'") == 2;
        }),
        QueryRows(serve.db_path(),
                  "SELECT group_concat(commit_sha || ' ' || outcome || ' ' || ifnull(error, ''), '; ') FROM "
                  "delivery_attempts")[0][0]
            << QueryRows(
                   serve.db_path(),
                   "SELECT group_concat(commit_sha || ' ' || sync_state || ' ' || attempts, '; ') FROM current_status")
                   [0][0]);
    BOOST_TEST(serve.Stop() == 0);
  }
  host.SetDown(false);
  const std::string db_path = (dir.path() / "fluxstatus.db").string();
  // One of the failed statuses did reach the host in the end (say, another instance sent it).
  PostStatusDirectly(host, HostKind::kGitHub, "t0ken", db_path, "gh", reached, kApps);
  host.ClearRequests();

  const auto before = Snapshot(db_path);
  const CliRun plan = RunCli(dir.path(), {"replay", "--since", "1h", "--dry-run"});
  BOOST_TEST(plan.exit_code == 0, plan.err);
  BOOST_TEST(plan.out.find("3 events") != std::string::npos, plan.out);
  BOOST_TEST(plan.out.find("3 statuses to re-fold and check against their host") != std::string::npos, plan.out);
  for (const auto& sha : {delivered, reached, missing})
    BOOST_TEST(plan.out.find(sha.substr(0, 12)) != std::string::npos);
  BOOST_TEST(host.Requests().empty());
  BOOST_TEST(Snapshot(db_path) == before);

  const CliRun run = RunCli(dir.path(), {"replay", "--since", "1h"});
  BOOST_TEST(run.exit_code == 0, run.out << run.err);
  BOOST_TEST(run.out.find("3 synced") != std::string::npos, run.out);
  BOOST_TEST(QueryRows(db_path, "SELECT sync_state, count(*) FROM current_status GROUP BY 1") ==
             (std::vector<Row>{{"synced", "3"}}));
  for (const auto& sha : {delivered, reached, missing}) {
    BOOST_TEST(CountRequests(host, "GET", sha) == 1, sha);  // listed first, every one
  }
  BOOST_TEST(CountRequests(host, "POST") == 1);
  BOOST_TEST(CountRequests(host, "POST", missing) == 1);
  BOOST_TEST(HostStates(host, HostKind::kGitHub, "acme/app", delivered, kApps) == std::vector<std::string>{"success"});
  BOOST_TEST(HostStates(host, HostKind::kGitHub, "acme/app", reached, kApps) == std::vector<std::string>{"success"});
  BOOST_TEST(HostStates(host, HostKind::kGitHub, "acme/app", missing, kApps) == std::vector<std::string>{"failure"});
  BOOST_TEST(Outcomes(db_path, delivered, kApps).back() == "already_on_host");
  BOOST_TEST(Outcomes(db_path, reached, kApps).back() == "already_on_host");
  BOOST_TEST(Outcomes(db_path, missing, kApps).back() == "delivered");
  BOOST_TEST(QueryInt(db_path, "SELECT count(*) FROM commit_statuses WHERE in_flight = 1") == 0);
  BOOST_TEST(QueryText(db_path, "SELECT group_concat(last_error) FROM current_status") == testing::kNullText);
}

BOOST_AUTO_TEST_CASE(replay_touches_only_the_window_when_filtered_by_commit) {
  FakeGitHost host(FakeGitHost::Options{"gl-token", "", 1});
  testing::TempDir dir;
  testing::WriteFile(dir.path() / "fluxstatus.yaml",
                     "routes:\n" + RouteYaml(dir.path(), host, "gl", HostKind::kGitLab, "gl-token") + DispatchYaml());
  const std::string chosen = Sha(63), other = Sha(64);
  testing::WriteFile(dir.path() / "events.jsonl",
                     EventJson(Succeeded(chosen, 0)) + "\n" + EventJson(Failed(other, 0)) + "\n");
  const CliRun ingest = RunCli(dir.path(), {"ingest", "--route", "gl", (dir.path() / "events.jsonl").string()});
  BOOST_TEST_REQUIRE(ingest.exit_code == 0, ingest.out << ingest.err);
  const std::string db_path = (dir.path() / "fluxstatus.db").string();
  BOOST_TEST_REQUIRE(QueryInt(db_path, "SELECT count(*) FROM current_status WHERE sync_state = 'pending'") == 2);

  const CliRun run = RunCli(dir.path(), {"replay", "--since", "1h", "--commit", chosen.substr(0, 10)});
  BOOST_TEST(run.exit_code == 0, run.out << run.err);
  BOOST_TEST(HostStates(host, HostKind::kGitLab, "acme/app", chosen, kApps) == std::vector<std::string>{"success"});
  BOOST_TEST(HostStates(host, HostKind::kGitLab, "acme/app", other, kApps).empty());
  BOOST_TEST(CountRequests(host, "GET", other) + CountRequests(host, "POST", other) == 0);
  BOOST_TEST(QueryRows(db_path, "SELECT commit_sha, sync_state FROM current_status ORDER BY commit_sha = '" + chosen +
                                    "'") == (std::vector<Row>{{other, "pending"}, {chosen, "synced"}}));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fluxstatus::dispatch_e2e
