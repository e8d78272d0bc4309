#include "store/log_fold.h"

#include <limits>
#include <stdexcept>

#include "core/flux_json.h"
#include "core/revision.h"
#include "core/rfc3339.h"

namespace fluxstatus::store {

ChangeRow HistoryEntry(const core::StatusKey& key, const core::KeyState& now) {
  return {key,
          std::string(core::ToString(now.state)),
          now.description,
          core::FormatRfc3339Millis(now.event_time_ms),
          now.updated_at,
          now.event_id};
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

std::optional<AppliedEvent> LogFolder::Apply(const LogRow& row, core::KeyStates& keys) {
  auto parsed = core::ParseFluxEvent(row.body, std::numeric_limits<std::size_t>::max());
  if (const auto* err = std::get_if<core::ParseError>(&parsed)) {
    throw std::runtime_error("event " + std::to_string(row.id) + " in the log no longer parses: " + err->message);
  }
  const auto& ev = std::get<core::FluxEvent>(parsed);
  const core::Derivation d = core::DeriveStatus(ev, core::ResolveCommit(ev), ProfileFor(row.route));
  auto* candidate = std::get_if<core::StatusCandidate>(&d);
  if (!candidate) return std::nullopt;  // trace, or no commit

  auto it = keys.find(candidate->key);
  std::optional<core::KeyState> current;
  if (it != keys.end()) current = it->second;
  core::FoldResult folded = core::Fold(current, *candidate, row.id, ev.time_ms, row.received_at);
  if (folded.outcome == core::FoldOutcome::kStale) return std::nullopt;
  if (it == keys.end()) it = keys.emplace(candidate->key, core::KeyState{}).first;
  it->second = std::move(folded.next);
  return AppliedEvent{it->first, it->second, folded.outcome};
}

std::int64_t LogFolder::FoldRange(EventLog& log, core::KeyStates& keys, const LogSelection& selection,
                                  const std::function<void(const AppliedEvent&)>& on_applied) {
  std::int64_t read = 0;
  log.ForEach(selection, [&](const LogRow& row) {
    ++read;
    if (auto applied = Apply(row, keys)) on_applied(*applied);
  });
  return read;
}

std::int64_t LogFolder::FoldRange(EventLog& log, core::KeyStates& keys, std::int64_t after_id,
                                  std::optional<std::int64_t> through_id,
                                  const std::function<void(const AppliedEvent&)>& on_applied) {
  return FoldRange(log, keys, LogSpan{after_id, through_id.value_or(std::numeric_limits<std::int64_t>::max())},
                   on_applied);
}

}  // namespace fluxstatus::store
