#include "ingest/ingest_handler.h"

#include <algorithm>
#include <cctype>

#include <spdlog/spdlog.h>

#include "core/compact_json.h"
#include "core/flux_json.h"
#include "core/rfc3339.h"
#include "core/structured_log.h"
#include "ingest/rejections.h"
#include "ingest/request_auth.h"

namespace fluxstatus::ingest {
namespace {

using Clock = std::chrono::steady_clock;

// JSON bodies only; curl's default form type is tolerated because `curl -d @event.json` is
// how people try a service by hand, and the body is still checked as JSON.
bool AcceptableContentType(const std::string* header) {
  if (!header) return true;
  std::string type = header->substr(0, header->find(';'));
  type.erase(std::remove_if(type.begin(), type.end(), [](unsigned char c) { return std::isspace(c); }), type.end());
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::tolower(c); });
  return type.empty() || type == "application/json" || type == "text/json" ||
         (type.size() > 5 && type.compare(type.size() - 5, 5, "+json") == 0) ||
         type == "application/x-www-form-urlencoded";
}

std::string AcceptedBody(std::optional<std::int64_t> id, bool duplicate, const std::vector<std::string>* routes) {
  return core::CompactJson([&](cereal::JSONOutputArchive& ar) {
    ar.setNextName("id");
    ar.writeName();
    if (id)
      ar.saveValue(*id);
    else
      ar.saveValue(nullptr);
    ar(cereal::make_nvp("duplicate", duplicate));
    if (routes) ar(cereal::make_nvp("routes", *routes));
  });
}

// Whole microseconds, as milliseconds with at most 3 decimals: the double arithmetic's noise
// (1.5797599999999999) says nothing, and every n / 1000.0 up to hours prints as written.
double RoundedMillis(Clock::duration elapsed) {
  return static_cast<double>(std::chrono::round<std::chrono::microseconds>(elapsed).count()) / 1000.0;
}

void LogEvent(std::int64_t now_ms, const std::string& route, const core::FluxEvent& ev, const store::AppendResult& r,
              Clock::duration latency) {
  spdlog::info(core::FormatLogLine(now_ms, "info", r.duplicate ? "event duplicate" : "event accepted",
                                   {{"route", route},
                                    {"object", ev.object.kind + "/" + ev.object.namespace_ + "/" + ev.object.name},
                                    {"reason", ev.reason},
                                    {"severity", ev.severity},
                                    {"revision", r.revision},
                                    {"commit", r.commit_sha},
                                    {"id", r.id},
                                    {"latency_ms", RoundedMillis(latency)}}));
}

}  // namespace

IngestHandler::IngestHandler(IngestSettings settings, store::EventWriter& writer, IngestMetrics& metrics,
                             AckDeadlines& deadlines, const core::Clock& clock)
    : settings_(std::move(settings)), clock_(clock), writer_(writer), metrics_(metrics), deadlines_(deadlines) {
  for (const auto& r : settings_.routes) routes_.emplace(r.name, r);
  for (const auto& [name, route] : routes_) {
    route_names_.push_back(name);
    // A direct-mode POST proves nothing about its sender, so it never lands on a route whose
    // hook demands proof (HMAC or bearer): such a route's `match` only routes resync's statuses.
    if (!route.hmac_key && !route.bearer_token) direct_routes_.push_back({name, route.match});
  }
}

std::string IngestHandler::RouteLabel(const std::string& route_name) {
  const bool exists = routes_.empty() ? ValidRouteName(route_name) : routes_.count(route_name) > 0;
  return exists ? route_name : unknown_routes_.LabelFor(route_name);
}

