// The dispatcher: the outbox pattern over the store. A scheduler thread reads the due keys
// (desired state not yet confirmed on the host) and hands each to one of N workers; a worker
// re-reads the key, runs a delivery step against the key's Git host and records the result
// through the single writer. Never two jobs for one key at once; a rate-limited host is paused
// as a whole.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <concurrentqueue/blockingconcurrentqueue.h>

#include "core/retry_policy.h"
#include "dispatch/dispatch_metrics.h"
#include "dispatch/http_transport.h"
#include "dispatch/provider.h"
#include "dispatch/token_source.h"
#include "store/event_writer.h"
#include "store/outbox.h"
#include "store/status_table.h"

namespace fluxstatus::dispatch {

// A route that has a Git host.
struct DispatchRoute {
  std::string name;
  std::shared_ptr<const Provider> provider;
  std::shared_ptr<TokenSource> tokens;
  TransportOptions transport;
};

struct DispatcherOptions {
  std::string db_path;  // read-only connections for the scheduler and each worker
  int workers = 4;
  core::RetryPolicy policy;
  std::chrono::milliseconds poll{100};  // how often the scheduler looks for due keys
  std::size_t batch = 256;              // due keys read per look
  // When set, only the keys it accepts are dispatched (replay: the keys of its window).
  std::function<bool(const core::StatusKey&)> only = nullptr;
};

class Dispatcher {
 public:
  // routes: every route with a provider; pending keys of any other route are marked skipped.
  Dispatcher(DispatcherOptions options, std::vector<DispatchRoute> routes, store::EventWriter& writer,
             DispatchMetrics& metrics);
  ~Dispatcher();  // Stop()s

  void Start();
  // Stops scheduling, lets workers finish the job in hand (bounded by the transport timeout),
  // joins. Unfinished keys stay due in the database. Idempotent.
  void Stop();
  // Wakes the scheduler now (e.g. after a commit changed statuses).
  void Wake();

  // For `replay`: runs until nothing is due now (or deadline). Call without Start().
  // Returns the number of delivery steps made.
  std::int64_t RunUntilIdle(std::chrono::steady_clock::time_point deadline);

 private:
  struct Job {
    core::StatusKey key;
  };
  void ScheduleLoop();
  // Queues due keys not in progress and not on a paused host; returns how many.
  std::size_t ScheduleOnce(store::Outbox& outbox);
  void WorkerLoop(int index);
  void Process(const Job& job, store::Outbox& outbox, std::map<std::string, CurlTransport>& transports,
               std::uint64_t& seed);
  bool Record(store::DeliveryRecord record);
  void Release(const core::StatusKey& key);

  DispatcherOptions options_;
  std::map<std::string, DispatchRoute> routes_;
  store::EventWriter& writer_;
  DispatchMetrics& metrics_;

  moodycamel::BlockingConcurrentQueue<Job> jobs_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::set<core::StatusKey> in_progress_;                // guarded by mu_
  std::map<std::string, std::int64_t> paused_until_ms_;  // host key -> time; guarded by mu_
  bool woken_ = false;                                   // guarded by mu_
  std::atomic<bool> stop_{false};
  std::atomic<std::int64_t> steps_{0};
  std::thread scheduler_;
  std::vector<std::thread> workers_;
};

}  // namespace fluxstatus::dispatch
