// Ingest counters and the ack-latency histogram, kept in a prometheus-cpp registry and
// rendered in the Prometheus text format by its serializer.
// Thread-safe: HTTP threads and the writer thread update it concurrently (prometheus-cpp's
// counters are atomic, its histograms and families lock themselves).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace fluxstatus::ingest {

// A point-in-time value sampled when /metrics is scraped (queue depth, database size, …).
struct Gauge {
  std::string name;  // e.g. "fluxstatus_writer_queue_depth"
  std::string help;
  double value = 0;
};

class IngestMetrics {
 public:
  IngestMetrics();
  IngestMetrics(const IngestMetrics&) = delete;
  IngestMetrics& operator=(const IngestMetrics&) = delete;

  void Accepted(const std::string& route);
  void Duplicate(const std::string& route);
  // reason: a short label from a fixed set ("invalid_event", "unauthorized", …).
  void Rejected(const std::string& route, const std::string& reason);
  void Unmatched();  // direct-mode events that matched no route
  void AckLatency(double seconds);

  // The whole exposition: counters, the given gauges (set to their sampled values), histogram.
  std::string Render(const std::vector<Gauge>& gauges);

  std::int64_t accepted_total() const;

 private:
  // Declared first: the families below live in it.
  prometheus::Registry registry_;
  prometheus::Family<prometheus::Counter>& accepted_;
  prometheus::Family<prometheus::Counter>& duplicates_;
  prometheus::Family<prometheus::Counter>& rejected_;
  prometheus::Counter& unmatched_;
  prometheus::Histogram& ack_latency_;
};

}  // namespace fluxstatus::ingest
