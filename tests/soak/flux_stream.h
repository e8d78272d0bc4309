// A seeded, realistic Flux event stream for the soak test: GitRepositories getting new commits,
// the Kustomizations and HelmReleases built from them reconciling each commit (Progressing, then
// ReconciliationSucceeded, or HealthCheckFailed and sometimes a later success), written in the
// exact shape a Flux generic / generic-hmac Provider POSTs (forwarded form: prefix-stripped
// metadata plus the Alert's eventMetadata), and planned as sends: byte-identical resends at once,
// later and before idle pauses, and older events deliberately sent after newer ones.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace fluxstatus::soak {

// One object a Flux controller reconciles.
struct FluxObject {
  std::string kind;
  std::string namespace_;
  std::string name;
  std::string api_version;
  std::string controller;  // reportingController
  std::string instance;    // reportingInstance (the controller's pod)
  std::string uid;
  int repo = 0;                    // the GitRepository it is built from (a GitRepository: itself)
  bool commit_annotation = false;  // HelmRelease annotated event.toolkit.fluxcd.io/commit
  std::int64_t resource_version = 0;
};

// One event of the stream, before it becomes wire bytes.
struct StreamEvent {
  int object = 0;  // index into FluxStream::objects()
  std::string severity;
  std::string reason;
  std::string message;
  std::int64_t time_s = 0;                      // seconds since the epoch (Flux timestamps have second precision)
  std::map<std::string, std::string> metadata;  // std::map: Go sorts metadata keys by bytes
};

// Set once a send has finished (acknowledged or given up); sends that must come after it wait.
class Done {
 public:
  void Set();
  // False when `timeout` passed first.
  bool Wait(std::chrono::milliseconds timeout);

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
};

enum class SendKind {
  kOriginal,           // the first send of a body on a route
  kResendAtOnce,       // the same bytes again right after the 202 (Flux's answer timed out)
  kResendLater,        // the same bytes again a few waves later
  kResendBeforePause,  // the same bytes again, then every sender stays quiet for `pause`
};
const char* KindName(SendKind kind);

struct Send {
  std::string route;
  std::string body;
  std::string controller;
  SendKind kind = SendKind::kOriginal;
  bool resend_at_once = false;  // after the 202, send a kResendAtOnce copy
  std::shared_ptr<Done> after;  // send only once this one has finished
  std::shared_ptr<Done> done = std::make_shared<Done>();
  std::chrono::milliseconds pause{0};  // kResendBeforePause
  bool out_of_order = false;           // an older event planned after a newer one of its object
};

struct StreamCounts {
  int waves = 0;
  int events = 0;  // distinct events (each sent to every route)
  int originals = 0;
  int resends = 0;
  int planned_out_of_order = 0;
  int pauses = 0;
};

// The planned stream. Deterministic for a seed: the same waves, bodies and plan every time.
class FluxStream {
 public:
  FluxStream(std::uint64_t seed, std::vector<std::string> routes);

  // The next commit on one of the repositories and everything Flux sends about it, as sends in
  // the order they are queued. Every `pause_every`-th wave ends with a kResendBeforePause.
  std::vector<Send> NextWave();
  // A body that names a fresh commit, for the final "a fresh POST gets 202" check.
  std::string FreshBody();

  const std::vector<FluxObject>& objects() const { return objects_; }
  const StreamCounts& counts() const { return counts_; }
  int commits() const { return commits_; }

  // Wire bytes of one event, as Go's encoder writes them (field order of Flux's Event struct).
  std::string WireBody(const StreamEvent& ev);

 private:
  std::vector<StreamEvent> WaveEvents(int repo, const std::string& sha);
  void ReconcileKustomization(int object, const std::string& sha, std::int64_t t, std::vector<StreamEvent>& out);
  void ReleaseHelm(int object, const std::string& sha, std::int64_t t, std::vector<StreamEvent>& out);
  std::vector<Send> PlanRoute(const std::string& route, const std::vector<StreamEvent>& events,
                              const std::vector<std::string>& bodies);
  void AddLaterResends(std::vector<Send>& wave);
  StreamEvent Event(int object, const char* severity, const char* reason, std::string message, std::int64_t t,
                    const std::string& revision);
  std::string Hex(int digits);

  std::mt19937_64 rng_;
  std::vector<std::string> routes_;
  std::vector<FluxObject> objects_;
  std::vector<int> repos_;    // object index of each GitRepository
  std::int64_t clock_s_ = 0;  // the cluster's clock, in Flux timestamps
  int commits_ = 0;
  std::deque<Send> recent_;  // earlier sends a later resend may repeat
  StreamCounts counts_;
};

}  // namespace fluxstatus::soak
