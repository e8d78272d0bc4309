// The dispatcher: the outbox pattern over the store. A scheduler thread reads the due keys
// (desired state not yet confirmed on the host) and hands each to one of N workers; a worker
// re-reads the key, runs a delivery step against the key's Git host and records the result
// through the single writer. Never two jobs for one key at once; a rate-limited host is paused
// as a whole. With a lease (serve, replay) it sends only while it holds the database's dispatch
// lease, so two processes on one database never send at once.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
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
#include "store/dispatch_lease.h"
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
  // When set, only these keys are dispatched (replay: its window's keys), each read by key
  // instead of scanning every due key; a key leaves the set once it is no longer pending.
  std::shared_ptr<const std::vector<core::StatusKey>> keys = nullptr;
  // When set, the dispatcher sends only while it holds the dispatch lease for `holder`.
  struct Lease {
    std::string holder;                          // store::NewLeaseHolderId()
    std::chrono::milliseconds ttl{15000};        // a silent holder loses the lease after this
    std::chrono::milliseconds renew_every{5000};  // while held; 1 s while another holds it
  };
  std::optional<Lease> lease = std::nullopt;
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

  // Whether this dispatcher may send now (always true without a lease option).
  bool HoldsLease() const;
  // Who held the lease at the last try, when it was not us (empty otherwise).
  std::string OtherLeaseHolder() const;
  std::int64_t steps() const { return steps_.load(); }

 private:
  struct Job {
    core::StatusKey key;
  };
  void ScheduleLoop();
  // Takes or renews the lease when it is time to; returns whether scheduling may go on.
  bool KeepLease(std::unique_ptr<store::DispatchLease>& lease);
  // Queues due keys not in progress and not on a paused host; returns how many.
  std::size_t ScheduleOnce(SQLite::Database& db, store::Outbox& outbox, std::unique_ptr<store::DispatchLease>& lease);
  std::vector<store::StatusRow> DueKeys(SQLite::Database& db, store::Outbox& outbox, std::int64_t now);
  bool Enqueue(const store::StatusRow& row, std::int64_t now);
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
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::set<core::StatusKey> in_progress_;                // guarded by mu_
  std::map<std::string, std::int64_t> paused_until_ms_;  // host key -> time; guarded by mu_
  bool woken_ = false;                                   // guarded by mu_
  std::atomic<bool> stop_{false};
  std::atomic<std::int64_t> steps_{0};
  // The lease: valid (for sending) until this steady time; renewed by the scheduler.
  std::atomic<std::int64_t> lease_valid_until_ns_{0};
  std::chrono::steady_clock::time_point next_lease_try_{};  // scheduler thread only
  std::string other_holder_;                                  // guarded by mu_
  std::vector<core::StatusKey> remaining_keys_;               // scheduler thread only (keys mode)
  std::thread scheduler_;
  std::vector<std::thread> workers_;
};

}  // namespace fluxstatus::dispatch
