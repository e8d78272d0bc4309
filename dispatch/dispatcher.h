// The dispatcher: the outbox pattern over the store. A scheduler thread reads the due keys
// (desired state not yet confirmed on the host) and hands each to one of N workers; a worker
// re-reads the key, runs a delivery step against the key's Git host and records the result
// through the single writer. Never two jobs for one key at once; a rate-limited host is paused
// as a whole. With a lease (serve, replay) it sends only while it holds the database's dispatch
// lease, so two processes on one database never send at once (lease_budget.h).
//
// Every thread is supervised: an exception (an SQLite error on its read connection, say) is
// logged, the thread backs off (100 ms doubling to 5 s), re-opens its connection and carries
// on; the key in hand stays due. Problem() tells the probes when that is not enough.
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

#include "core/clock.h"
#include "core/deployment_spec.h"
#include "core/retry_policy.h"
#include "dispatch/delivery_step.h"
#include "dispatch/check_run_provider.h"
#include "dispatch/deployment_provider.h"
#include "dispatch/dispatch_health.h"
#include "dispatch/dispatch_metrics.h"
#include "dispatch/http_transport.h"
#include "dispatch/lease_budget.h"
#include "dispatch/provider.h"
#include "dispatch/repeating_log.h"
#include "dispatch/token_source.h"
#include "store/commit_statuses.h"
#include "store/database.h"
#include "store/dispatch_lease.h"
#include "store/event_writer.h"
#include "store/outbox.h"
#include "store/system_clock.h"

namespace fluxstatus::dispatch {

// A route that has a Git host.
struct DispatchRoute {
  std::string name;
  std::shared_ptr<const Provider> provider;
  std::shared_ptr<TokenSource> tokens;
  TransportOptions transport;
  // Deployments posted through the route (issue 15): its host's DeploymentProvider (nullptr:
  // the host has none), what each environment's deployments are posted with (the route's own
  // `deployment:` and its aggregates' that report one), and the route's cluster for the links.
  std::shared_ptr<const DeploymentProvider> deployments;
  std::map<std::string, core::DeploymentSpec> deployment_specs;
  std::string cluster;
  // Check runs posted through the route (issue 16): GitHub's CheckRunProvider when the route
  // reports `check` (a GitHub App route), else nullptr.
  std::shared_ptr<const CheckRunProvider> checks;
};

struct DispatcherOptions {
  std::string db_path;  // read-only connections for the scheduler and each worker
  int workers = 4;
  core::RetryPolicy policy;
  std::chrono::milliseconds poll{100};  // how often the scheduler looks for due keys
  std::size_t batch = 256;              // due keys read per look
  // When set, only these keys are dispatched (replay: its window's keys), each read by key
  // instead of scanning every due key; a key leaves the set once it is no longer pending.
  std::shared_ptr<const std::vector<core::SinkKey>> keys = nullptr;
  // When set, the dispatcher sends only while it holds the dispatch lease for `holder`.
  struct Lease {
    std::string holder;  // store::NewLeaseHolderId()
    // A silent holder loses the lease after this; 0: LeaseTtlFor(the steps' timeouts,
    // renew_every), long enough for a send between two renewals (about 50 s by default).
    std::chrono::milliseconds ttl{0};
    std::chrono::milliseconds renew_every{5000};  // while held; 1 s while another holds it
  };
  std::optional<Lease> lease = std::nullopt;
  // The longest a worker waits for a record to commit (at shutdown: at most 1 s more).
  std::chrono::milliseconds record_wait{5000};
  // A warning that repeats every poll is written once, then summarised this often.
  std::chrono::milliseconds log_repeats_every{30000};
};

class Dispatcher {
 public:
  // routes: every route with a provider; pending keys of any other route are marked skipped.
  // `clock` (which must outlive this) decides what is due, how long the lease is valid and
  // when warnings repeat; the threads' waits (poll, queue, record wait) are real time.
  Dispatcher(DispatcherOptions options, std::vector<DispatchRoute> routes, store::EventWriter& writer,
             DispatchMetrics& metrics, const core::Clock& clock = store::SystemClock());
  ~Dispatcher();  // Stop()s

  void Start();
  // Stops scheduling, cuts in-flight HTTP calls short (a cut send is uncertain: the key is
  // listed before the next post), waits at most about a second for their records, joins.
  // Unfinished keys stay due in the database. Idempotent.
  void Stop();
  // Wakes the scheduler now (e.g. after a commit changed statuses).
  void Wake();

  // Whether this dispatcher may send now (always true without a lease option).
  bool HoldsLease() const;
  // Who held the lease at the last try, when it was not us (empty otherwise).
  std::string OtherLeaseHolder() const;
  std::int64_t steps() const { return steps_.load(); }
  // Scheduler turns completed: a test on a manual clock waits for a few of them to know that
  // the scheduler has looked again (and, the clock standing still, decided as before).
  std::int64_t polls() const { return polls_.load(); }

