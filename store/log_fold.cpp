#include "store/log_fold.h"

#include <limits>
#include <stdexcept>

#include "core/flux_json.h"
#include "core/revision.h"
#include "core/rfc3339.h"

namespace fluxstatus::store {

ChangeRow HistoryEntry(const core::StatusKey& key, const FoldedStatus& now) {
  return {key, std::string(core::ToString(now.fold.state)), now.fold.description,
          core::FormatRfc3339Millis(now.fold.event_time_ms), now.updated_at, now.fold.event_id};
}

const core::RouteProfile& LogFolder::ProfileFor(const std::string& route) {
  auto it = profiles_.find(route);
  if (it == profiles_.end()) {
    core::RouteProfile profile = routes_.Find(route).value_or(core::RouteProfile{});
    profile.name = route;
    it = profiles_.emplace(route, std::move(profile)).first;
  }
  return it->second;
}

std::optional<AppliedEvent> LogFolder::Apply(const LogRow& row, FoldedStatuses& keys) {
  auto parsed = core::ParseFluxEvent(row.body, std::numeric_limits<std::size_t>::max());
  if (const auto* err = std::get_if<core::ParseError>(&parsed)) {
    throw std::runtime_error("event " + std::to_string(row.id) +
                             " in the log no longer parses: " + err->message);
  }
  const auto& ev = std::get<core::FluxEvent>(parsed);
  const core::Derivation d = core::DeriveStatus(ev, core::ResolveCommit(ev), ProfileFor(row.route));
  auto* candidate = std::get_if<core::StatusCandidate>(&d);
  if (!candidate) return std::nullopt;  // trace, or no commit

  auto it = keys.find(candidate->key);
  std::optional<core::KeyState> current;
  if (it != keys.end()) current = it->second.fold;
  core::FoldResult folded = core::Fold(current, *candidate, row.id, ev.time_ms);
  if (folded.outcome == core::FoldOutcome::kStale) return std::nullopt;
  if (it == keys.end()) it = keys.emplace(candidate->key, FoldedStatus{}).first;
  it->second.fold = std::move(folded.next);
  it->second.updated_at = row.received_at;
  return AppliedEvent{it->first, it->second, folded.outcome};
}

std::int64_t LogFolder::FoldRange(EventLog& log, FoldedStatuses& keys, const LogSelection& selection,
                                  const std::function<void(const AppliedEvent&)>& on_applied) {
  std::int64_t read = 0;
  log.ForEach(selection, [&](const LogRow& row) {
    ++read;
    if (auto applied = Apply(row, keys)) on_applied(*applied);
  });
  return read;
}

std::int64_t LogFolder::FoldRange(EventLog& log, FoldedStatuses& keys, std::int64_t after_id,
                                  std::optional<std::int64_t> through_id,
                                  const std::function<void(const AppliedEvent&)>& on_applied) {
  return FoldRange(log, keys, LogSpan{after_id, through_id.value_or(std::numeric_limits<std::int64_t>::max())},
                   on_applied);
}

}  // namespace fluxstatus::store
