// Deployments end to end (issue 15): the real `fluxstatus serve` turns three clusters' statuses
// into one GitHub deployment per cluster environment and commit, plus the aggregate's, each
// moved through in_progress to its last state by deployment statuses; GitLab gets deployments
// moved within its state machine. A SIGKILL between a deployment's creation and its status
// never leads to a second deployment, and the calls are in delivery_attempts.
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <string>
#include <vector>

#include "tests/dispatch_e2e/e2e_support.h"
#include "tests/dispatch_e2e/serve_support.h"
#include "tests/support/files.h"

namespace fluxstatus::dispatch_e2e {
namespace {

const std::vector<std::string> kClusters = {"prod-eu", "prod-us", "prod-ap"};

std::string Deploying(const std::filesystem::path& dir, const FakeGitHost& host, const std::string& name, HostKind kind,
                      const std::string& report = "[status, deployment]") {
  return RouteYaml(dir, host, name, kind, "s3cret") + "    cluster: " + name + "\n    report: " + report +
         "\n    deployment:\n      contexts: [\"kustomization/*\"]\n"
         "      environment_url: \"https://{environment}.example.com\"\n" +
         (kind == HostKind::kGitHub ? "      log_url: \"https://grafana.example.com/{cluster}?commit={commit}\"\n"
                                    : "");
}

std::string FleetConfig(const std::filesystem::path& dir, const FakeGitHost& host) {
  std::string routes;
  for (const auto& cluster : kClusters) routes += Deploying(dir, host, cluster, HostKind::kGitHub);
  return ServeConfig(routes) +
         "aggregates:\n"
         "  - name: production\n"
         "    route: prod-eu\n"
         "    members: [prod-eu, prod-us, prod-ap]\n"
         "    contexts: [\"kustomization/*\"]\n"
         "    report: [status, deployment]\n";
}

// The GitHub deployments of `sha` to `environment`, and the states of their statuses.
std::vector<testing::FakeDeployment> DeploymentsOf(const FakeGitHost& host, const std::string& sha,
                                                   const std::string& environment) {
  std::vector<testing::FakeDeployment> found;
  for (auto& d : host.GitHubDeployments(RepoFor(HostKind::kGitHub))) {
    if (d.sha == sha && d.original_environment == environment) found.push_back(std::move(d));
  }
  return found;
}

std::string LastState(const testing::FakeDeployment& d) {
  for (auto s = d.statuses.rbegin(); s != d.statuses.rend(); ++s) {
    if (s->state != "inactive") return s->state;
  }
  return "none";
}

// Waits until `environment` has exactly one deployment of `sha` whose last status is `state`.
bool OneDeploymentIn(const FakeGitHost& host, const std::string& sha, const std::string& environment,
                     const std::string& state) {
  if (WaitUntil([&] {
        const auto found = DeploymentsOf(host, sha, environment);
        return found.size() == 1 && LastState(found[0]) == state;
      })) {
    return true;
  }
  const auto found = DeploymentsOf(host, sha, environment);
  BOOST_TEST_MESSAGE(environment << ": " << found.size() << " deployments of " << sha
                                 << (found.empty() ? "" : ", the first's last state " + LastState(found[0])));
  return false;
}

bool DeploymentsSynced(const std::string& db_path, std::int64_t rows) {
  return WaitUntil([&] {
    return QueryInt(db_path, "SELECT count(*) FROM deployments WHERE sync_state = 'synced'") == rows &&
           QueryInt(db_path, "SELECT count(*) FROM deployments") == rows;
  });
}

}  // namespace

BOOST_AUTO_TEST_SUITE(Deployments)

BOOST_AUTO_TEST_CASE(three_clusters_get_one_deployment_each_per_commit_and_the_fleet_one_names_the_failure) {
  FakeGitHost host(FakeGitHost::Options{"s3cret", "", 1});
  testing::TempDir dir;
  auto serve = std::make_unique<Serve>(dir.path(), FleetConfig(dir.path(), host));
  const std::string first = Sha(50);
  int at = 0;
  for (const auto& cluster : kClusters) Accepted(serve->Hook(cluster, Progressing(first, ++at)));
  for (const auto& cluster : kClusters) BOOST_TEST(OneDeploymentIn(host, first, cluster, "in_progress"));
  BOOST_TEST(OneDeploymentIn(host, first, "production", "in_progress"));
  for (const auto& cluster : kClusters) Accepted(serve->Hook(cluster, Succeeded(first, ++at)));
  for (const auto& cluster : kClusters) BOOST_TEST(OneDeploymentIn(host, first, cluster, "success"));
  BOOST_TEST(OneDeploymentIn(host, first, "production", "success"));

  // What the deployment carries: the SHA as ref, the rendered links, fluxstatus's words.
  const auto eu = DeploymentsOf(host, first, "prod-eu");
  BOOST_TEST_REQUIRE(eu.size() == 1u);
  BOOST_TEST(eu[0].ref == first);
  BOOST_TEST(eu[0].statuses.back().environment_url == "https://prod-eu.example.com");
  BOOST_TEST(eu[0].statuses.back().log_url == "https://grafana.example.com/prod-eu?commit=" + first);
  BOOST_TEST(eu[0].statuses.back().description == "1/1 ready");

  // A second commit fails its health check on one cluster.
  const std::string second = Sha(51);
  Accepted(serve->Hook("prod-eu", Succeeded(second, ++at)));
  Accepted(serve->Hook("prod-us", Succeeded(second, ++at)));
  Ev failed = Failed(second, ++at);
  failed.reason = "HealthCheckFailed";
  failed.message = "timeout waiting for: [Deployment/default/web status: 'InProgress']";
  Accepted(serve->Hook("prod-ap", failed));
  BOOST_TEST(OneDeploymentIn(host, second, "prod-eu", "success"));
  BOOST_TEST(OneDeploymentIn(host, second, "prod-us", "success"));
  BOOST_TEST(OneDeploymentIn(host, second, "prod-ap", "failure"));
  BOOST_TEST(OneDeploymentIn(host, second, "production", "failure"));
  const auto fleet = DeploymentsOf(host, second, "production");
  BOOST_TEST_REQUIRE(fleet.size() == 1u);
  BOOST_TEST(fleet[0].statuses.back().description.find("2/3 clusters ready; prod-ap: ") == 0u,
             fleet[0].statuses.back().description);
  // GitHub's auto_inactive: the first commit's successful prod-eu deployment went inactive.
  BOOST_TEST(DeploymentsOf(host, first, "prod-eu")[0].statuses.back().state == "inactive");

  BOOST_TEST_REQUIRE(DeploymentsSynced(serve->db_path(), 8));
  BOOST_TEST(QueryInt(serve->db_path(), "SELECT count(*) FROM deployments WHERE host_deployment_id IS NULL") == 0);
  BOOST_TEST(host.GitHubDeployments(RepoFor(HostKind::kGitHub)).size() == 8u);  // 2 commits x (3 clusters + fleet)

  // A restart creates nothing and posts nothing the host already shows.
  const int posts_before = CountRequests(host, "POST");
  BOOST_TEST(serve->Stop() == 0);
  serve = std::make_unique<Serve>(dir.path(), FleetConfig(dir.path(), host));
  Accepted(serve->Hook("prod-eu", Succeeded(second, at - 2)));  // Flux resending: a duplicate
  BOOST_TEST_REQUIRE(DeploymentsSynced(serve->db_path(), 8));
  BOOST_TEST(CountRequests(host, "POST") == posts_before);
  BOOST_TEST(serve->Stop() == 0);
  const auto check = RunCli(dir.path(), {"rebuild", "--check"});
  BOOST_TEST(check.exit_code == 0, check.out + check.err);

  // A replay checks the deployments without posting again what the host already shows (a
  // repeated GitHub status would add to the deployment's history and re-run auto_inactive).
  const int statuses_before = CountRequests(host, "POST", "/statuses");
  const auto replayed = RunCli(dir.path(), {"replay", "--since", "1h"});
  BOOST_TEST(replayed.exit_code == 0, replayed.out + replayed.err);
  BOOST_TEST(CountRequests(host, "POST", "/statuses") == statuses_before, replayed.out);
  BOOST_TEST(host.GitHubDeployments(RepoFor(HostKind::kGitHub)).size() == 8u);

  // Every call is in delivery_attempts under the deployment's context.
  BOOST_TEST(QueryInt(dir.path() / "fluxstatus.db",
                      "SELECT count(*) FROM delivery_attempts WHERE context = 'deployment/prod-ap'"
                      " AND commit_sha = '" +
                          second + "'") >= 2);
}

// The API calls one commit costs with 3 clusters x 2 Kustomizations, each going Progressing ->
// ReconciliationSucceeded, with deployments on (the closing-note figure), by what they
// are for: statuses, deployments (find, create, one status per state) and the aggregate.
BOOST_AUTO_TEST_CASE(a_commit_on_three_clusters_with_two_kustomizations_costs_four_calls_per_deployment) {
  FakeGitHost host(FakeGitHost::Options{"s3cret", "", 1});
  testing::TempDir dir;
  Serve serve(dir.path(), FleetConfig(dir.path(), host));
  const std::string sha = Sha(54);
  int at = 0;
  for (const auto& cluster : kClusters) {
    for (const char* name : {"infra", "apps"}) Accepted(serve.Hook(cluster, Progressing(sha, ++at, name)));
  }
  for (const auto& cluster : kClusters) BOOST_TEST_REQUIRE(OneDeploymentIn(host, sha, cluster, "in_progress"));
  BOOST_TEST_REQUIRE(OneDeploymentIn(host, sha, "production", "in_progress"));
  // A pending overtaken before it is sent is coalesced (newest wins): the figure is for a Flux
  // that reports Progressing well before the outcome, so the six pending posts land first.
  BOOST_TEST_REQUIRE(WaitUntil([&] {
    int pending = 0;
    for (const auto& s : host.Statuses(HostKind::kGitHub, RepoFor(HostKind::kGitHub), sha)) {
      if (s.context != "fleet/production") ++pending;
    }
    return pending == 6;
  }));
  for (const auto& cluster : kClusters) {
    for (const char* name : {"infra", "apps"}) Accepted(serve.Hook(cluster, Succeeded(sha, ++at, name)));
  }
  for (const auto& cluster : kClusters) BOOST_TEST_REQUIRE(OneDeploymentIn(host, sha, cluster, "success"));
  BOOST_TEST_REQUIRE(OneDeploymentIn(host, sha, "production", "success"));
  BOOST_TEST_REQUIRE(DeploymentsSynced(serve.db_path(), 4));
  BOOST_TEST_REQUIRE(WaitAllSynced(serve.db_path(), 6));
  BOOST_TEST_REQUIRE(WaitUntil([&] {
    return QueryInt(serve.db_path(), "SELECT count(*) FROM aggregate_status WHERE sync_state = 'synced'") == 1;
  }));
  int status_posts = 0, fleet_posts = 0;
  for (const auto& s : host.Statuses(HostKind::kGitHub, RepoFor(HostKind::kGitHub), sha)) {
    ++(s.context == "fleet/production" ? fleet_posts : status_posts);
  }
  const int deployment_calls = CountRequests(host, "GET", "/deployments") + CountRequests(host, "POST", "/deployments");
  const int calls = CountRequests(host, "POST") + CountRequests(host, "GET");
  BOOST_TEST_MESSAGE("one commit, 3 clusters x 2 contexts, deployments on: "
                     << status_posts << " status posts, " << fleet_posts << " fleet status posts, " << deployment_calls
                     << " deployment calls (4 deployments), " << calls << " calls in all");
  BOOST_TEST(status_posts == 12);
  BOOST_TEST(fleet_posts <= 4);
  // Per deployment: one lookup, one create, one status per state (in_progress, success).
  BOOST_TEST(deployment_calls == 4 * 4);
  BOOST_TEST(calls == status_posts + fleet_posts + deployment_calls);
  // delivery_attempts holds every one of them.
  BOOST_TEST(QueryInt(serve.db_path(), "SELECT count(*) FROM delivery_attempts WHERE commit_sha = '" + sha + "'") ==
             calls);
}

// The SIGKILL lands after GitHub created the deployment and before fluxstatus read the answer
// (so its id was never recorded): the restarted service finds it and posts its status; no
// second deployment. Then the same once the id was recorded, during the status post.
BOOST_AUTO_TEST_CASE(a_sigkill_between_creating_a_deployment_and_posting_its_status_creates_no_second_one) {
  FakeGitHost host(FakeGitHost::Options{"s3cret", "", 1});
  testing::TempDir dir;
  const std::string config = ServeConfig(Deploying(dir.path(), host, "prod-eu", HostKind::kGitHub, "[deployment]"));
  const std::string sha = Sha(52);
  {
    Serve serve(dir.path(), config);
    host.SetDelay(std::chrono::seconds(10));  // applied at once, answered long after the crash
    Accepted(serve.Hook("prod-eu", Progressing(sha, 1)));
    BOOST_TEST_REQUIRE(WaitUntil([&] { return host.GitHubDeployments(RepoFor(HostKind::kGitHub)).size() == 1u; }));
    BOOST_TEST(QueryInt(serve.db_path(), "SELECT in_flight FROM sink_targets WHERE sink = 'deployment'") == 1);
    serve.Stop(SIGKILL);
  }
  host.SetDelay(std::chrono::milliseconds(0));
  {
    Serve restarted(dir.path(), config);
    BOOST_TEST(OneDeploymentIn(host, sha, "prod-eu", "in_progress"));
    BOOST_TEST_REQUIRE(DeploymentsSynced(restarted.db_path(), 1));
    const auto ids = QueryText(restarted.db_path(), "SELECT host_deployment_id FROM deployments");
    BOOST_TEST(ids == std::to_string(host.GitHubDeployments(RepoFor(HostKind::kGitHub))[0].id));

    // Now the id is stored: the kill lands while the success status is being posted.
    host.SetDelay(std::chrono::seconds(10));
    Accepted(restarted.Hook("prod-eu", Succeeded(sha, 2)));
    BOOST_TEST_REQUIRE(WaitUntil([&] {
      const auto found = DeploymentsOf(host, sha, "prod-eu");
      return found.size() == 1 && found[0].statuses.size() == 2;
    }));
    restarted.Stop(SIGKILL);
  }
  host.SetDelay(std::chrono::milliseconds(0));
  Serve again(dir.path(), config);
  BOOST_TEST_REQUIRE(DeploymentsSynced(again.db_path(), 1));
  BOOST_TEST(OneDeploymentIn(host, sha, "prod-eu", "success"));
  BOOST_TEST(CountRequests(host, "POST", "/deployments") - CountRequests(host, "POST", "/statuses") == 1);
  BOOST_TEST(QueryInt(again.db_path(), "SELECT count(*) FROM current_status WHERE sync_state = 'skipped'") == 1);
}

// GitLab: created running, then success; a new reconcile of the same commit after it finished
// needs a new deployment (GitLab refuses running after success); the environment gets its link.
BOOST_AUTO_TEST_CASE(gitlab_deployments_move_within_its_state_machine_and_the_environment_gets_its_link) {
  FakeGitHost host(FakeGitHost::Options{"s3cret", "", 1});
  testing::TempDir dir;
  Serve serve(dir.path(), ServeConfig(Deploying(dir.path(), host, "prod-eu", HostKind::kGitLab)));
  const std::string sha = Sha(53);
  Accepted(serve.Hook("prod-eu", Progressing(sha, 1)));
  Accepted(serve.Hook("prod-eu", Succeeded(sha, 2)));
  const std::string project = RepoFor(HostKind::kGitLab);
  auto statuses = [&] {
    std::vector<std::string> out;
    for (const auto& d : host.GitLabDeployments(project)) {
      if (d.sha == sha && d.environment == "prod-eu") out.push_back(d.status);
    }
    return out;
  };
  BOOST_TEST(WaitUntil([&] { return statuses() == std::vector<std::string>{"success"}; }));
  BOOST_TEST_REQUIRE(DeploymentsSynced(serve.db_path(), 1));
  const auto deployments = host.GitLabDeployments(project);
  BOOST_TEST_REQUIRE(deployments.size() == 1u);
  BOOST_TEST(deployments[0].ref == "main");  // the branch of the revision, not the SHA
  BOOST_TEST(!deployments[0].tag);
  bool linked = false;
  for (const auto& e : host.GitLabEnvironments(project)) {
    if (e.name == "prod-eu") linked = e.external_url == "https://prod-eu.example.com";
  }
  BOOST_TEST(linked);

  Accepted(serve.Hook("prod-eu", Progressing(sha, 3)));  // a new reconcile of the same commit
  BOOST_TEST_REQUIRE(WaitUntil([&] { return statuses() == std::vector<std::string>{"success", "running"}; }));
  Accepted(serve.Hook("prod-eu", Succeeded(sha, 4)));
  BOOST_TEST(WaitUntil([&] {
    const auto s = statuses();
    return s.size() == 2 && s.back() == "success";
  }));
  BOOST_TEST_REQUIRE(DeploymentsSynced(serve.db_path(), 1));
  BOOST_TEST(QueryText(serve.db_path(), "SELECT state FROM deployments") == "success");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fluxstatus::dispatch_e2e
