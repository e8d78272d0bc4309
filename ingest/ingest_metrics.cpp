#include "ingest/ingest_metrics.h"

#include <prometheus/text_serializer.h>

namespace fluxstatus::ingest {
namespace {

prometheus::Family<prometheus::Counter>& CounterFamily(prometheus::Registry& registry, const char* name,
                                                       const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry);
}

}  // namespace

IngestMetrics::IngestMetrics()
    : accepted_(CounterFamily(registry_, "fluxstatus_events_accepted_total", "Events appended to the log and folded.")),
      duplicates_(
          CounterFamily(registry_, "fluxstatus_events_duplicate_total", "Byte-identical deliveries stored once.")),
      rejected_(
          CounterFamily(registry_, "fluxstatus_events_rejected_total", "Requests answered with an error, by reason.")),
      unmatched_(CounterFamily(registry_, "fluxstatus_events_unmatched_total",
                               "Direct-mode events no route's match list took.")
                     .Add({})),
      ack_latency_(prometheus::BuildHistogram()
                       .Name("fluxstatus_ack_latency_seconds")
                       .Help("Time from request to durable acknowledgement.")
                       .Register(registry_)
                       .Add({}, prometheus::Histogram::BucketBoundaries{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                                        0.25, 0.5, 1, 2.5, 5, 10})) {}

void IngestMetrics::Accepted(const std::string& route) { accepted_.Add({{"route", route}}).Increment(); }

void IngestMetrics::Duplicate(const std::string& route) { duplicates_.Add({{"route", route}}).Increment(); }

void IngestMetrics::Rejected(const std::string& route, const std::string& reason) {
  rejected_.Add({{"route", route}, {"reason", reason}}).Increment();
}

void IngestMetrics::Unmatched() { unmatched_.Increment(); }

void IngestMetrics::AckLatency(double seconds) { ack_latency_.Observe(seconds); }

std::int64_t IngestMetrics::accepted_total() const {
  double n = 0;
  for (const auto& family : accepted_.Collect()) {
    for (const auto& sample : family.metric) n += sample.counter.value;
  }
  return static_cast<std::int64_t>(n);
}

std::string IngestMetrics::Render(const std::vector<Gauge>& gauges) {
  // The registry keeps each gauge once (same name, same help: the registered family is
  // returned); the value is the one sampled for this scrape.
  for (const auto& g : gauges) {
    prometheus::BuildGauge().Name(g.name).Help(g.help).Register(registry_).Add({}).Set(g.value);
  }
  return prometheus::TextSerializer().Serialize(registry_.Collect());
}

}  // namespace fluxstatus::ingest
