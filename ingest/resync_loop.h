// `serve`'s periodic resync: a thread that resyncs at start and then every interval, appending
// through the service's writer like any other event, so a resync never competes with ingest
// for the database. A failed resync (the API unreachable, RBAC missing) is logged and counted
// and the next one is tried on time: the cluster's API being down is no reason to restart.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "core/clock.h"
#include "ingest/cluster_access.h"
#include "ingest/cluster_resync.h"
#include "ingest/kube_client.h"
#include "ingest/resync_metrics.h"
#include "store/event_writer.h"

namespace fluxstatus::ingest {

struct ResyncLoopOptions {
  std::chrono::milliseconds interval{600000};
  // Called before each resync: in a pod the environment and the service account's files are
  // read again (the CA may be rotated too). Throws ClusterAccessError.
  std::function<ClusterAccess()> access;
  std::string db_path;
  ResyncRoutes routes;
  // Why no status could be filed (no route has `match`), or empty: then every resync fails
  // with it, so the metrics and the alert on the last success show it, not only a start-up line.
  std::string routing_problem;
  KubeClientOptions client;
};

class ResyncLoop {
 public:
  // `writer`, `metrics` and `clock` must outlive this.
  ResyncLoop(ResyncLoopOptions options, store::EventWriter& writer, ResyncMetrics& metrics, const core::Clock& clock);
  ~ResyncLoop();  // Stop()s

  void Start();
  // Cuts a resync in progress short (its API request within about a second) and joins. Idempotent.
  void Stop();

  // For /healthz: why the resync thread is stuck (one resync running longer than `limit`, or
  // the thread gone), or nullopt. Thread-safe.
  std::optional<std::string> Problem(std::chrono::milliseconds limit) const;
  // Resyncs finished (successful or not) since Start.
  std::int64_t passes() const { return passes_.load(); }

 private:
  void Run();
  void RunOnce();
  std::size_t Append(const ResyncPlan& plan);
  void LogAbsentKinds(const std::vector<std::string>& absent);

  ResyncLoopOptions options_;
  store::EventWriter& writer_;
  ResyncMetrics& metrics_;
  const core::Clock& clock_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> running_{false};
  std::atomic<std::int64_t> pass_started_ms_{0};  // 0 between resyncs
  std::atomic<std::int64_t> passes_{0};
  std::mutex mu_;
  std::condition_variable wake_;
  std::optional<std::set<std::string>> absent_logged_;  // the absent kinds last logged; loop thread only
};

}  // namespace fluxstatus::ingest
