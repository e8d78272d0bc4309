#include "ingest/resync_metrics.h"

#include <prometheus/text_serializer.h>

namespace fluxstatus::ingest {
namespace {

prometheus::Gauge& OneGauge(prometheus::Registry& registry, const char* name, const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add({});
}

prometheus::Counter& OneCounter(prometheus::Registry& registry, const char* name, const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry).Add({});
}

constexpr const char* kErrorReasons[] = {"forbidden",   "unauthorized", "unreachable", "api_error", "invalid_response",
                                         "credentials", "database",     "internal",    "no_route"};

}  // namespace

ResyncMetrics::ResyncMetrics()
    : enabled_(OneGauge(registry_, "fluxstatus_resync_enabled", "1 when serve resyncs from the cluster.")),
      interval_(OneGauge(registry_, "fluxstatus_resync_interval_seconds", "Time between two resyncs (0: off).")),
      last_run_(OneGauge(registry_, "fluxstatus_resync_last_run_timestamp_seconds",
                         "When the last resync ended, successful or not (0: never).")),
      last_success_(OneGauge(registry_, "fluxstatus_resync_last_success_timestamp_seconds",
                             "When the last successful resync ended (0: never; alert when it grows old).")),
      duration_(OneGauge(registry_, "fluxstatus_resync_duration_seconds", "How long the last successful resync took.")),
      objects_(OneGauge(registry_, "fluxstatus_resync_objects", "Flux objects the last successful resync listed.")),
      synthesized_(OneCounter(registry_, "fluxstatus_resync_events_synthesized_total",
                              "Events resync appended because the cluster showed a status the log lacked.")),
      requests_(OneCounter(registry_, "fluxstatus_resync_api_requests_total", "Kubernetes API requests of resync.")),
      errors_(prometheus::BuildCounter()
                  .Name("fluxstatus_resync_errors_total")
                  .Help("Resyncs that failed, by reason (the log line says what to fix).")
                  .Register(registry_)) {
  for (const char* reason : kErrorReasons) errors_.Add({{"reason", reason}});
}

void ResyncMetrics::Enabled(bool enabled, double interval_seconds) {
  enabled_.Set(enabled ? 1 : 0);
  interval_.Set(interval_seconds);
}

void ResyncMetrics::Succeeded(std::int64_t at_ms, double seconds, std::size_t objects, std::size_t appended,
                              int requests) {
  last_run_.Set(static_cast<double>(at_ms) / 1000);
  last_success_.Set(static_cast<double>(at_ms) / 1000);
  duration_.Set(seconds);
  objects_.Set(static_cast<double>(objects));
  synthesized_.Increment(static_cast<double>(appended));
  requests_.Increment(requests);
}

void ResyncMetrics::Failed(std::int64_t at_ms, const std::string& reason, int requests) {
  last_run_.Set(static_cast<double>(at_ms) / 1000);
  errors_.Add({{"reason", reason}}).Increment();
  requests_.Increment(requests);
}

std::string ResyncMetrics::Render() const { return prometheus::TextSerializer().Serialize(registry_.Collect()); }

}  // namespace fluxstatus::ingest
