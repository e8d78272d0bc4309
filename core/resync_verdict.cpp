#include "core/resync_verdict.h"

namespace fluxstatus::core {

std::string_view ToString(ResyncVerdict verdict) {
  switch (verdict) {
    case ResyncVerdict::kAppend: return "append";
    case ResyncVerdict::kSameState: return "the log already shows this state";
    case ResyncVerdict::kNewerKnown: return "an event as new or newer decided it";
    case ResyncVerdict::kResultKept: return "the still-applied revision keeps its logged result";
    case ResyncVerdict::kPendingKept: break;
  }
  return "a reconcile in progress: the logged result stands";
}

ResyncVerdict JudgeResync(StatusState observed, std::int64_t observed_ms, const std::optional<KeyState>& stored,
                          bool fill_in) {
  if (!stored) return ResyncVerdict::kAppend;
  if (stored->state == observed) return ResyncVerdict::kSameState;
  if (observed == StatusState::kPending) return ResyncVerdict::kPendingKept;
  if (fill_in && stored->state != StatusState::kPending) return ResyncVerdict::kResultKept;
  if (stored->event_time_ms >= observed_ms) return ResyncVerdict::kNewerKnown;
  return ResyncVerdict::kAppend;
}

}  // namespace fluxstatus::core
