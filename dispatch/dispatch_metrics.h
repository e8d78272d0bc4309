// Dispatch metrics in the Prometheus text format: attempts by host and outcome, the backlog
// (pending keys, oldest due age), statuses by sync_state, dispatch workers alive and each
// host's last reported rate-limit budget.
// Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace fluxstatus::dispatch {

class DispatchMetrics {
 public:
  void Attempt(const std::string& host, const std::string& outcome);
  void RateRemaining(const std::string& host, std::int64_t remaining);
  void Backlog(std::int64_t pending, std::int64_t oldest_age_ms);
  void HostPaused(const std::string& host, bool paused);
  // Keys per sync_state; the four states are always rendered (0 when absent).
  void Statuses(const std::map<std::string, std::int64_t>& by_sync_state);
  void WorkersAlive(int alive);

  std::string Render() const;
  std::int64_t attempts(const std::string& host, const std::string& outcome) const;

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, std::int64_t> attempts_;
  std::map<std::string, std::int64_t> rate_remaining_;
  std::map<std::string, bool> paused_;
  std::int64_t pending_ = 0;
  std::int64_t oldest_age_ms_ = 0;
  std::map<std::string, std::int64_t> statuses_;
  int workers_alive_ = 0;
};

}  // namespace fluxstatus::dispatch
