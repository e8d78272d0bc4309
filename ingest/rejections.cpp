#include "ingest/rejections.h"

#include <algorithm>
#include <cctype>
#include <cstdint>

#include <spdlog/spdlog.h>

#include "core/structured_log.h"
#include "ingest/json_error.h"
#include "store/system_clock.h"

namespace fluxstatus::ingest {
namespace {

constexpr std::size_t kMaxLoggedPath = 256;
constexpr std::size_t kMaxListedRoutes = 20;

// Cut at a character boundary, so the log line stays valid UTF-8.
std::string Shorten(std::string text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  text.resize(end);
  return text + "...";
}

}  // namespace

RequestSummary Summarize(const HttpRequest& request) {
  return {request.method, Shorten(request.target.substr(0, request.target.find('?')), kMaxLoggedPath), request.remote};
}

void LogRejected(const RequestSummary& request, int status, std::string_view reason, std::string_view route) {
  core::LogFields fields = {{"status", std::int64_t{status}}, {"method", request.method}, {"path", request.path}};
  if (!route.empty()) fields.emplace_back("route", Shorten(std::string(route), kMaxLoggedPath));
  fields.emplace_back("remote", request.remote);
  fields.emplace_back("error", std::string(reason));
  spdlog::warn(core::FormatLogLine(store::SystemClock().NowMs(), "warn", "request rejected", fields));
}

HttpResponse ErrorAnswer(int status, const std::string& message) {
  HttpResponse r;
  r.status = status;
  r.body = JsonErrorBody(message);
  return r;
}

HttpResponse Unavailable(const std::string& message) {
  HttpResponse r = ErrorAnswer(503, message);
  r.headers.emplace_back("Retry-After", "1");
  return r;
}

HttpResponse Refuse(const RequestSummary& request, std::string_view route, int status, const std::string& message) {
  LogRejected(request, status, message, route);
  return ErrorAnswer(status, message);
}

HttpResponse RefuseUnavailable(const RequestSummary& request, std::string_view route, const std::string& message) {
  LogRejected(request, 503, message, route);
  return Unavailable(message);
}

HttpResponse RefuseMethod(const RequestSummary& request, std::string_view route, const char* allow) {
  HttpResponse r =
      Refuse(request, route, 405, "method " + request.method + " is not allowed on " + request.path + "; use " + allow);
  r.headers.emplace_back("Allow", allow);
  return r;
}

HttpResponse RefuseContentType(const RequestSummary& request, std::string_view route, const std::string& content_type) {
  return Refuse(request, route, 415, "Content-Type " + content_type + " is not JSON; send application/json");
}

std::string UnknownRouteMessage(const std::string& requested, const std::vector<std::string>& configured) {
  std::string message = "unknown route '" + Shorten(requested, kMaxLoggedPath) + "'; the configured routes are: ";
  for (std::size_t i = 0; i < configured.size() && i < kMaxListedRoutes; ++i) {
    message += (i ? ", " : "") + configured[i];
  }
  if (configured.size() > kMaxListedRoutes) {
    message += " and " + std::to_string(configured.size() - kMaxListedRoutes) + " more";
  }
  return message;
}

std::string TooLargeMessage(std::size_t body_bytes, std::size_t max_body_bytes) {
  return "body is " + std::to_string(body_bytes) + " bytes, over max_body_bytes (" + std::to_string(max_body_bytes) +
         " bytes); raise max_body_bytes in the configuration to accept larger events";
}

bool ValidRouteName(const std::string& name) {
  return !name.empty() && name.size() <= 128 && std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.';
  });
}

std::string UnknownRouteLabels::LabelFor(const std::string& requested) {
  if (!ValidRouteName(requested)) return std::string(kOther);
  std::lock_guard lock(mu_);
  if (named_.count(requested) || (named_.size() < kMaxNamed && named_.insert(requested).second)) return requested;
  return std::string(kOther);
}

}  // namespace fluxstatus::ingest
