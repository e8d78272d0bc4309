// The ingest endpoints (contract "HTTP"): POST /hook/{route}, POST / and /events (direct mode),
// GET /healthz, /readyz, /metrics. Authenticates, validates and parses on the HTTP thread, then
// hands the event to the writer and answers 202 only after its commit.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/event_source_match.h"
#include "ingest/ack_deadlines.h"
#include "ingest/http_server.h"
#include "ingest/ingest_metrics.h"
#include "ingest/rejections.h"
#include "store/event_writer.h"
#include "store/system_clock.h"

namespace fluxstatus::ingest {

struct IngestRoute {
  std::string name;
  std::optional<std::string> hmac_key;      // as read from its file: X-Signature required
  std::optional<std::string> bearer_token;  // trimmed: Authorization: Bearer required
  std::vector<core::EventSourceMatch> match;
};

struct IngestSettings {
  std::vector<IngestRoute> routes;  // empty: every /hook/{name} is an open route
  // notification-controller's own limit (maxRequestSizeBytes, 3 MiB): whatever it accepted and
  // forwards is taken here too.
  std::size_t max_body_bytes = 3 * 1024 * 1024;
  // Longest wait for the commit before answering 503 (Flux's sender gives up after 15 s; an
  // event committed after the 503 is deduplicated when Flux resends it).
  std::chrono::milliseconds ack_timeout{10000};
  std::function<std::vector<Gauge>()> gauges;  // sampled on each /metrics scrape
  std::function<std::string()> more_metrics;   // other modules' exposition text, appended
  // Why the service is stuck (a thread died or stalled), or nullopt. /healthz and /readyz both
  // fail with it, so Kubernetes restarts the pod instead of waiting on it.
  std::function<std::optional<std::string>()> stuck;
};

// Thread-safe: called concurrently by the HTTP server's I/O threads.
class IngestHandler {
 public:
  // `clock` (which must outlive this) stamps received_at and the log lines.
  IngestHandler(IngestSettings settings, store::EventWriter& writer, IngestMetrics& metrics, AckDeadlines& deadlines,
                const core::Clock& clock = store::SystemClock());

  void operator()(HttpRequest&& request, Responder respond);

  // After this, /readyz answers 503 (the service is draining).
  void SetDraining() { draining_ = true; }

 private:
  void Hook(const RequestSummary& who, const std::string& route_name, HttpRequest&& request, Responder respond);
  void Direct(const RequestSummary& who, HttpRequest&& request, Responder respond);
  // 401 (logged and counted) when the request does not prove it comes from the route's sender.
  std::optional<HttpResponse> Authenticate(const RequestSummary& who, const IngestRoute& route,
                                           const HttpRequest& request);
  // The route's own name when it exists, else its bounded unknown-route label.
  std::string RouteLabel(const std::string& route_name);
  // 200 {"status":"ok"}, or 503 {"status": status, "reason": reason}.
  static HttpResponse Health(const std::string& status, const std::optional<std::string>& reason);
  HttpResponse Liveness() const;
  HttpResponse Readiness() const;
  // Submits the event once per route; `finish` runs exactly once, with every route's outcome
  // (in order) after their commits, or with nullptr when ack_timeout passed first.
  using CommitFinish = std::function<void(const std::vector<store::WriteOutcome>*)>;
  void CommitForRoutes(std::vector<std::string> routes, core::EventOrigin origin, const std::string& received_at,
                       std::string body, core::FluxEvent event, CommitFinish finish);

  IngestSettings settings_;
  const core::Clock& clock_;
  std::map<std::string, IngestRoute> routes_;
  std::vector<core::RouteMatch> direct_routes_;  // `match` of each route without hook auth, in name order
  std::vector<std::string> route_names_;         // sorted, for the 404 that lists them
  UnknownRouteLabels unknown_routes_;
  store::EventWriter& writer_;
  IngestMetrics& metrics_;
  AckDeadlines& deadlines_;
  std::atomic<bool> draining_{false};
};

}  // namespace fluxstatus::ingest
