// Check runs end to end (issue 16): the real `fluxstatus serve` with a GitHub App route
// reporting `[status, check]` shows each status as a check run: moved in place while in
// progress, a new run once completed, never PATCHed after completion, never created twice
// after a SIGKILL or a lost answer; the statuses go on as before. A token route is refused.
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <ctime>
#include <string>
#include <vector>

#include "tests/dispatch_e2e/e2e_support.h"
#include "tests/dispatch_e2e/serve_support.h"
#include "tests/support/files.h"

namespace fluxstatus::dispatch_e2e {
namespace {

const std::string kToken = "ghs_check-runs-installation-token";
const std::string kRepo = "acme/app";
const std::string kContext = "kustomization/apps/prod-eu";  // the cluster is part of the name

// Flux's two-line health-check failure naming three resources (as the golden output's).
const std::string kFailureLine =
    "health check failed after 5m0.031s: timeout waiting for: [Deployment/apps/podinfo status: 'InProgress', "
    "StatefulSet/db/pg status: 'Failed', ClusterRole/podinfo-reader status: 'NotFound']";
const std::string kSecondLine =
    "Deployment/apps/podinfo: failed to pull image \"ghcr.io/stefanprodan/podinfo:6.9.9\": not found";

Ev HealthCheckFailed(const std::string& sha, int at, const std::string& duration = "5m0.031s") {
  Ev e = Failed(sha, at);
  std::string first = kFailureLine;
  first.replace(first.find("5m0.031s"), 8, duration);
  e.message = first + "\n" + kSecondLine;
  return e;
}

// One fake host serving both the App's API (installation 9001 of App 4242) and the repository;
// its credential is the installation token, the only one that may write check runs.
struct AppHost {
  FakeGitHost host{FakeGitHost::Options{kToken, "", 1}};
  testing::TempDir dir;

  AppHost() {
    const auto keys = testing::MakeGitHubAppKeys();
    host.SetGitHubApp("4242", keys.public_pem, kToken, static_cast<std::int64_t>(std::time(nullptr)) + 3600);
    host.InstallGitHubApp("acme", /*organization=*/true, 9001);
    testing::WriteFile(dir.path() / "app.pem", keys.private_pem);
  }

  std::string Config(const std::string& report = "[status, check]") const {
    return ServeConfig(
        "  - name: prod-eu\n    provider: github\n    address: " + host.Address(HostKind::kGitHub, kRepo) +
        "\n    cluster: prod-eu\n    github_app_id: \"4242\"\n    github_installation_id: \"9001\"\n"
        "    github_private_key_file: app.pem\n"
        "    target_url: \"https://ci.example.com/{cluster}/{name}\"\n    report: " +
        report + "\n");
  }

  std::vector<testing::FakeCheckRun> Runs(const std::string& sha) const {
    return host.GitHubCheckRuns(kRepo, sha, kContext);
  }

  // Waits until the newest run shows `status` (and `conclusion` once completed) and there
  // are `count` runs.
  bool NewestShows(const std::string& sha, std::size_t count, const std::string& status,
                   const std::string& conclusion = "") const {
    if (WaitUntil([&] {
          const auto runs = Runs(sha);
          return runs.size() == count && runs.back().status == status && runs.back().conclusion == conclusion;
        })) {
      return true;
    }
    const auto runs = Runs(sha);
    BOOST_TEST_MESSAGE(runs.size() << " runs; the newest " << (runs.empty() ? "none" : runs.back().status) << " "
                                   << (runs.empty() ? "" : runs.back().conclusion));
    return false;
  }

  // Waits until the commit status of the key reads `state` on the host.
  bool StatusShows(const std::string& sha, const std::string& state) const {
    return WaitUntil([&] {
      const auto states = HostStates(host, HostKind::kGitHub, kRepo, sha, kContext);
      return !states.empty() && states.back() == state;
    });
  }

