// Ingest counters and the ack-latency histogram, rendered in the Prometheus text format.
// Thread-safe: HTTP threads and the writer thread update it concurrently.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace fluxstatus::ingest {

// A point-in-time value sampled when /metrics is scraped (queue depth, database size, …).
struct Gauge {
  std::string name;  // e.g. "fluxstatus_writer_queue_depth"
  std::string help;
  double value = 0;
};

class IngestMetrics {
 public:
  void Accepted(const std::string& route);
  void Duplicate(const std::string& route);
  // reason: a short label from a fixed set ("invalid_event", "unauthorized", …).
  void Rejected(const std::string& route, const std::string& reason);
  void Unmatched();  // direct-mode events that matched no route
  void AckLatency(double seconds);

  // The whole exposition: counters, histogram, then the given gauges.
  std::string Render(const std::vector<Gauge>& gauges) const;

  std::int64_t accepted_total() const;

 private:
  static constexpr std::array<double, 13> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                      0.25,  0.5,    1,     2.5,  5,    10};
  mutable std::mutex mu_;
  std::map<std::string, std::int64_t> accepted_;
  std::map<std::string, std::int64_t> duplicates_;
  std::map<std::pair<std::string, std::string>, std::int64_t> rejected_;
  std::int64_t unmatched_ = 0;
  std::array<std::int64_t, kBuckets.size()> bucket_counts_{};
  std::int64_t latency_count_ = 0;
  double latency_sum_ = 0;
};

}  // namespace fluxstatus::ingest
