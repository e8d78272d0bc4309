// The Kubernetes cluster the soak's serve resyncs from (issue 17): a FakeKubeApi whose Flux
// objects change during the run, so that the end state says whether resync did its job.
// - "Lost" Kustomizations (lost-web, lost-api) whose events the stream never sends: their
//   statuses reach the host only through resync. lost-batch is suspended and must never show.
// - Shadows: objects named after the stream's Kustomizations, showing one of the stream's keys
//   with an older lastTransitionTime and the other state. Resync must leave those keys alone.
// - The bound token rotates in the middle of the run, with a gap in which the server already
//   refuses the old token while the file still holds it: the only resync errors allowed.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "tests/support/fake_kube_api.h"
#include "tests/support/flux_objects.h"

namespace fluxstatus::soak {

// One status as the route that takes resync's statuses shows it.
struct ClusterStatus {
  std::string commit;
  std::string context;
  std::string state;  // pending | success | failure
  bool operator<(const ClusterStatus& o) const {
    return std::tie(commit, context, state) < std::tie(o.commit, o.context, o.state);
  }
  bool operator==(const ClusterStatus& o) const = default;
};

// A stream key a shadow object showed in the other state.
struct Shadow {
  ClusterStatus stream;    // the key and the state the stream gave it
  std::string shown;       // the state the shadow showed
  std::string shown_time;  // its lastTransitionTime, older than the stream's event
};

// A rise of fluxstatus_resync_errors_total seen on /metrics.
struct ErrorRise {
  double seconds = 0;  // since Start
  double by = 0;
  bool in_rotation = false;  // inside the planned token rotation's window
};

class ResyncCluster {
 public:
  static constexpr const char* kRoute = "github";  // the route with a `match` list
  static constexpr const char* kRouteMatch = "    match: [{kind: Kustomization}]\n";
  static constexpr std::chrono::seconds kInterval{2};              // resync_interval
  static constexpr const char* kTokenPrefix = "soak-kube-token-";  // of both tokens: never logged

  // Serves the first state of the cluster at once, so serve's first resync sees it.
  ResyncCluster(std::uint64_t seed, const std::filesystem::path& dir);
  ~ResyncCluster();
  ResyncCluster(const ResyncCluster&) = delete;
  ResyncCluster& operator=(const ResyncCluster&) = delete;

  // The config's `kubernetes:` block.
  std::string KubernetesYaml() const;

  // Plays the cluster's story on two threads until Finish: the later states at 20 %, 55 % and
  // 75 % of `duration` (each once the one before shows in `db`), shadows at 35 %, the token
  // rotation at 45 %; and reads serve's resync error counter at `metrics_url` every 500 ms.
  void Start(const std::string& db, const std::string& metrics_url, std::chrono::seconds duration);
  // Waits for the story to end (the last state shown, or its time-out) and stops reading.
  void Finish();

  // Every status the cluster's states should have made resync append, once each.
  std::vector<ClusterStatus> Appends() const;
  // Each lost key's last status: the newest of its appends.
  std::vector<ClusterStatus> Expected() const;
  std::string suspended_context() const { return "kustomization/lost-batch"; }
  std::vector<std::string> suspended_commits() const { return suspended_; }
  std::vector<Shadow> shadows() const;
  std::vector<ErrorRise> error_rises() const;
  // What went wrong while playing (a state not shown in time, no key to shadow).
  std::vector<std::string> problems() const;
  int states_served() const;

 private:
  struct State {
    std::vector<testing::KustomizationSpec> lost;
    std::vector<ClusterStatus> appends;
    double at = 0;  // fraction of the run
  };
  void BuildStory(std::uint64_t seed);
  void Serve(const std::vector<testing::KustomizationSpec>& lost);
  void Play(const std::string& db, std::chrono::seconds duration);
  bool WaitShown(const std::string& db, const std::vector<ClusterStatus>& statuses);
  void AddShadows(const std::string& db);
  void RotateToken();
  void ReadMetrics(const std::string& url);
  void Problem(const std::string& what);

  testing::FakeKubeApi kube_;
  std::filesystem::path kubeconfig_;
  testing::KubeconfigOptions options_;
  std::vector<State> story_;
  std::vector<std::string> suspended_;
  std::string source_sha_;
  std::chrono::steady_clock::time_point start_;

  mutable std::mutex mu_;
  std::vector<testing::KustomizationSpec> shadow_specs_;
  std::vector<Shadow> shadows_;
  std::vector<std::string> problems_;
  std::vector<std::pair<double, double>> samples_;  // (seconds since Start, counter)
  double rotation_from_ = -1, rotation_to_ = -1;    // seconds since Start
  int served_ = 0;
  bool stop_ = false;
  std::thread player_, reader_;
};

}  // namespace fluxstatus::soak
