// Whether a status read from the cluster adds anything to what the log already says: the
// rule that keeps the level-triggered resync from fighting the event-sourced fold.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/commit_status.h"
#include "core/fold.h"

namespace fluxstatus::core {

enum class ResyncVerdict {
  kAppend,       // the log has no status for the key, or an older different one: append
  kSameState,    // the key already shows this state: nothing new
  kNewerKnown,   // an event as new or newer than the object's condition set the key: it stands
  kPendingKept,  // the object is mid-reconcile (pending); the key's success or failure stands
  kResultKept,   // a fill-in status (ObservedStatus::fill_in): the key already has a result
};

std::string_view ToString(ResyncVerdict verdict);

// `observed_ms` is when the object's Ready condition last changed (the synthesized event's
// time). A tie goes to the logged event: a real event of the same second is never overwritten.
// Every reconcile, even the periodic one with nothing new, shows Ready=Unknown for a moment,
// so a snapshot's pending never downgrades a stored success or failure of the same key.
// A `fill_in` status is not dated by its own change, so it never overrides a stored result.
ResyncVerdict JudgeResync(StatusState observed, std::int64_t observed_ms, const std::optional<KeyState>& stored,
                          bool fill_in = false);

}  // namespace fluxstatus::core