void IngestHandler::operator()(HttpRequest&& req, Responder respond) {
  // Routed on the whole path; logged and quoted through the summary's bounded copy.
  const std::string path = req.target.substr(0, req.target.find('?'));
  const RequestSummary who = Summarize(req);
  static constexpr std::string_view kHook = "/hook/";
  if (path.rfind(kHook, 0) == 0) {
    const std::string route = path.substr(kHook.size());
    if (req.method != "POST") {
      metrics_.Rejected(RouteLabel(route), "method_not_allowed");
      return respond(RefuseMethod(who, route, "POST"));
    }
    return Hook(who, route, std::move(req), std::move(respond));
  }
  if (path == "/" || path == "/events") {
    if (req.method != "POST") return respond(RefuseMethod(who, "", "POST"));
    return Direct(who, std::move(req), std::move(respond));
  }
  if (path == "/healthz" || path == "/readyz" || path == "/metrics") {
    if (req.method != "GET" && req.method != "HEAD") return respond(RefuseMethod(who, "", "GET"));
    if (path == "/healthz") return respond(Liveness());
    if (path == "/readyz") return respond(Readiness());
    HttpResponse r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = metrics_.Render(settings_.gauges ? settings_.gauges() : std::vector<Gauge>{});
    if (settings_.more_metrics) r.body += settings_.more_metrics();
    return respond(std::move(r));
  }
  respond(Refuse(who, "", 404,
                 "no such path " + who.path + " (events go to POST /hook/{route}, or POST / in direct mode)"));
}

HttpResponse IngestHandler::Liveness() const {
  const auto stuck = settings_.stuck ? settings_.stuck() : std::nullopt;
  return Health(stuck ? "stuck" : "ok", stuck);
}

HttpResponse IngestHandler::Readiness() const {
  if (draining_) return Health("draining", "shutting down");
  if (const auto stuck = settings_.stuck ? settings_.stuck() : std::nullopt) return Health("stuck", stuck);
  const auto unready = writer_.Unready();
  return Health(unready ? "database unavailable" : "ok", unready);
}

HttpResponse IngestHandler::Health(const std::string& status, const std::optional<std::string>& reason) {
  HttpResponse r;
  const bool ok = status == "ok";
  r.status = ok ? 200 : 503;
  r.body = core::CompactJson([&](cereal::JSONOutputArchive& ar) {
    ar(cereal::make_nvp("status", status));
    if (!ok && reason) ar(cereal::make_nvp("reason", *reason));
  });
  if (!ok) r.headers.emplace_back("Retry-After", "1");
  return r;
}

