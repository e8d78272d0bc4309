// The pure state machine: which status an event asks for, and whether it wins over the
// key's current state. No I/O, no clock: the live writer, `rebuild` and `replay` all call it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/commit_status.h"
#include "core/flux_event.h"
#include "core/revision.h"
#include "core/route_profile.h"

namespace fluxstatus::core {

// What an event means for commit statuses.
struct NoStatusChange {  // trace events: logged, never folded
  std::string why;
};
struct NoCommit {  // logged and marked, never dispatched
  std::string why;
};
using Derivation = std::variant<StatusCandidate, NoCommit, NoStatusChange>;

// Info reasons that mean "not done yet" (Progressing, ProgressingWithRetry, DependencyNotReady):
// DeriveStatus shows them as pending, where Flux shows nothing.
bool IsProgressReason(std::string_view reason);

// Severity/reason -> state, the route's templates -> context and target URL, the commit ref.
Derivation DeriveStatus(const FluxEvent& event, const CommitRef& commit, const RouteProfile& route);

// The folded state of a key: the one type for it everywhere (the fold's output, a
// fold_snapshot row, the fold half of a commit_statuses row). Which status holds the key, and
// which logged event set it.
struct KeyState {
  StatusState state = StatusState::kPending;
  std::string description;
  std::string target_url;
  std::int64_t event_id = 0;
  std::int64_t event_time_ms = 0;
  // The received_at of that event (RFC 3339 text, as the log keeps it): the tables' updated_at.
  std::string updated_at;

  friend bool operator==(const KeyState&, const KeyState&) = default;
};
// Every key's folded state, by key: what a fold over the log builds and the snapshot seeds.
using KeyStates = std::map<StatusKey, KeyState>;

// Whether two states say the same thing (state, description, target URL), whichever event set them.
bool SameStatus(const KeyState& a, const KeyState& b);

enum class FoldOutcome {
  kCreated,    // first status for the key
  kChanged,    // state, description or target URL changed
  kRefreshed,  // a newer event said the same thing: the key now points at it
  kStale,      // older than the event that set the current state: ignored (still logged)
};

// kCreated or kChanged: the outcomes that add a status_history entry.
bool IsChange(FoldOutcome outcome);

struct FoldResult {
  FoldOutcome outcome;
  KeyState next;  // equals the current state when kStale

  bool Changed() const { return IsChange(outcome); }
};

// Out-of-order rule: an event older (by event time) than the one that set the current state
// never overwrites it; equal times are broken by log order (the later id wins). `received_at`
// is the logged event's, kept as the new state's updated_at.
FoldResult Fold(const std::optional<KeyState>& current, const StatusCandidate& candidate, std::int64_t event_id,
                std::int64_t event_time_ms, std::string_view received_at);

}  // namespace fluxstatus::core
