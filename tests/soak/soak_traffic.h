// The moving parts of a soak run: the planned stream handed out wave by wave, the four Flux
// senders, and the fake host's faults (429 with Retry-After, 5xx bursts, answers lost after a
// POST was applied). All threads stop and are joined when Traffic goes away, also when a check
// throws half-way.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/soak/flux_sender.h"
#include "tests/soak/flux_stream.h"
#include "tests/soak/soak_checks.h"
#include "tests/support/fake_git_host.h"

namespace fluxstatus::soak {

class SendQueue {
 public:
  void Push(std::vector<Send> sends);
  // The next send; nullopt once closed and empty.
  std::optional<Send> Pop();
  void Close();
  std::size_t size() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Send> sends_;
  bool closed_ = false;
};

struct TrafficPlan {
  std::uint64_t seed = 0;
  int waves = 0;
  std::chrono::milliseconds wave_interval{3500};
  int senders = 4;
  // Past it senders stop sending and record what is left as never sent: a service that stopped
  // acknowledging must not make the run last hours.
  std::chrono::steady_clock::time_point deadline;
};

struct FaultCounts {
  int rate_limits = 0;      // 429 + Retry-After bursts injected
  int server_errors = 0;    // 5xx bursts injected
  int dropped_answers = 0;  // POSTs applied, then the connection closed unanswered
};

class Traffic {
 public:
  Traffic(TrafficPlan plan, FluxStream& stream, std::map<std::string, Endpoint> endpoints, testing::FakeGitHost& host);
  ~Traffic();
  Traffic(const Traffic&) = delete;
  Traffic& operator=(const Traffic&) = delete;

  void Start();
  // Waits for the stream to be sent (or given up), then stops the faults.
  void Finish();

  TrafficGate& gate() { return gate_; }
  const Ledger& ledger() const { return ledger_; }
  FaultCounts faults() const;
  int late_dependencies() const { return late_dependencies_; }
  int never_sent() const { return never_sent_; }
  int waves_sent() const { return waves_sent_; }

 private:
  void Generate();
  void SendLoop();
  void SendOne(FluxSender& sender, Send& send);
  void InjectFaults();
  bool Sleep(std::chrono::milliseconds d);  // false when stopping

  TrafficPlan plan_;
  FluxStream& stream_;
  std::map<std::string, Endpoint> endpoints_;
  testing::FakeGitHost& host_;
  SendQueue queue_;
  TrafficGate gate_;
  Ledger ledger_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool faults_off_ = false;
  FaultCounts faults_;
  std::atomic<int> late_dependencies_{0};
  std::atomic<int> never_sent_{0};
  std::atomic<int> waves_sent_{0};
  std::vector<std::thread> senders_;
  std::thread generator_;
  std::thread faults_thread_;
};

}  // namespace fluxstatus::soak
