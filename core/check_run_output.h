// A GitHub check run's Markdown output (issue 16): what a commit status cannot hold in 140
// characters. The title is the humanised reason; the summary names the object, namespace,
// cluster, revision and time, and for a health-check failure tables the failing resources
// parsed from Flux's `timeout waiting for: [Kind/ns/name status: 'X', …]`; the text holds the
// whole message, then the key's recent history. Pure: the dispatch step passes plain values.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace fluxstatus::core {

// GitHub's limits on output.summary and output.text (65,535 characters; counted here in bytes,
// which is never fewer) and a bound on the title, which the API leaves open.
inline constexpr std::size_t kCheckRunTextLimit = 65535;
inline constexpr std::size_t kCheckRunTitleLimit = 255;

// How a check run shows a fluxstatus state (deployments-and-checks.md §5): pending is a run in
// progress; a final state completes it with a conclusion (error has none of its own: failure).
struct CheckRunPhase {
  bool completed = false;
  std::string conclusion;  // "success" or "failure" when completed; empty otherwise

  friend bool operator==(const CheckRunPhase&, const CheckRunPhase&) = default;
};
CheckRunPhase CheckRunPhaseOf(std::string_view state);  // "pending", "success", "failure", "error"

// One resource Flux's health check waited for in vain.
struct FailingResource {
  std::string kind, namespace_, name;
  std::string status;  // Flux's words for it, e.g. "InProgress", "Failed", "NotFound"

  friend bool operator==(const FailingResource&, const FailingResource&) = default;
};
// The resources a health-check message lists (`timeout waiting for: [Deployment/apps/web status:
// 'InProgress', …]`), in its order; none when the message lists none or is of another kind.
std::vector<FailingResource> ParseFailingResources(std::string_view message);

// One earlier state of the key (status_history), oldest first.
struct CheckRunChange {
  std::string event_time;  // RFC 3339
  std::string state;
  std::string description;
};

// What the output is made of: the key's current event and its history.
struct CheckRunFacts {
  std::string context;  // the run's name
  std::string state;    // pending, success, failure, error
  std::string reason, message;
  std::string kind, namespace_, name;  // the involved object
  std::string cluster;                 // the route's cluster; may be empty
  std::string revision;                // Flux's revision ("main@sha1:…"); may be empty
  std::string event_time;              // RFC 3339
  std::vector<CheckRunChange> history;  // recent changes, oldest first (the current one included)
};

struct CheckRunOutput {
  std::string title, summary, text;  // Markdown, within the limits above

  friend bool operator==(const CheckRunOutput&, const CheckRunOutput&) = default;
};

// The output for `facts`. Each part is cut at a UTF-8 boundary within its limit, ending with a
// note that says it was cut. Deterministic: the same facts give the same bytes.
CheckRunOutput RenderCheckRunOutput(const CheckRunFacts& facts);

}  // namespace fluxstatus::core
