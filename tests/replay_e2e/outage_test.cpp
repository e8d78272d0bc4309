// Outages of a Git host, end to end against the stateful fake host (issue 5, item 4): a host
// down for the whole run drains by itself once back; a host answering 500 until the attempts
// run out leaves `failed` keys that `replay` (beside the running service) delivers once; a
// revoked token fails with a clear last_error, and after the token file is fixed an offline
// `replay` delivers. Each time the host ends up with exactly one status per key.
#include <SQLiteCpp/Database.h>

#include <boost/test/unit_test.hpp>

#include "tests/replay_e2e/replay_support.h"
#include "tests/support/files.h"

namespace fluxstatus::replay_e2e {

BOOST_AUTO_TEST_SUITE(Outages)

BOOST_AUTO_TEST_CASE(a_host_down_for_the_whole_run_gets_every_status_once_it_is_back) {
  FakeGitHost host;
  testing::TempDir dir;
  Serve serve(dir.path(), "routes:\n" + RouteYaml(dir.path(), host, "gh", HostKind::kGitHub) +
                              DispatchYaml(2, 1000, "50ms", "200ms"));
  host.SetDown(true);
  const std::vector<std::string> shas = {Sha(1), Sha(2), Sha(3)};
  for (std::size_t i = 0; i < shas.size(); ++i) {
    BOOST_TEST_REQUIRE(serve.Hook("gh", Succeeded(shas[i], static_cast<int>(i))).status == 202);
  }
  // Every key has been tried (and refused) a few times while the host was down.
  BOOST_TEST_REQUIRE(WaitUntil([&] {
    return QueryInt(serve.db_path(),
                    "SELECT count(*) FROM current_status WHERE sync_state = 'pending' AND attempts >= 2") == 3;
  }));
  BOOST_TEST(host.Requests().empty());
  host.SetDown(false);
  BOOST_TEST_REQUIRE(WaitAllSynced(serve.db_path(), 3));
  for (const auto& sha : shas) {
    BOOST_TEST(CountRequests(host, "POST", sha) == 1, sha);
    BOOST_TEST(HostStates(host, HostKind::kGitHub, "acme/app", sha, kApps) == std::vector<std::string>{"success"});
  }
  BOOST_TEST(QueryText(serve.db_path(), "SELECT group_concat(last_error) FROM current_status") == testing::kNullText);
  BOOST_TEST(serve.Stop() == 0);
}

BOOST_AUTO_TEST_CASE(keys_failed_by_500s_are_delivered_once_by_replay_while_the_service_runs) {
  FakeGitHost host;
  testing::TempDir dir;
  Serve serve(dir.path(),
              "routes:\n" + RouteYaml(dir.path(), host, "gh", HostKind::kGitHub) + DispatchYaml(2, 3, "50ms", "100ms"));
  const std::vector<std::string> shas = {Sha(11), Sha(12), Sha(13)};
  host.FailNext(3 * 3, 500);  // every attempt of every key, until max_attempts (3) is used up
  for (std::size_t i = 0; i < shas.size(); ++i) {
    BOOST_TEST_REQUIRE(serve.Hook("gh", Failed(shas[i], static_cast<int>(i))).status == 202);
  }
  BOOST_TEST_REQUIRE(WaitUntil([&] {
    return QueryInt(serve.db_path(), "SELECT count(*) FROM current_status WHERE sync_state = 'failed'") == 3;
  }));
  // Visible in SQL: why each key failed.
  for (const auto& row : QueryRows(serve.db_path(), "SELECT attempts, last_error FROM current_status")) {
    BOOST_TEST(row[0] == "3");
    BOOST_TEST(row[1].rfind("gave up after 3 attempts: HTTP 500: ", 0) == 0u, row[1]);
  }
  BOOST_TEST(CountRequests(host, "POST") == 9);
  for (const auto& sha : shas) BOOST_TEST(host.Statuses(HostKind::kGitHub, "acme/app", sha).empty());

  // The host is back (the injected 500s are used up). The service holds the dispatch lease, so
  // replay re-folds and marks the keys, and the service's dispatcher sends them.
  const CliRun run = RunCli(dir.path(), {"replay", "--since", "1h"});
  BOOST_TEST(run.exit_code == 0, run.out << run.err);
  const std::string lease_holder = QueryText(serve.db_path(), "SELECT holder FROM dispatch_lease");
  BOOST_TEST(run.out.find("sent by the running dispatcher " + lease_holder) != std::string::npos,
             run.out << " holder " << lease_holder);
  const auto summary = SummaryOf(run.out);
  BOOST_TEST(summary.at("RE-FOLDED") == 3);
  BOOST_TEST(summary.at("ALREADY ON HOST") == 0);
  BOOST_TEST(summary.at("SENT") == 3);
  BOOST_TEST(summary.at("FAILED") == 0);
  BOOST_TEST(QueryRows(serve.db_path(), "SELECT sync_state, count(*) FROM current_status GROUP BY 1") ==
             (std::vector<Row>{{"synced", "3"}}));
  for (const auto& sha : shas) {
    BOOST_TEST(HostStates(host, HostKind::kGitHub, "acme/app", sha, kApps) == std::vector<std::string>{"failure"});
    BOOST_TEST(CountRequests(host, "GET", sha) == 1, sha);       // listed first
    BOOST_TEST(CountRequests(host, "POST", sha) == 3 + 1, sha);  // the three refused, then one
  }
  // The re-fold left what a fresh fold of the log gives.
  const CliRun check = RunCli(dir.path(), {"rebuild", "--check"});
  BOOST_TEST(check.exit_code == 0, check.out << check.err);
  BOOST_TEST(serve.Stop() == 0);
}

BOOST_AUTO_TEST_CASE(a_revoked_token_fails_clearly_and_replay_delivers_once_the_token_file_is_fixed) {
  FakeGitHost host(FakeGitHost::Options{"good-token", "", 1});
  testing::TempDir dir;
  const std::string config = "routes:\n" + RouteYaml(dir.path(), host, "gh", HostKind::kGitHub, "good-token") +
                             DispatchYaml(2, 5, "50ms", "100ms");
  const std::string before = Sha(21), after = Sha(22);
  const auto token_file = dir.path() / "gh.token";
  {
    Serve serve(dir.path(), config);
    BOOST_TEST_REQUIRE(serve.Hook("gh", Succeeded(before, 0)).status == 202);
    BOOST_TEST_REQUIRE(WaitAllSynced(serve.db_path(), 1));
    testing::WriteFile(token_file, "revoked-token-0000\n");  // the host no longer accepts what we send
    BOOST_TEST_REQUIRE(serve.Hook("gh", Succeeded(after, 1)).status == 202);
    BOOST_TEST_REQUIRE(WaitUntil([&] { return SyncState(serve.db_path(), after, kApps) == "failed"; }));
    BOOST_TEST(serve.Stop() == 0);
  }
  const std::string db_path = (dir.path() / "fluxstatus.db").string();
  const std::string error =
      QueryText(db_path, "SELECT last_error FROM current_status WHERE commit_sha = '" + after + "'");
  BOOST_TEST(error.find("401") != std::string::npos, error);
  BOOST_TEST(error.find("Bad credentials") != std::string::npos, error);
  BOOST_TEST(error.find("credentials") != std::string::npos, error);
  BOOST_TEST(error.find("fluxstatus replay") != std::string::npos, error);
  BOOST_TEST(error.find("revoked-token") == std::string::npos, error);  // never the secret
  BOOST_TEST(QueryInt(db_path, "SELECT attempts FROM current_status WHERE commit_sha = '" + after + "'") == 1);

  // A row that drifted from the log (say, edited by hand) is put right by the re-fold.
  {
    SQLite::Database db(db_path, SQLite::OPEN_READWRITE);
    db.exec("UPDATE commit_statuses SET description = 'edited' WHERE commit_sha = '" + before + "'");
  }
  // --dry-run prints the plan and writes nothing.
  const auto untouched = Snapshot(db_path);
  host.ClearRequests();
  const CliRun plan = RunCli(dir.path(), {"replay", "--since", "1h", "--dry-run"});
  BOOST_TEST(plan.exit_code == 0, plan.err);
  BOOST_TEST(plan.out.find("2 events") != std::string::npos, plan.out);
  BOOST_TEST(plan.out.find("2 statuses to re-fold") != std::string::npos, plan.out);
  BOOST_TEST(plan.out.find(after.substr(0, 12)) != std::string::npos, plan.out);
  BOOST_TEST(Snapshot(db_path) == untouched);
  BOOST_TEST(host.Requests().empty());

  testing::WriteFile(token_file, "good-token\n");
  const CliRun run = RunCli(dir.path(), {"replay", "--since", "1h"});  // offline: replay sends itself
  BOOST_TEST(run.exit_code == 0, run.out << run.err);
  BOOST_TEST(run.out.find("sent by the running dispatcher") == std::string::npos, run.out);
  BOOST_TEST(run.out.find("1 row corrected") != std::string::npos, run.out);
  BOOST_TEST(run.out.find("2 synced") != std::string::npos, run.out);
  const auto summary = SummaryOf(run.out);
  BOOST_TEST(summary.at("RE-FOLDED") == 2);
  BOOST_TEST(summary.at("ALREADY ON HOST") == 1);
  BOOST_TEST(summary.at("SENT") == 1);
  BOOST_TEST(summary.at("FAILED") == 0);
  BOOST_TEST(HostStates(host, HostKind::kGitHub, "acme/app", before, kApps) == std::vector<std::string>{"success"});
  BOOST_TEST(HostStates(host, HostKind::kGitHub, "acme/app", after, kApps) == std::vector<std::string>{"success"});
  BOOST_TEST(CountRequests(host, "POST", before) == 0);
  BOOST_TEST(CountRequests(host, "POST", after) == 1);
  BOOST_TEST(QueryText(db_path, "SELECT description FROM current_status WHERE commit_sha = '" + before + "'") !=
             "edited");
  BOOST_TEST(QueryText(db_path, "SELECT group_concat(last_error) FROM current_status") == testing::kNullText);
  BOOST_TEST(QueryInt(db_path, "SELECT count(*) FROM dispatch_lease") == 0);  // released on the way out
  const CliRun check = RunCli(dir.path(), {"rebuild", "--check"});
  BOOST_TEST(check.exit_code == 0, check.out << check.err);
}

BOOST_AUTO_TEST_CASE(replay_exits_non_zero_naming_the_failed_statuses_when_the_host_refuses_them) {
  FakeGitHost host(FakeGitHost::Options{"good-token", "", 1});
  testing::TempDir dir;
  testing::WriteFile(
      dir.path() / "fluxstatus.yaml",
      "routes:\n" + RouteYaml(dir.path(), host, "gh", HostKind::kGitHub, "wrong-token") + DispatchYaml());
  IngestOffline(dir.path(), "gh", EventJson(Failed(Sha(31), 0)) + "\n");
  const CliRun run = RunCli(dir.path(), {"replay", "--since", "1h"});
  BOOST_TEST(run.exit_code == 1, run.out << run.err);
  BOOST_TEST(SummaryOf(run.out).at("FAILED") == 1);
  BOOST_TEST(run.err.find("1 status failed") != std::string::npos, run.err);
  BOOST_TEST(run.err.find("last_error") != std::string::npos, run.err);
  BOOST_TEST(SyncState((dir.path() / "fluxstatus.db").string(), Sha(31), kApps) == "failed");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fluxstatus::replay_e2e
