// What the resync tests share: a fake Git host, a fake Kubernetes API with a kubeconfig for
// it, and a fluxstatus.yaml whose GitHub route takes Kustomizations and GitRepositories.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "tests/dispatch_e2e/e2e_support.h"
#include "tests/support/fake_kube_api.h"
#include "tests/support/flux_objects.h"
#include "tests/support/temp_dir.h"

namespace fluxstatus::dispatch_e2e {

// The object builders live in tests/support (the soak serves them too).
using testing::Applied;
using testing::FailedAttempt;
using testing::GitRepositorySpec;
using testing::KustomizationSpec;
using testing::Stored;

class ResyncWorld {
 public:
  // `kubeconfig` options: the tests that rotate the token read it from a file.
  explicit ResyncWorld(testing::KubeconfigOptions kubeconfig = {});

  // fluxstatus.yaml with the route `gh` (GitHub, match Kustomization and GitRepository) and a
  // kubernetes block naming the kubeconfig; `interval` is resync_interval ("0": off).
  std::string Config(const std::string& interval = "0") const;
  // Writes Config(interval) as DIR/fluxstatus.yaml (for the CLI; Serve writes its own).
  void WriteConfig(const std::string& interval = "0") const;

  // What the cluster shows now: these Kustomizations and GitRepositories, and no objects of
  // the other source kinds; HelmRelease's CRD is absent (404) unless SetHelmReleases is called.
  void Cluster(const std::vector<KustomizationSpec>& kustomizations, const std::vector<GitRepositorySpec>& repos);
  void WriteKubeconfig() const { kube.WriteKubeconfig(kubeconfig_path(), kubeconfig_); }

  CliRun Resync(const std::vector<std::string>& more = {}) const;
  std::string db_path() const { return (dir.path() / "fluxstatus.db").string(); }
  std::filesystem::path kubeconfig_path() const { return dir.path() / "kubeconfig"; }
  // The key's current state ("<none>" without a row) and how many of the log's events came from resync.
  std::string State(const std::string& sha, const std::string& context) const;
  std::int64_t ResyncEvents() const;

  FakeGitHost host;
  testing::FakeKubeApi kube;
  testing::TempDir dir;

 private:
  testing::KubeconfigOptions kubeconfig_;
};

}  // namespace fluxstatus::dispatch_e2e
