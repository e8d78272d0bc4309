// Dispatch metrics, kept in a prometheus-cpp registry and rendered in the Prometheus text
// format by its serializer: attempts by host and outcome, the backlog (pending keys, oldest
// due age), statuses by sync_state, dispatch workers alive and each host's last reported
// rate-limit budget.
// Thread-safe (prometheus-cpp's counters and gauges are atomic, its families lock themselves).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace fluxstatus::dispatch {

class DispatchMetrics {
 public:
  DispatchMetrics();
  DispatchMetrics(const DispatchMetrics&) = delete;
  DispatchMetrics& operator=(const DispatchMetrics&) = delete;

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
  // Declared first: the families below live in it.
  prometheus::Registry registry_;
  prometheus::Family<prometheus::Counter>& attempts_;
  prometheus::Gauge& pending_;
  prometheus::Gauge& oldest_due_seconds_;
  prometheus::Family<prometheus::Gauge>& statuses_;
  prometheus::Gauge& workers_alive_;
  prometheus::Family<prometheus::Gauge>& rate_remaining_;
  prometheus::Family<prometheus::Gauge>& paused_;
  // Backlog and Statuses each set several gauges from one measurement; a scrape sees all of
  // them from the same one.
  mutable std::mutex measurement_mu_;
};

}  // namespace fluxstatus::dispatch
