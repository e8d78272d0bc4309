#include "tests/dispatch_e2e/resync_support.h"

namespace fluxstatus::dispatch_e2e {

ResyncWorld::ResyncWorld(testing::KubeconfigOptions kubeconfig) : kubeconfig_(std::move(kubeconfig)) {
  WriteKubeconfig();
}

std::string ResyncWorld::Config(const std::string& interval) const {
  return "routes:\n" + RouteYaml(dir.path(), host, "gh", HostKind::kGitHub) +
         "    match: [{kind: Kustomization}, {kind: GitRepository}]\n" + DispatchYaml() +
         "kubernetes:\n  kubeconfig: " + kubeconfig_path().string() + "\n  resync_interval: " + interval + "\n";
}

void ResyncWorld::WriteConfig(const std::string& interval) const {
  testing::WriteFile(dir.path() / "fluxstatus.yaml", Config(interval));
}

void ResyncWorld::Cluster(const std::vector<KustomizationSpec>& kustomizations,
                          const std::vector<GitRepositorySpec>& repos) {
  testing::ServeFluxObjects(kube, kustomizations, repos);
}

CliRun ResyncWorld::Resync(const std::vector<std::string>& more) const {
  std::vector<std::string> args = {"resync"};
  args.insert(args.end(), more.begin(), more.end());
  return RunCli(dir.path(), args);
}

std::string ResyncWorld::State(const std::string& sha, const std::string& context) const {
  if (!std::filesystem::exists(db_path())) return "<none>";
  const std::string state =
      QueryText(db_path(), "SELECT coalesce((SELECT state FROM current_status WHERE commit_sha = '" + sha +
                               "' AND context = '" + context + "'), '<none>')");
  return state;
}

std::int64_t ResyncWorld::ResyncEvents() const {
  if (!std::filesystem::exists(db_path())) return 0;
  return QueryInt(db_path(), "SELECT count(*) FROM events WHERE origin = 'resync'");
}

}  // namespace fluxstatus::dispatch_e2e
