// Resync metrics (issue 17): when the last resync ran and succeeded, what it saw and appended,
// and its errors by kind, in a prometheus-cpp registry rendered beside the others on /metrics.
// Thread-safe (prometheus-cpp's counters and gauges are atomic).
#pragma once

#include <cstdint>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace fluxstatus::ingest {

class ResyncMetrics {
 public:
  ResyncMetrics();
  ResyncMetrics(const ResyncMetrics&) = delete;
  ResyncMetrics& operator=(const ResyncMetrics&) = delete;

  void Enabled(bool enabled, double interval_seconds);
  // A finished resync: when (ms since the epoch), how long, what it saw and appended.
  void Succeeded(std::int64_t at_ms, double seconds, std::size_t objects, std::size_t appended, int requests);
  // `reason`: forbidden, unauthorized, unreachable, api_error, invalid_response, credentials,
  // database, internal, no_route.
  void Failed(std::int64_t at_ms, const std::string& reason, int requests);

  std::string Render() const;
  double events_synthesized() const { return synthesized_.Value(); }

 private:
  prometheus::Registry registry_;  // first: the families below live in it
  prometheus::Gauge& enabled_;
  prometheus::Gauge& interval_;
  prometheus::Gauge& last_run_;
  prometheus::Gauge& last_success_;
  prometheus::Gauge& duration_;
  prometheus::Gauge& objects_;
  prometheus::Counter& synthesized_;
  prometheus::Counter& requests_;
  prometheus::Family<prometheus::Counter>& errors_;
};

}  // namespace fluxstatus::ingest
