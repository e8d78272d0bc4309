// How the ingest endpoints refuse a request: the JSON error answers, the `request rejected` log
// line every refusal gets, and the bounded metric label of an unknown route.
#pragma once

#include <cstddef>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/http_server.h"

namespace fluxstatus::ingest {

// What a log line may say about a request. Never its headers or body (they carry signatures and
// tokens), nor its query string (a token pasted into a Provider address would land there).
struct RequestSummary {
  std::string method;
  std::string path;    // without the query string; at most 256 bytes, so a scanner's path stays short
  std::string remote;  // "127.0.0.1:50412"
};
RequestSummary Summarize(const HttpRequest& request);

// Logs `request rejected` (warn): status, method, path, route (when not empty), remote and the
// reason, which is the answer's error text (never a secret: see JsonErrorBody).
void LogRejected(const RequestSummary& request, int status, std::string_view reason, std::string_view route);

// {"error": message} with `status`; Unavailable adds Retry-After: 1.
HttpResponse ErrorAnswer(int status, const std::string& message);
HttpResponse Unavailable(const std::string& message);

// Refusals that keep nothing: logged as above, then answered.
HttpResponse Refuse(const RequestSummary& request, std::string_view route, int status, const std::string& message);
HttpResponse RefuseMethod(const RequestSummary& request, std::string_view route, const char* allow);
// 503 + Retry-After: the event was not committed (Flux resends it).
HttpResponse RefuseUnavailable(const RequestSummary& request, std::string_view route, const std::string& message);
HttpResponse RefuseContentType(const RequestSummary& request, std::string_view route, const std::string& content_type);

// "unknown route 'x'; the configured routes are: a, b" (the first 20 names, then "and N more"):
// a mistyped Provider address shows the right names in notification-controller's log, which
// quotes the answer.
std::string UnknownRouteMessage(const std::string& requested, const std::vector<std::string>& configured);

// "body is N bytes, over max_body_bytes (M bytes); raise max_body_bytes in the configuration …".
std::string TooLargeMessage(std::size_t body_bytes, std::size_t max_body_bytes);

// Names usable in /hook/{route}: letters, digits, '-', '_' and '.', at most 128. They become
// metric labels and database values, so they stay tame.
bool ValidRouteName(const std::string& name);

// The `route` label counting requests to a route that is not configured. The requested name
// says which typo is being sent, but a scanner must not add a series per path it tries: the
// first kMaxNamed distinct valid names get their own label, everything else shares kOther
// (which no valid route name can equal). The log line always names the exact route.
// Thread-safe.
class UnknownRouteLabels {
 public:
  static constexpr std::size_t kMaxNamed = 10;
  static constexpr std::string_view kOther = "(other)";

  std::string LabelFor(const std::string& requested);

 private:
  std::mutex mu_;
  std::set<std::string> named_;
};

}  // namespace fluxstatus::ingest
