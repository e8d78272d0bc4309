// What Dispatcher::Problem reports: each supervised thread's state (running, failing since
// when and why, gone) and whether due work is getting delivery attempts. Times are passed in
// (steady clock), so the rules are plain to test. Thread-safe.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace fluxstatus::dispatch {

class DispatchHealth {
 public:
  using Clock = std::chrono::steady_clock;

  // One name per supervised thread, e.g. "dispatch scheduler", "dispatch worker 0".
  explicit DispatchHealth(std::vector<std::string> thread_names);

  void Started(int thread);
  void Exited(int thread);
  // An incarnation of the thread threw. Returns whether it was failing already (no success
  // since its previous failure), so the caller can grow its backoff.
  bool Failed(int thread, const std::string& error, Clock::time_point now);
  // The thread completed a pass: it is not failing (any more).
  void Succeeded(int thread);

  // The scheduler, after each look while it may send: whether due work waits (keys due on
  // hosts that are not paused). False, or not holding the lease, resets the stall clock.
  void DueWork(bool waiting, Clock::time_point now);
  // A delivery attempt: a call to a host returned, or a step's result was recorded.
  void Attempted(Clock::time_point now);

  // How many of the threads [first, first + count) are running.
  int Running(int first, int count) const;
  // Why the dispatcher is not doing its job, or nullopt: a thread has exited while
  // `expect_running`, a thread has failed on every pass for longer than stall_after, or due
  // work has waited that long without a delivery attempt.
  std::optional<std::string> Problem(Clock::time_point now, std::chrono::milliseconds stall_after,
                                     bool expect_running) const;

 private:
  struct Thread {
    std::string name;
    bool running = false;
    bool exited = false;
    std::optional<Clock::time_point> failing_since;
    std::string last_error;
  };
  mutable std::mutex mu_;
  std::vector<Thread> threads_;                    // guarded by mu_
  std::optional<Clock::time_point> due_since_;     // guarded by mu_
  std::optional<Clock::time_point> last_attempt_;  // guarded by mu_
};

}  // namespace fluxstatus::dispatch
