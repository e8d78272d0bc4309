// Answers 503 for requests whose commit did not arrive in time, so a stuck writer or a slow
// disk never leaves Flux waiting past its own timeout. Whichever of the commit and the
// deadline comes first answers; the other is ignored.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

namespace fluxstatus::ingest {

// One request waiting for its acknowledgement. Answer() runs `answer` at most once overall.
class PendingAck {
 public:
  using Answer = std::function<void(bool timed_out)>;
  explicit PendingAck(Answer answer) : answer_(std::move(answer)) {}
  // Returns true when this call answered (the first call).
  bool Finish(bool timed_out) {
    if (done_.exchange(true)) return false;
    answer_(timed_out);
    return true;
  }

 private:
  Answer answer_;
  std::atomic<bool> done_{false};
};

class AckDeadlines {
 public:
  AckDeadlines();
  ~AckDeadlines();  // stops the thread; pending deadlines are dropped

  void Watch(std::shared_ptr<PendingAck> ack, std::chrono::steady_clock::time_point deadline);

 private:
  struct Entry {
    std::chrono::steady_clock::time_point deadline;
    std::weak_ptr<PendingAck> ack;
    bool operator>(const Entry& o) const { return deadline > o.deadline; }
  };
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> heap_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace fluxstatus::ingest