  // For the probes: why dispatch is not doing its job, or nullopt. A thread has stopped
  // (supervision should prevent it), a thread has failed on every try for longer than
  // stall_after, or keys have been due (the lease held, their host not paused) for longer than
  // stall_after without a delivery attempt. nullopt before Start and after Stop. Thread-safe.
  std::optional<std::string> Problem(std::chrono::milliseconds stall_after) const;
  // Worker threads running now, and how many were configured. Thread-safe.
  int WorkersAlive() const;
  int WorkersConfigured() const { return options_.workers; }

 private:
  struct Job {
    core::SinkKey target;
  };
  // Keys whose record could not commit: not scheduled again before until_ms (the backoff that
  // the record would have written into next_attempt_ms).
  struct HeldBack {
    std::int64_t until_ms = 0;
    int failed_records = 0;
  };
  static constexpr int kSchedulerThread = 0;  // DispatchHealth index; worker i is i + 1

  // Runs `incarnation` until Stop; after an exception: log, back off, run it again.
  void Supervise(int thread, const std::function<void()>& incarnation);
  void ScheduleLoop();
  // Takes or renews the lease when it is time to; returns whether scheduling may go on.
  bool KeepLease(std::unique_ptr<store::DispatchLease>& lease);
  // Queues due keys not in progress, not held back and not on a paused host; returns how many.
  std::size_t ScheduleOnce(store::Connection& db, store::Outbox& outbox, std::unique_ptr<store::DispatchLease>& lease);
  void Measure(store::Outbox& outbox, std::int64_t now);
  std::vector<store::StatusRow> DueKeys(store::Connection& db, store::Outbox& outbox, std::int64_t now);
  bool Enqueue(const store::StatusRow& row, std::int64_t now);
  bool HostPaused(const std::string& route, std::int64_t now) const;  // mu_ held
  // Whether the lease stays valid for `action` on a route with `call_timeout`.
  bool LeaseCovers(LeaseAction action, std::chrono::milliseconds call_timeout) const;

  void WorkerLoop(int index);
  // `db`: the worker's read connection, which `outbox` reads through.
  void Process(const Job& job, store::Connection& db, store::Outbox& outbox,
               std::map<std::string, CurlTransport>& transports, std::uint64_t& seed);
  // Runs the step of the row's sink (a deployment's needs its event's revision from `db`).
  StepResult RunStep(const store::StatusRow& row, const DispatchRoute& route, CurlTransport& transport,
                     store::Connection& db, std::uint64_t& seed);
  // Records that the row has no sink (`error` says why): sync_state 'skipped'.
  void Skip(const Job& job, const store::StatusRow& row, std::string error, std::chrono::milliseconds call_timeout);
  void Report(const core::SinkKey& target, const std::string& host, const StepResult& result);
  // Records a step's result when the lease still covers it; holds the key back when it fails.
  void Finish(const core::SinkKey& target, store::DeliveryRecord record, std::chrono::milliseconds call_timeout);
  bool Record(store::DeliveryRecord record);
  void HoldBack(const core::SinkKey& target, std::optional<std::int64_t> next_attempt_ms);
  void Release(const core::SinkKey& target);

  DispatcherOptions options_;
  const core::Clock& clock_;
  std::map<std::string, DispatchRoute> routes_;
  std::chrono::milliseconds longest_call_{0};  // the longest transport timeout of any route
  store::EventWriter& writer_;
  DispatchMetrics& metrics_;
  DispatchHealth health_;
  RepeatingLog repeating_log_;

  moodycamel::BlockingConcurrentQueue<Job> jobs_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::set<core::SinkKey> in_progress_;                  // guarded by mu_
  std::map<core::SinkKey, HeldBack> held_back_;          // guarded by mu_
  std::map<std::string, std::int64_t> paused_until_ms_;  // host key -> time; guarded by mu_
  bool woken_ = false;                                   // guarded by mu_
  std::atomic<bool> started_{false};
  std::atomic<bool> stop_{false};
  std::atomic<std::int64_t> steps_{0};
  std::atomic<std::int64_t> polls_{0};
  // The lease: valid (for sending) until this steady time; renewed by the scheduler.
  std::atomic<std::int64_t> lease_valid_until_ns_{0};
  std::chrono::steady_clock::time_point next_lease_try_{};  // scheduler thread only
  std::chrono::steady_clock::time_point next_measure_{};    // scheduler thread only
  std::string other_holder_;                                // guarded by mu_
  std::vector<core::SinkKey> remaining_keys_;               // scheduler thread only (keys mode)
  std::thread scheduler_;
  std::vector<std::thread> workers_;
};

}  // namespace fluxstatus::dispatch
