// The sync state machine: where a key stands with the sink that shows it (today the commit
// status on the route's Git host), and every way that changes. Pure: the store loads a row's
// columns, calls one of these transitions and saves the result, so no path writes the columns
// by hand. Nothing here names a Git host or a table: a new sink (a deployment, a check run, an
// aggregate) is a new row of the same columns, keyed by its kind beside the status key, moved
// by these same transitions.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/fold.h"
#include "core/retry_policy.h"

namespace fluxstatus::core {

enum class SyncState {
  kPending,  // the sink should show the desired state: due at next_attempt_ms (none: now)
  kSynced,   // the sink shows it
  kFailed,   // permanently refused (or attempts exhausted): waits for a newer event or a replay
  kSkipped,  // no sink is configured for the key
};
std::string_view ToString(SyncState state);
std::optional<SyncState> SyncStateFromString(std::string_view text);

// Which sink a row of sync columns is for: the route's own commit status (a commit_statuses
// row), or a sink derived from the folded statuses (a sink_targets row).
enum class Sink {
  kCommitStatus,
  kAggregate,   // an aggregate's `fleet/<name>` status, posted through its route
  kDeployment,  // a deployment of the commit to an environment (the key's context)
  kCheckRun,    // a GitHub check run named after the status's context (the same key)
};

// "status", "aggregate", "deployment", "check": sink_targets.sink and the logs' `sink` field.
std::string_view ToString(Sink sink);

// The sinks whose rows are derived from the folded statuses (sink_targets), in the order a
// refresh derives them (a deployment may count an aggregate's verdict).
inline constexpr std::array kDerivedSinks = {Sink::kAggregate, Sink::kDeployment, Sink::kCheckRun};

// A row of sync columns: its sink and its key (for an aggregate, its route and `fleet/<name>`).
struct SinkKey {
  Sink sink = Sink::kCommitStatus;
  StatusKey key;

  friend auto operator<=>(const SinkKey&, const SinkKey&) = default;
};

// The sync columns of one key's row.
struct SyncInfo {
  SyncState sync_state = SyncState::kPending;
  std::optional<std::string> synced_at;
  std::int64_t attempts = 0;
  std::optional<std::string> last_error;
  std::optional<std::int64_t> next_attempt_ms;  // pending: not before this time (NULL: now)
  bool in_flight = false;                       // a send may have reached the sink unrecorded: list first
  std::optional<std::string> synced_state;      // what the sink last confirmed
  std::optional<std::string> synced_description;
  // The sink's own object on the host, once created or found (a deployment's id), so a
  // restart, replay or crash never creates a second one. Kept across re-folds, like synced_*.
  std::optional<std::string> host_object_id;

  friend bool operator==(const SyncInfo&, const SyncInfo&) = default;
};

// A key's folded state together with its sync columns: what a re-fold compares with.
struct KeySync {
  KeyState fold;
  SyncInfo sync;
};

// What a dispatch step did, as the store records it.
enum class DeliveryResult {
  kSending,  // about to send: mark in_flight so a crash before the answer lists first
  kSynced,   // the sink has the sent state (created, or found by listing)
  kRetry,    // try again at next_attempt_ms
  kFailed,   // permanent failure (or attempts exhausted): sync_state 'failed'
  kSkipped,  // the key has no sink (any more): sync_state 'skipped'
};

struct Delivery {
  std::int64_t sent_event_id = 0;  // the desired state's event when the step began
  std::string sent_state;
  std::string sent_description;
  DeliveryResult result = DeliveryResult::kRetry;
  bool uncertain = false;  // kRetry/kFailed after a send whose fate is unknown
  std::optional<std::int64_t> next_attempt_ms;
  std::string error;
  std::int64_t at_ms = 0;
  // Set when the step learnt which host object the key's sink is (created or found it), or
  // that the stored one is gone (""); recorded with any result, kSending included.
  std::optional<std::string> host_object_id;
};

// The live writer folded an event into the key (`outcome`; kStale leaves `before` as it was);
// `before`: the key's columns until then (nullptr: a new key). A change makes the key due
// again (or skipped without a sink), keeping what is known about the sink; the same status
// again retries a key that had failed.
SyncInfo SyncAfterFold(const SyncInfo* before, FoldOutcome outcome, bool has_sink);

// A re-fold from the log (`rebuild`, replay's per-commit re-fold) left the key at `refolded`;
// `before` is the row it replaces (nullptr: none). Progress survives when the status is
// unchanged, what is known about the sink whenever the key has one.
SyncInfo SyncAfterRefold(const KeySync* before, const KeyState& refolded, bool has_sink);

// A dispatch step's record, applied to the key whose folded state is now `desired`. A newer
// desired state that arrived meanwhile stays pending: only what was sent counts as synced.
SyncInfo ApplyDelivery(const SyncInfo& before, const KeyState& desired, const Delivery& delivery);

// `replay` asks for the key to be checked against the sink again: due now, attempts reset, and
// in flight, so the sink is listed first and posted to only when it lacks the state. A key
// without a sink stays skipped. Returns nullopt when the key is left as it is.
std::optional<SyncInfo> MarkForReplay(const SyncInfo& before);

// After `attempts` failed attempts (>= 1) at now_ms: when the next one is due, or nullopt
// when the policy gives up (what a dispatch step records as kRetry or kFailed).
std::optional<std::int64_t> NextAttemptMs(const RetryPolicy& policy, std::int64_t attempts, std::int64_t now_ms,
                                          double jitter01, std::optional<std::chrono::milliseconds> host_asked);

}  // namespace fluxstatus::core
