#include "tests/soak/soak_config.h"

#include <ctime>

#include "tests/soak/resync_cluster.h"
#include "tests/support/files.h"

namespace fluxstatus::soak {

using testing::FakeGitHost;
using testing::HostKind;

std::vector<RouteUnderTest> Routes() {
  // One GitHub App route, one Gitea route signed like generic-hmac whose
  // `cluster` is appended to its contexts.
  return {RouteUnderTest{"github", HostKind::kGitHub, "acme/fleet", "", ""},
          RouteUnderTest{"gitea", HostKind::kGitea, "acme/fleet", "eu1", kHmacKey}};
}

namespace {

// The GitHub route authenticates as App 4242 (installation 9001) whose installation token is
// the host's credential: only an App may create check runs (CheckCheckRuns).
std::string GitHubApp(const std::filesystem::path& dir, FakeGitHost& host) {
  const auto keys = testing::MakeGitHubAppKeys();
  host.SetGitHubApp("4242", keys.public_pem, kToken, std::time(nullptr) + 24 * 3600);
  host.InstallGitHubApp("acme", /*organization=*/true, 9001);
  testing::WriteFile(dir / "app.pem", keys.private_pem);
  std::filesystem::permissions(dir / "app.pem",
                               std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  return "    github_app_id: \"4242\"\n    github_installation_id: \"9001\"\n    github_private_key_file: " +
         (dir / "app.pem").string() + "\n";
}

}  // namespace

std::string Config(const std::filesystem::path& dir, FakeGitHost& host, const std::vector<RouteUnderTest>& routes,
                   const std::string& kubernetes) {
  testing::WriteFile(dir / "git.token", std::string(kToken) + "\n");
  testing::WriteFile(dir / "hmac.key", kHmacKey);
  for (const char* secret : {"git.token", "hmac.key"}) {
    std::filesystem::permissions(dir / secret,
                                 std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
  std::string yaml = "routes:\n";
  for (const auto& r : routes) {
    yaml +=
        "  - name: " + r.name + "\n    provider: " + (r.kind == HostKind::kGitHub ? "github" : "gitea") +
        "\n    address: " + host.Address(r.kind, r.repo) + "\n" +
        (r.kind == HostKind::kGitHub ? GitHubApp(dir, host) : "    token_file: " + (dir / "git.token").string() + "\n");
    if (!r.hmac_key.empty()) yaml += "    hmac_key_file: " + (dir / "hmac.key").string() + "\n";
    if (!r.cluster.empty()) yaml += "    cluster: " + r.cluster + "\n";
    // Resync routes statuses like direct mode; `match` changes nothing for /hook/<route>.
    if (r.name == ResyncCluster::kRoute) yaml += ResyncCluster::kRouteMatch;
    // The GitHub route also deploys each commit to the environment named after it
    // (CheckDeployments) and shows each status as a check run (CheckCheckRuns).
    if (r.kind == HostKind::kGitHub)
      yaml +=
          "    report: [status, deployment, check]\n    deployment:\n      environment: \"{route}\"\n      contexts: "
          "[\"" +
          kAggregate.context_prefix + "*\"]\n";
  }
  // One aggregate over both routes, posted through the GitHub one (CheckAggregate).
  yaml += "aggregates:\n  - name: " + kAggregate.name + "\n    route: " + kAggregate.route + "\n    members: [";
  for (std::size_t i = 0; i < routes.size(); ++i) yaml += (i ? ", " : "") + routes[i].name;
  yaml += "]\n    contexts: [\"" + kAggregate.context_prefix + "*\"]\n    report: [status, deployment]\n";
  // Small backoffs so the run converges; an idle timeout shorter than the senders' pauses, so
  // the pauses outlast it too. Enough attempts that host faults never fail a key for good.
  return yaml +
         "dispatch:\n  workers: 4\n  max_attempts: 1000\n  initial_backoff: 50ms\n  max_backoff: 1s\n"
         "http:\n  idle_timeout: 3s\n" +
         kubernetes;
}

}  // namespace fluxstatus::soak
