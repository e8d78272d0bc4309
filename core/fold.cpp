#include "core/fold.h"

#include <array>
#include <string_view>

#include "core/description.h"
#include "core/status_template.h"

namespace fluxstatus::core {

bool IsProgressReason(std::string_view reason) {
  static constexpr std::array<std::string_view, 3> kProgress = {"Progressing", "ProgressingWithRetry",
                                                                "DependencyNotReady"};
  for (auto r : kProgress) {
    if (reason == r) return true;
  }
  return false;
}

Derivation DeriveStatus(const FluxEvent& ev, const CommitRef& commit, const RouteProfile& route) {
  if (ev.severity == "trace") return NoStatusChange{"trace events do not change a status"};
  if (!commit.sha) return NoCommit{commit.no_commit_reason};

  StatusCandidate c;
  if (ev.severity == "error") {
    c.state = StatusState::kFailure;
  } else {
    c.state = IsProgressReason(ev.reason) ? StatusState::kPending : StatusState::kSuccess;
  }
  c.key.route = route.name;
  c.key.repo = route.repo;
  c.key.commit_sha = *commit.sha;
  c.key.context = RenderTemplate(ContextTemplateFor(route.context_template, route.cluster), ev, route.cluster);
  c.description = DescribeStatus(c.state, ev.reason, ev.message);
  if (!route.target_url_template.empty()) {
    c.target_url = RenderTemplate(route.target_url_template, ev, route.cluster);
  }
  return c;
}

bool SameStatus(const KeyState& a, const KeyState& b) {
  return a.state == b.state && a.description == b.description && a.target_url == b.target_url;
}

bool IsChange(FoldOutcome outcome) { return outcome == FoldOutcome::kCreated || outcome == FoldOutcome::kChanged; }

FoldResult Fold(const std::optional<KeyState>& current, const StatusCandidate& candidate, std::int64_t event_id,
                std::int64_t event_time_ms, std::string_view received_at) {
  KeyState next{candidate.state, candidate.description, candidate.target_url,
                event_id,        event_time_ms,         std::string(received_at)};
  if (!current) return {FoldOutcome::kCreated, std::move(next)};
  const bool older = event_time_ms < current->event_time_ms ||
                     (event_time_ms == current->event_time_ms && event_id < current->event_id);
  if (older) return {FoldOutcome::kStale, *current};
  return {SameStatus(*current, next) ? FoldOutcome::kRefreshed : FoldOutcome::kChanged, std::move(next)};
}

}  // namespace fluxstatus::core
