#include "dispatch/dispatch_health.h"

#include <algorithm>

namespace fluxstatus::dispatch {
namespace {

std::string Seconds(DispatchHealth::Clock::duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count()) + " s";
}

}  // namespace

DispatchHealth::DispatchHealth(std::vector<std::string> thread_names) {
  for (auto& name : thread_names) {
    Thread t;
    t.name = std::move(name);
    threads_.push_back(std::move(t));
  }
}

void DispatchHealth::Started(int thread) {
  std::lock_guard lock(mu_);
  threads_.at(thread).running = true;
  threads_.at(thread).exited = false;
}

void DispatchHealth::Exited(int thread) {
  std::lock_guard lock(mu_);
  threads_.at(thread).running = false;
  threads_.at(thread).exited = true;
}

bool DispatchHealth::Failed(int thread, const std::string& error, Clock::time_point now) {
  std::lock_guard lock(mu_);
  Thread& t = threads_.at(thread);
  t.last_error = error;
  if (t.failing_since) return true;
  t.failing_since = now;
  return false;
}

void DispatchHealth::Succeeded(int thread) {
  std::lock_guard lock(mu_);
  threads_.at(thread).failing_since.reset();
}

void DispatchHealth::DueWork(bool waiting, Clock::time_point now) {
  std::lock_guard lock(mu_);
  if (!waiting)
    due_since_.reset();
  else if (!due_since_)
    due_since_ = now;
}

void DispatchHealth::Attempted(Clock::time_point now) {
  std::lock_guard lock(mu_);
  last_attempt_ = now;
}

int DispatchHealth::Running(int first, int count) const {
  std::lock_guard lock(mu_);
  return static_cast<int>(std::count_if(threads_.begin() + first, threads_.begin() + first + count,
                                        [](const Thread& t) { return t.running; }));
}

std::optional<std::string> DispatchHealth::Problem(Clock::time_point now, std::chrono::milliseconds stall_after,
                                                   bool expect_running) const {
  std::lock_guard lock(mu_);
  for (const auto& t : threads_) {
    if (expect_running && t.exited) return t.name + " has stopped";
  }
  for (const auto& t : threads_) {
    if (t.failing_since && now - *t.failing_since > stall_after) {
      return t.name + " has failed on every try for " + Seconds(now - *t.failing_since) + ": " + t.last_error;
    }
  }
  if (due_since_) {
    const auto since = last_attempt_ ? std::max(*due_since_, *last_attempt_) : *due_since_;
    if (now - since > stall_after) {
      return "statuses have been due for " + Seconds(now - since) + " without a delivery attempt";
    }
  }
  return std::nullopt;
}

}  // namespace fluxstatus::dispatch