void IngestHandler::Hook(const RequestSummary& who, const std::string& route_name, HttpRequest&& req,
                         Responder respond) {
  const auto started = Clock::now();
  const std::string received_at = core::FormatRfc3339Millis(clock_.NowMs());
  const IngestRoute* route = nullptr;
  if (!routes_.empty()) {
    auto it = routes_.find(route_name);
    if (it == routes_.end()) {
      metrics_.Rejected(unknown_routes_.LabelFor(route_name), "unknown_route");
      return respond(Refuse(who, route_name, 404, UnknownRouteMessage(route_name, route_names_)));
    }
    route = &it->second;
  } else if (!ValidRouteName(route_name)) {
    metrics_.Rejected(unknown_routes_.LabelFor(route_name), "unknown_route");
    return respond(Refuse(who, route_name, 404, "invalid route name (letters, digits, '-', '_' and '.', at most 128)"));
  }
  const bool authenticated = route && (route->hmac_key || route->bearer_token);
  // Authenticate over the raw bytes before looking at them.
  if (authenticated) {
    if (auto refusal = Authenticate(who, *route, req)) return respond(std::move(*refusal));
  }
  if (!AcceptableContentType(req.Header("content-type"))) {
    metrics_.Rejected(route_name, "unsupported_media_type");
    return respond(RefuseContentType(who, route_name, *req.Header("content-type")));
  }

  // An authenticated request's rejected body is kept, since Flux never resends a 4xx; the
  // 400/413 goes out only once it is committed. Unauthenticated ones are only counted.
  auto reject = [&](int status, const std::string& label, const std::string& reason) {
    metrics_.Rejected(route_name, label);
    LogRejected(who, status, reason, route_name);
    if (!authenticated) return respond(ErrorAnswer(status, reason));
    // Answered by the commit, or with 503 (so Flux resends) when it fails or comes too late.
    auto kept = std::make_shared<store::WriteOutcome>();
    auto answer = std::make_shared<PendingAck>([respond, status, reason, kept](bool timed_out) {
      if (timed_out) return respond(Unavailable("the event store did not commit in time; retry"));
      if (kept->ok) return respond(ErrorAnswer(status, reason));
      respond(Unavailable("event store unavailable: " + kept->error));
    });
    const bool queued = writer_.SubmitRejection({route_name, received_at, reason, req.body, settings_.max_body_bytes},
                                                [answer, kept](const store::WriteOutcome& out) {
                                                  *kept = out;
                                                  answer->Finish(false);
                                                });
    if (!queued) return respond(Unavailable("the write queue is full or the service is stopping"));
    deadlines_.Watch(answer, Clock::now() + settings_.ack_timeout);
  };
  if (req.body.size() > settings_.max_body_bytes) {
    return reject(413, "too_large", TooLargeMessage(req.body.size(), settings_.max_body_bytes));
  }
  auto parsed = core::ParseFluxEvent(req.body, settings_.max_body_bytes);
  if (auto* err = std::get_if<core::ParseError>(&parsed)) return reject(400, "invalid_event", err->message);

  core::FluxEvent event = std::move(std::get<core::FluxEvent>(parsed));
  auto log_copy = std::make_shared<core::FluxEvent>(event);
  CommitForRoutes(
      {route_name}, core::EventOrigin::kHttp, received_at, std::move(req.body), std::move(event),
      [this, who, respond = std::move(respond), route_name, started,
       log_copy](const std::vector<store::WriteOutcome>* outcomes) {
        if (!outcomes) {
          metrics_.Rejected(route_name, "timeout");
          return respond(RefuseUnavailable(who, route_name, "the event store did not commit in time; retry"));
        }
        const store::WriteOutcome& out = outcomes->front();
        if (!out.ok) {
          metrics_.Rejected(route_name, "unavailable");
          return respond(RefuseUnavailable(who, route_name, "event store unavailable: " + out.error));
        }
        const auto latency = Clock::now() - started;
        metrics_.AckLatency(std::chrono::duration<double>(latency).count());
        out.result.duplicate ? metrics_.Duplicate(route_name) : metrics_.Accepted(route_name);
        LogEvent(clock_.NowMs(), route_name, *log_copy, out.result, latency);
        HttpResponse r;
        r.status = 202;
        r.body = AcceptedBody(out.result.id, out.result.duplicate, nullptr);
        respond(std::move(r));
      });
}

std::optional<HttpResponse> IngestHandler::Authenticate(const RequestSummary& who, const IngestRoute& route,
                                                        const HttpRequest& req) {
  AuthVerdict verdict;
  if (route.hmac_key) {
    const std::string* sig = req.Header("x-signature");
    verdict = CheckHmacSignature(req.body, sig ? std::optional<std::string_view>(*sig) : std::nullopt, *route.hmac_key);
  } else {
    const std::string* auth = req.Header("authorization");
    verdict = CheckBearer(auth ? std::optional<std::string_view>(*auth) : std::nullopt, *route.bearer_token);
  }
  if (verdict) return std::nullopt;
  metrics_.Rejected(route.name, "unauthorized");
  HttpResponse r = Refuse(who, route.name, 401, verdict.reason);
  r.headers.emplace_back("WWW-Authenticate", route.hmac_key ? "HMAC" : "Bearer");
  return r;
}

