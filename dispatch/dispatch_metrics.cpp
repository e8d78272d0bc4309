#include "dispatch/dispatch_metrics.h"

#include <sstream>

namespace fluxstatus::dispatch {

void DispatchMetrics::Attempt(const std::string& host, const std::string& outcome) {
  std::lock_guard lock(mu_);
  ++attempts_[{host, outcome}];
}

void DispatchMetrics::RateRemaining(const std::string& host, std::int64_t remaining) {
  std::lock_guard lock(mu_);
  rate_remaining_[host] = remaining;
}

void DispatchMetrics::Backlog(std::int64_t pending, std::int64_t oldest_age_ms) {
  std::lock_guard lock(mu_);
  pending_ = pending;
  oldest_age_ms_ = oldest_age_ms;
}

void DispatchMetrics::HostPaused(const std::string& host, bool paused) {
  std::lock_guard lock(mu_);
  paused_[host] = paused;
}

void DispatchMetrics::Statuses(const std::map<std::string, std::int64_t>& by_sync_state) {
  std::lock_guard lock(mu_);
  statuses_ = by_sync_state;
}

void DispatchMetrics::WorkersAlive(int alive) {
  std::lock_guard lock(mu_);
  workers_alive_ = alive;
}

std::int64_t DispatchMetrics::attempts(const std::string& host, const std::string& outcome) const {
  std::lock_guard lock(mu_);
  auto it = attempts_.find({host, outcome});
  return it == attempts_.end() ? 0 : it->second;
}

std::string DispatchMetrics::Render() const {
  // Host names and outcomes come from configuration and a fixed set: no label escaping needed
  // beyond what a host name can contain.
  std::ostringstream os;
  // 16 significant digits: integers up to 10^16 print as integers (the default 6 printed
  // 1725660 as 1.72566e+06), and a double's last-digit noise never shows.
  os.precision(16);
  std::lock_guard lock(mu_);
  os << "# HELP fluxstatus_dispatch_attempts_total Calls to Git hosts, by host and outcome.\n"
        "# TYPE fluxstatus_dispatch_attempts_total counter\n";
  for (const auto& [key, n] : attempts_) {
    os << "fluxstatus_dispatch_attempts_total{host=\"" << key.first << "\",outcome=\"" << key.second << "\"} " << n << '\n';
  }
  os << "# HELP fluxstatus_dispatch_pending Statuses waiting to be synced to their Git host.\n"
        "# TYPE fluxstatus_dispatch_pending gauge\n"
     << "fluxstatus_dispatch_pending " << pending_ << '\n'
     << "# HELP fluxstatus_dispatch_oldest_due_seconds Age of the oldest pending status.\n"
        "# TYPE fluxstatus_dispatch_oldest_due_seconds gauge\n"
     << "fluxstatus_dispatch_oldest_due_seconds " << static_cast<double>(oldest_age_ms_) / 1000 << '\n';
  os << "# HELP fluxstatus_statuses Current statuses by sync state (alert on failed > 0).\n"
        "# TYPE fluxstatus_statuses gauge\n";
  for (const char* state : {"pending", "synced", "failed", "skipped"}) {
    const auto it = statuses_.find(state);
    const std::int64_t n = it == statuses_.end() ? 0 : it->second;
    os << "fluxstatus_statuses{sync_state=\"" << state << "\"} " << n << '\n';
  }
  os << "# HELP fluxstatus_dispatch_workers_alive Dispatch worker threads running.\n"
        "# TYPE fluxstatus_dispatch_workers_alive gauge\n"
     << "fluxstatus_dispatch_workers_alive " << workers_alive_ << '\n';
  os << "# HELP fluxstatus_dispatch_rate_limit_remaining The host's last reported request budget.\n"
        "# TYPE fluxstatus_dispatch_rate_limit_remaining gauge\n";
  for (const auto& [host, n] : rate_remaining_) {
    os << "fluxstatus_dispatch_rate_limit_remaining{host=\"" << host << "\"} " << n << '\n';
  }
  os << "# HELP fluxstatus_dispatch_host_paused 1 while a host's rate limit pauses every call to it.\n"
        "# TYPE fluxstatus_dispatch_host_paused gauge\n";
  for (const auto& [host, p] : paused_) {
    os << "fluxstatus_dispatch_host_paused{host=\"" << host << "\"} " << (p ? 1 : 0) << '\n';
  }
  return os.str();
}

}  // namespace fluxstatus::dispatch
