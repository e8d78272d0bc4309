#include "core/sync_state.h"

#include <array>

#include "core/rfc3339.h"

namespace fluxstatus::core {

std::string_view ToString(Sink sink) {
  switch (sink) {
    case Sink::kCommitStatus: return "status";
    case Sink::kAggregate: return "aggregate";
    case Sink::kDeployment: return "deployment";
    case Sink::kCheckRun: return "check";
  }
  return "?";
}

namespace {

constexpr std::array kSyncStates = {SyncState::kPending, SyncState::kSynced, SyncState::kFailed, SyncState::kSkipped};

// A row with no progress and nothing known about the sink.
SyncInfo Fresh(bool has_sink) {
  SyncInfo fresh;
  fresh.sync_state = has_sink ? SyncState::kPending : SyncState::kSkipped;
  return fresh;
}

// `fresh` with what `old` knows about the sink: such facts survive any re-fold of the key;
// dispatch progress does not.
SyncInfo WithSinkFacts(SyncInfo fresh, const SyncInfo& old) {
  fresh.in_flight = old.in_flight;
  fresh.synced_state = old.synced_state;
  fresh.synced_description = old.synced_description;
  fresh.synced_at = old.synced_at;
  fresh.host_object_id = old.host_object_id;
  return fresh;
}

}  // namespace

std::string_view ToString(SyncState state) {
  switch (state) {
    case SyncState::kPending: return "pending";
    case SyncState::kSynced: return "synced";
    case SyncState::kFailed: return "failed";
    case SyncState::kSkipped: return "skipped";
  }
  return "pending";
}

std::optional<SyncState> SyncStateFromString(std::string_view text) {
  for (auto state : kSyncStates) {
    if (ToString(state) == text) return state;
  }
  return std::nullopt;
}

SyncInfo SyncAfterFold(const SyncInfo* before, FoldOutcome outcome, bool has_sink) {
  if (before && outcome == FoldOutcome::kStale) return *before;
  if (before && outcome == FoldOutcome::kRefreshed) {
    SyncInfo after = *before;
    if (after.sync_state == SyncState::kFailed && has_sink) {
      // A newer event for a key that failed to sync is a reason to try again.
      after.sync_state = SyncState::kPending;
      after.attempts = 0;
      after.next_attempt_ms.reset();
    }
    return after;
  }
  if (!before) return Fresh(has_sink);
  return WithSinkFacts(Fresh(has_sink), *before);
}

SyncInfo SyncAfterRefold(const KeySync* before, const KeyState& refolded, bool has_sink) {
  if (!has_sink || !before) return Fresh(has_sink);
  // A row skipped while it had no sink (its route had no provider, its environment was not
  // configured) is due once it has one, even if its status is unchanged.
  if (SameStatus(before->fold, refolded) && before->sync.sync_state != SyncState::kSkipped) return before->sync;
  return WithSinkFacts(Fresh(has_sink), before->sync);
}

SyncInfo ApplyDelivery(const SyncInfo& before, const KeyState& desired, const Delivery& d) {
  SyncInfo after = before;
  if (d.host_object_id) {
    after.host_object_id = d.host_object_id->empty() ? std::nullopt : d.host_object_id;
  }
  const bool still_desired = desired.event_id == d.sent_event_id ||
                             (ToString(desired.state) == d.sent_state && desired.description == d.sent_description);
  switch (d.result) {
    case DeliveryResult::kSending:
      after.in_flight = true;
      // Once another state is on its way, what the sink shows is unknown until an answer says:
      // a lost answer must not leave the old confirmation standing (a deployment step trusts
      // it without a lookup).
      if (after.synced_state != d.sent_state || after.synced_description != d.sent_description) {
        after.synced_state.reset();
        after.synced_description.reset();
      }
      return after;
    case DeliveryResult::kSkipped:
      after.sync_state = SyncState::kSkipped;
      after.last_error = d.error;
      return after;
    case DeliveryResult::kSynced:
      after.in_flight = false;
      after.synced_state = d.sent_state;
      after.synced_description = d.sent_description;
      after.synced_at = FormatRfc3339Millis(d.at_ms);
      after.next_attempt_ms.reset();
      if (still_desired) {
        after.sync_state = SyncState::kSynced;
        after.last_error.reset();
      } else {
        after.attempts = 0;  // the newer state is due now
      }
      return after;
    case DeliveryResult::kRetry:
    case DeliveryResult::kFailed: break;
  }
  after.in_flight = d.uncertain;
  if (!still_desired) return after;  // the attempt was for a state no longer wanted
  ++after.attempts;
  after.last_error = d.error;
  if (d.result == DeliveryResult::kFailed) {
    after.sync_state = SyncState::kFailed;
    after.next_attempt_ms.reset();
  } else {
    after.next_attempt_ms = d.next_attempt_ms;
  }
  return after;
}

std::optional<SyncInfo> MarkForReplay(const SyncInfo& before) {
  if (before.sync_state == SyncState::kSkipped) return std::nullopt;
  SyncInfo after = before;
  after.sync_state = SyncState::kPending;
  after.attempts = 0;
  after.next_attempt_ms.reset();
  after.last_error.reset();
  after.in_flight = true;
  return after;
}

std::optional<std::int64_t> NextAttemptMs(const RetryPolicy& policy, std::int64_t attempts, std::int64_t now_ms,
                                          double jitter01, std::optional<std::chrono::milliseconds> host_asked) {
  if (policy.Exhausted(static_cast<int>(attempts))) return std::nullopt;
  return policy.DueAtMs(static_cast<int>(attempts), now_ms, jitter01, host_asked);
}

}  // namespace fluxstatus::core