void IngestHandler::Direct(const RequestSummary& who, HttpRequest&& req, Responder respond) {
  const auto started = Clock::now();
  const std::string received_at = core::FormatRfc3339Millis(clock_.NowMs());
  if (!AcceptableContentType(req.Header("content-type"))) {
    metrics_.Rejected("", "unsupported_media_type");
    return respond(RefuseContentType(who, "", *req.Header("content-type")));
  }
  if (req.body.size() > settings_.max_body_bytes) {
    metrics_.Rejected("", "too_large");
    return respond(Refuse(who, "", 413, TooLargeMessage(req.body.size(), settings_.max_body_bytes)));
  }
  auto parsed = core::ParseFluxEvent(req.body, settings_.max_body_bytes);
  if (auto* err = std::get_if<core::ParseError>(&parsed)) {
    // Direct mode has no authentication, so a bad body is only counted (contract).
    metrics_.Rejected("", "invalid_event");
    return respond(Refuse(who, "", 400, err->message));
  }
  core::FluxEvent event = std::move(std::get<core::FluxEvent>(parsed));
  const std::vector<std::string> targets = core::RoutesMatching(direct_routes_, event);
  if (targets.empty()) {
    metrics_.Unmatched();
    spdlog::info(
        core::FormatLogLine(clock_.NowMs(), "info", "event matched no route",
                            {{"object", event.object.kind + "/" + event.object.namespace_ + "/" + event.object.name},
                             {"reason", event.reason}}));
    HttpResponse r;
    r.status = 202;
    r.body = AcceptedBody(std::nullopt, false, &targets);
    return respond(std::move(r));
  }
  auto log_copy = std::make_shared<core::FluxEvent>(event);
  CommitForRoutes(
      targets, core::EventOrigin::kDirect, received_at, std::move(req.body), std::move(event),
      [this, who, respond = std::move(respond), targets, started,
       log_copy](const std::vector<store::WriteOutcome>* outcomes) {
        if (!outcomes) {
          for (const auto& t : targets) metrics_.Rejected(t, "timeout");
          return respond(RefuseUnavailable(who, "", "the event store did not commit in time; retry"));
        }
        for (std::size_t i = 0; i < outcomes->size(); ++i) {
          if (!(*outcomes)[i].ok) {
            metrics_.Rejected(targets[i], "unavailable");
            // Flux resends after a 503; routes that did commit see a duplicate then.
            return respond(RefuseUnavailable(who, targets[i], "event store unavailable: " + (*outcomes)[i].error));
          }
        }
        const auto latency = Clock::now() - started;
        metrics_.AckLatency(std::chrono::duration<double>(latency).count());
        bool all_duplicate = true;
        for (std::size_t i = 0; i < outcomes->size(); ++i) {
          const auto& res = (*outcomes)[i].result;
          res.duplicate ? metrics_.Duplicate(targets[i]) : metrics_.Accepted(targets[i]);
          all_duplicate = all_duplicate && res.duplicate;
          LogEvent(clock_.NowMs(), targets[i], *log_copy, res, latency);
        }
        HttpResponse r;
        r.status = 202;
        r.body = AcceptedBody(outcomes->front().result.id, all_duplicate, &targets);
        respond(std::move(r));
      });
}

void IngestHandler::CommitForRoutes(std::vector<std::string> routes, core::EventOrigin origin,
                                    const std::string& received_at, std::string body, core::FluxEvent event,
                                    CommitFinish finish) {
  struct Batch {
    std::vector<store::WriteOutcome> outcomes;
    std::atomic<std::size_t> remaining;
  };
  auto batch = std::make_shared<Batch>();
  batch->outcomes.resize(routes.size());
  batch->remaining = routes.size();
  auto answer = std::make_shared<PendingAck>(
      [batch, finish = std::move(finish)](bool timed_out) { finish(timed_out ? nullptr : &batch->outcomes); });
  auto one_done = [batch, answer] {
    if (batch->remaining.fetch_sub(1) == 1) answer->Finish(false);
  };
  for (std::size_t i = 0; i < routes.size(); ++i) {
    const bool last = i + 1 == routes.size();
    store::IncomingEvent incoming{routes[i], received_at, last ? std::move(body) : body,
                                  last ? std::move(event) : event, origin};
    const bool queued = writer_.Submit(std::move(incoming), [batch, one_done, i](const store::WriteOutcome& out) {
      batch->outcomes[i] = out;
      one_done();
    });
    if (!queued) {
      batch->outcomes[i].error = "the write queue is full or the service is stopping";
      one_done();
    }
  }
  deadlines_.Watch(answer, Clock::now() + settings_.ack_timeout);
}

}  // namespace fluxstatus::ingest
