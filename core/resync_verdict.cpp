#include "core/resync_verdict.h"

namespace fluxstatus::core {

std::string_view ToString(ResyncVerdict verdict) {
  switch (verdict) {
    case ResyncVerdict::kAppend: return "append";
    case ResyncVerdict::kSameState: return "same state";
    case ResyncVerdict::kNewerKnown: return "newer event known";
    case ResyncVerdict::kResultKept: return "result kept";
    case ResyncVerdict::kPendingKept: break;
  }
  return "pending kept back";
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
