#include "ingest/ingest_metrics.h"

#include <sstream>

namespace fluxstatus::ingest {
namespace {

// Label values are escaped as the exposition format requires (\\, \", \n).
std::string Label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void Header(std::ostringstream& os, const char* name, const char* type, const char* help) {
  os << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
}

}  // namespace

void IngestMetrics::Accepted(const std::string& route) {
  std::lock_guard lock(mu_);
  ++accepted_[route];
}

void IngestMetrics::Duplicate(const std::string& route) {
  std::lock_guard lock(mu_);
  ++duplicates_[route];
}

void IngestMetrics::Rejected(const std::string& route, const std::string& reason) {
  std::lock_guard lock(mu_);
  ++rejected_[{route, reason}];
}

void IngestMetrics::Unmatched() {
  std::lock_guard lock(mu_);
  ++unmatched_;
}

void IngestMetrics::AckLatency(double seconds) {
  std::lock_guard lock(mu_);
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++bucket_counts_[i];
  }
  ++latency_count_;
  latency_sum_ += seconds;
}

std::int64_t IngestMetrics::accepted_total() const {
  std::lock_guard lock(mu_);
  std::int64_t n = 0;
  for (const auto& [route, count] : accepted_) n += count;
  return n;
}

std::string IngestMetrics::Render(const std::vector<Gauge>& gauges) const {
  std::ostringstream os;
  // 16 significant digits: integers up to 10^16 print as integers (the default 6 printed
  // 1725660 as 1.72566e+06), and a double's last-digit noise never shows.
  os.precision(16);
  std::lock_guard lock(mu_);
  Header(os, "fluxstatus_events_accepted_total", "counter", "Events appended to the log and folded.");
  for (const auto& [route, n] : accepted_) {
    os << "fluxstatus_events_accepted_total{route=\"" << Label(route) << "\"} " << n << '\n';
  }
  Header(os, "fluxstatus_events_duplicate_total", "counter", "Byte-identical deliveries stored once.");
  for (const auto& [route, n] : duplicates_) {
    os << "fluxstatus_events_duplicate_total{route=\"" << Label(route) << "\"} " << n << '\n';
  }
  Header(os, "fluxstatus_events_rejected_total", "counter", "Requests answered with an error, by reason.");
  for (const auto& [key, n] : rejected_) {
    os << "fluxstatus_events_rejected_total{route=\"" << Label(key.first) << "\",reason=\""
       << Label(key.second) << "\"} " << n << '\n';
  }
  Header(os, "fluxstatus_events_unmatched_total", "counter", "Direct-mode events no route's match list took.");
  os << "fluxstatus_events_unmatched_total " << unmatched_ << '\n';
  Header(os, "fluxstatus_ack_latency_seconds", "histogram", "Time from request to durable acknowledgement.");
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    os << "fluxstatus_ack_latency_seconds_bucket{le=\"" << kBuckets[i] << "\"} " << bucket_counts_[i] << '\n';
  }
  os << "fluxstatus_ack_latency_seconds_bucket{le=\"+Inf\"} " << latency_count_ << '\n';
  os << "fluxstatus_ack_latency_seconds_sum " << latency_sum_ << '\n';
  os << "fluxstatus_ack_latency_seconds_count " << latency_count_ << '\n';
  for (const auto& g : gauges) {
    Header(os, g.name.c_str(), "gauge", g.help.c_str());
    os << g.name << ' ' << g.value << '\n';
  }
  return os.str();
}

}  // namespace fluxstatus::ingest
