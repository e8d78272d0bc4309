#include "dispatch/dispatch_metrics.h"

#include <prometheus/text_serializer.h>

namespace fluxstatus::dispatch {
namespace {

constexpr const char* kSyncStates[] = {"pending", "synced", "failed", "skipped"};

prometheus::Family<prometheus::Gauge>& GaugeFamily(prometheus::Registry& registry, const char* name, const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry);
}

}  // namespace

DispatchMetrics::DispatchMetrics()
    : attempts_(prometheus::BuildCounter()
                    .Name("fluxstatus_dispatch_attempts_total")
                    .Help("Calls to Git hosts, by host and outcome.")
                    .Register(registry_)),
      pending_(GaugeFamily(registry_, "fluxstatus_dispatch_pending", "Statuses waiting to be synced to their Git host.")
                   .Add({})),
      oldest_due_seconds_(
          GaugeFamily(registry_, "fluxstatus_dispatch_oldest_due_seconds", "Age of the oldest pending status.")
              .Add({})),
      statuses_(GaugeFamily(registry_, "fluxstatus_statuses", "Current statuses by sync state (alert on failed > 0).")),
      workers_alive_(
          GaugeFamily(registry_, "fluxstatus_dispatch_workers_alive", "Dispatch worker threads running.").Add({})),
      rate_remaining_(GaugeFamily(registry_, "fluxstatus_dispatch_rate_limit_remaining",
                                  "The host's last reported request budget.")),
      paused_(GaugeFamily(registry_, "fluxstatus_dispatch_host_paused",
                          "1 while a host's rate limit pauses every call to it.")) {
  for (const char* state : kSyncStates) statuses_.Add({{"sync_state", state}});
}

void DispatchMetrics::Attempt(const std::string& host, const std::string& outcome) {
  attempts_.Add({{"host", host}, {"outcome", outcome}}).Increment();
}

void DispatchMetrics::RateRemaining(const std::string& host, std::int64_t remaining) {
  rate_remaining_.Add({{"host", host}}).Set(static_cast<double>(remaining));
}

void DispatchMetrics::Backlog(std::int64_t pending, std::int64_t oldest_age_ms) {
  std::lock_guard lock(measurement_mu_);
  pending_.Set(static_cast<double>(pending));
  oldest_due_seconds_.Set(static_cast<double>(oldest_age_ms) / 1000);
}

void DispatchMetrics::HostPaused(const std::string& host, bool paused) {
  paused_.Add({{"host", host}}).Set(paused ? 1 : 0);
}

void DispatchMetrics::Statuses(const std::map<std::string, std::int64_t>& by_sync_state) {
  std::lock_guard lock(measurement_mu_);
  for (const char* state : kSyncStates) {
    const auto it = by_sync_state.find(state);
    statuses_.Add({{"sync_state", state}}).Set(it == by_sync_state.end() ? 0 : static_cast<double>(it->second));
  }
}

void DispatchMetrics::WorkersAlive(int alive) { workers_alive_.Set(alive); }

std::int64_t DispatchMetrics::attempts(const std::string& host, const std::string& outcome) const {
  const prometheus::Labels labels{{"host", host}, {"outcome", outcome}};
  // Has first: Add would create the series (rendered as 0) just by asking.
  return attempts_.Has(labels) ? static_cast<std::int64_t>(attempts_.Add(labels).Value()) : 0;
}

std::string DispatchMetrics::Render() const {
  std::unique_lock lock(measurement_mu_);
  auto families = registry_.Collect();
  lock.unlock();
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace fluxstatus::dispatch
