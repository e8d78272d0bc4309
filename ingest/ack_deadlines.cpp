#include "ingest/ack_deadlines.h"

namespace fluxstatus::ingest {

AckDeadlines::AckDeadlines() : thread_([this] { Run(); }) {}

AckDeadlines::~AckDeadlines() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void AckDeadlines::Watch(std::shared_ptr<PendingAck> ack, std::chrono::steady_clock::time_point deadline) {
  {
    std::lock_guard lock(mu_);
    heap_.push({deadline, ack});
  }
  cv_.notify_one();
}

void AckDeadlines::Run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    if (heap_.empty()) {
      cv_.wait(lock);
      continue;
    }
    const auto next = heap_.top().deadline;
    if (std::chrono::steady_clock::now() < next) {
      cv_.wait_until(lock, next);
      continue;
    }
    auto ack = heap_.top().ack.lock();
    heap_.pop();
    if (!ack) continue;  // already answered and released
    lock.unlock();
    ack->Finish(true);
    lock.lock();
  }
}

}  // namespace fluxstatus::ingest