  // Check-run calls, leaving out those naming `other` (another Kustomization's key).
  int CheckRunCalls(const std::string& other = "") const {
    int n = 0;
    for (const auto& r : host.Requests()) {
      const bool about_other =
          !other.empty() && (r.target.find(other) != std::string::npos || r.body.find(other) != std::string::npos);
      n += r.target.find("check-runs") != std::string::npos && !about_other ? 1 : 0;
    }
    return n;
  }
};

// What the run went through, a state once however often its output changed in it (a run found
// in progress after a crash is PATCHed with the current output).
std::vector<std::string> StatusesOf(const testing::FakeCheckRun& run) {
  std::vector<std::string> out;
  for (const auto& h : run.history) {
    std::string shown = h.status + (h.conclusion.empty() ? "" : "/" + h.conclusion);
    if (out.empty() || out.back() != shown) out.push_back(std::move(shown));
  }
  return out;
}

// The check_runs row of the key is synced and names `id`.
bool RowSyncedOn(const std::string& db_path, std::int64_t id) {
  return WaitUntil([&] {
    const auto rows = QueryRows(db_path, "SELECT sync_state, host_check_run_id FROM check_runs");
    return rows.size() == 1 && rows[0][0] == "synced" && rows[0][1] == std::to_string(id);
  });
}

}  // namespace

BOOST_AUTO_TEST_SUITE(CheckRuns)

BOOST_FIXTURE_TEST_CASE(a_failure_then_fixed_moves_one_run_in_place_then_starts_a_second_and_costs_three_calls,
                        AppHost) {
  auto serve = std::make_unique<Serve>(dir.path(), Config());
  const std::string sha = Sha(80);
  Accepted(serve->Hook("prod-eu", Progressing(sha, 0)));
  BOOST_TEST_REQUIRE(NewestShows(sha, 1, "in_progress"));
  BOOST_TEST_REQUIRE(StatusShows(sha, "pending"));
  Accepted(serve->Hook("prod-eu", HealthCheckFailed(sha, 300)));
  BOOST_TEST_REQUIRE(NewestShows(sha, 1, "completed", "failure"));
  BOOST_TEST_REQUIRE(StatusShows(sha, "failure"));

  // The one run went from in progress to failure in place, and shows the whole failure.
  const auto failed = Runs(sha).at(0);
  BOOST_TEST(StatusesOf(failed) == (std::vector<std::string>{"in_progress", "completed/failure"}));
  BOOST_TEST(failed.external_id == "fluxstatus:prod-eu:" + kContext);
  BOOST_TEST(failed.output.title == "health check failed");
  BOOST_TEST(failed.output.text.find(kSecondLine) != std::string::npos, failed.output.text);
  for (const char* row : {"| Deployment | apps | podinfo | InProgress |", "| StatefulSet | db | pg | Failed |",
                          "| ClusterRole | *cluster-scoped* | podinfo-reader | NotFound |"}) {
    BOOST_TEST(failed.output.summary.find(row) != std::string::npos, row << " in\n" << failed.output.summary);
  }
  BOOST_TEST(failed.started_at == "2026-11-24T10:00:00Z");  // when the reconcile began
  BOOST_TEST(failed.completed_at == "2026-11-24T10:05:00Z");
  BOOST_TEST(failed.details_url == "https://ci.example.com/prod-eu/apps");

  // Fixed: GitHub shows a second run of the same name, the first left as it was.
  Accepted(serve->Hook("prod-eu", Succeeded(sha, 360)));
  BOOST_TEST_REQUIRE(NewestShows(sha, 2, "completed", "success"));
  const auto runs = Runs(sha);
  BOOST_TEST(StatusesOf(runs[0]) == StatusesOf(failed));
  BOOST_TEST(runs[1].completed_at == "2026-11-24T10:06:00Z");
  BOOST_TEST(host.GitHubCheckRunPatchesAfterCompletion() == 0);
  BOOST_TEST(HostStates(host, HostKind::kGitHub, kRepo, sha, kContext) ==
             (std::vector<std::string>{"pending", "failure", "success"}));
  BOOST_TEST_REQUIRE(RowSyncedOn(serve->db_path(), runs[1].id));
  BOOST_TEST_REQUIRE(WaitAllSynced(serve->db_path(), 1));

  // The closing-note figure: the calls of the key's check runs, each in delivery_attempts.
  const int creates = CountRequests(host, "POST", "/check-runs");
  const int patches = CountRequests(host, "PATCH", "/check-runs/");
  const int lookups = CountRequests(host, "GET", "/check-runs");
  const auto attempts =
      QueryInt(serve->db_path(), "SELECT count(*) FROM delivery_attempts WHERE sink = 'check' AND context = '" +
                                     kContext + "' AND commit_sha = '" + sha + "'");
  BOOST_TEST_MESSAGE("Progressing -> HealthCheckFailed -> ReconciliationSucceeded, one key: "
                     << creates << " creates, " << patches << " PATCHes, " << lookups << " lookups = "
                     << CheckRunCalls() << " check-run calls; " << attempts << " delivery_attempts rows (sink check)");
  BOOST_TEST(creates == 2);
  BOOST_TEST(patches == 1);
  BOOST_TEST(CheckRunCalls() == 3);
  BOOST_TEST(attempts == CheckRunCalls());

  // Restarted, the service calls GitHub for nothing it already shows (another key's run, sent
  // after the restart, shows that dispatch ran); the database rebuilds.
  const int calls_before = CheckRunCalls();
  BOOST_TEST(serve->Stop() == 0);
  serve = std::make_unique<Serve>(dir.path(), Config());
  Accepted(serve->Hook("prod-eu", Succeeded(sha, 360)));  // Flux resending: a duplicate
  Accepted(serve->Hook("prod-eu", Progressing(sha, 400, "infra")));
  BOOST_TEST_REQUIRE(
      WaitUntil([&] { return host.GitHubCheckRuns(kRepo, sha, "kustomization/infra/prod-eu").size() == 1u; }));
  BOOST_TEST_REQUIRE(WaitAllSynced(serve->db_path(), 2));
  BOOST_TEST(serve->Stop() == 0);
  BOOST_TEST(CheckRunCalls("infra") == calls_before);
  BOOST_TEST(Runs(sha).size() == 2u);
  const auto check = RunCli(dir.path(), {"rebuild", "--check"});
  BOOST_TEST(check.exit_code == 0, check.out + check.err);
}

BOOST_FIXTURE_TEST_CASE(flux_repeating_a_failure_in_other_words_makes_no_new_run_and_no_patch, AppHost) {
  Serve serve(dir.path(), Config());
  const std::string sha = Sha(81);
  Accepted(serve.Hook("prod-eu", Progressing(sha, 0)));
  BOOST_TEST_REQUIRE(NewestShows(sha, 1, "in_progress"));
  Accepted(serve.Hook("prod-eu", HealthCheckFailed(sha, 300)));
  BOOST_TEST_REQUIRE(NewestShows(sha, 1, "completed", "failure"));
  BOOST_TEST_REQUIRE(RowSyncedOn(serve.db_path(), Runs(sha).at(0).id));
  const int calls_before = CheckRunCalls();

  Accepted(serve.Hook("prod-eu", HealthCheckFailed(sha, 600, "10m0.2s")));
  // The status takes the new words; the check run is left as it is.
  BOOST_TEST_REQUIRE(WaitUntil([&] {
    const auto s = host.Statuses(HostKind::kGitHub, kRepo, sha);
    return !s.empty() && s.back().description.find("10m0.2s") != std::string::npos;
  }));
  BOOST_TEST_REQUIRE(WaitUntil([&] {
    return QueryInt(serve.db_path(),
                    "SELECT count(*) FROM check_runs WHERE sync_state = 'synced' AND description LIKE '%10m0.2s%'") ==
           1;
  }));
  const auto runs = Runs(sha);
  BOOST_TEST_REQUIRE(runs.size() == 1u);
  BOOST_TEST(StatusesOf(runs[0]) == (std::vector<std::string>{"in_progress", "completed/failure"}));
  BOOST_TEST(runs[0].output.text.find("5m0.031s") != std::string::npos);
  BOOST_TEST(host.GitHubCheckRunPatchesAfterCompletion() == 0);
  BOOST_TEST(CheckRunCalls() == calls_before);
  BOOST_TEST(serve.Stop() == 0);
}

// The SIGKILL lands after GitHub created the run and before fluxstatus read the answer (its id
// never recorded): the restarted service finds it by external_id and moves it. Then a lost
// answer to the second run's create: found again, not created twice.
BOOST_FIXTURE_TEST_CASE(a_sigkill_or_a_lost_answer_after_a_create_never_leads_to_a_second_run, AppHost) {
  const std::string sha = Sha(82);
  {
    Serve serve(dir.path(), Config("[check]"));
    // Applied at once, answered 5 s later (the token and the lookup first): long after the crash.
    host.SetDelay(std::chrono::seconds(5));
    Accepted(serve.Hook("prod-eu", Progressing(sha, 0)));
    BOOST_TEST_REQUIRE(WaitUntil([&] { return Runs(sha).size() == 1u; }, std::chrono::seconds(30)));
    BOOST_TEST(QueryInt(serve.db_path(), "SELECT in_flight FROM sink_targets WHERE sink = 'check'") == 1);
    serve.Stop(SIGKILL);
  }
  host.SetDelay(std::chrono::milliseconds(0));
  Serve restarted(dir.path(), Config("[check]"));
  BOOST_TEST_REQUIRE(RowSyncedOn(restarted.db_path(), Runs(sha).at(0).id));
  BOOST_TEST(Runs(sha).size() == 1u);

  Accepted(restarted.Hook("prod-eu", HealthCheckFailed(sha, 300)));
  BOOST_TEST_REQUIRE(NewestShows(sha, 1, "completed", "failure"));
  BOOST_TEST_REQUIRE(RowSyncedOn(restarted.db_path(), Runs(sha).at(0).id));
  host.DropConnectionAfterNextPosts(1);  // the second run's create: applied, never answered
  Accepted(restarted.Hook("prod-eu", Succeeded(sha, 360)));
  BOOST_TEST_REQUIRE(NewestShows(sha, 2, "completed", "success"));
  BOOST_TEST_REQUIRE(RowSyncedOn(restarted.db_path(), Runs(sha).at(1).id));
  BOOST_TEST(CountRequests(host, "POST", "/check-runs") == 2);
  BOOST_TEST(StatusesOf(Runs(sha).at(0)) == (std::vector<std::string>{"in_progress", "completed/failure"}));
  BOOST_TEST(host.GitHubCheckRunPatchesAfterCompletion() == 0);
  BOOST_TEST(restarted.Stop() == 0);
}

BOOST_AUTO_TEST_CASE(check_config_refuses_check_runs_on_a_token_route_naming_the_github_app) {
  FakeGitHost host;
  testing::TempDir dir;
  testing::WriteFile(dir.path() / "fluxstatus.yaml",
                     ServeConfig(RouteYaml(dir.path(), host, "lab", HostKind::kGitHub) + "    report: [check]\n"));
  const auto r = RunCli(dir.path(), {"check-config"});
  BOOST_TEST(r.exit_code == 2, r.out + r.err);
  BOOST_TEST((r.out + r.err).find("only a GitHub App can create check runs") != std::string::npos, r.out + r.err);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fluxstatus::dispatch_e2e
