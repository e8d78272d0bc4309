// Folding the logged events in memory, in log order, on top of seeded key states (the fold
// snapshot): the one fold driver that `rebuild`, `rebuild --check`, `prune` and replay's
// per-commit re-fold share. Each event goes through the
// same core::DeriveStatus + core::Fold as the live writer; only the key states live in a map
// instead of commit_statuses, so a million events fold without a query per event.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "core/fold.h"
#include "core/route_catalog.h"
#include "store/event_log.h"
#include "store/fold_snapshot.h"
#include "store/status_changes.h"

namespace fluxstatus::store {

// What one event did to the map.
struct AppliedEvent {
  const core::StatusKey& key;
  const core::KeyState& now;  // the key's state after the event
  core::FoldOutcome outcome;
};

// The status_history entry a change of the key to `now` records.
ChangeRow HistoryEntry(const core::StatusKey& key, const core::KeyState& now);

class LogFolder {
 public:
  explicit LogFolder(const core::RouteCatalog& routes) : routes_(routes) {}

  // Folds one logged event into keys. nullopt when it folds into no status (trace, no commit,
  // or older than the key's state); otherwise the key and what happened to it.
  std::optional<AppliedEvent> Apply(const LogRow& row, core::KeyStates& keys);

  // Folds the selected events in log order; calls on_applied for each event that changed or
  // refreshed a key. Returns how many events were read.
  std::int64_t FoldRange(EventLog& log, core::KeyStates& keys, const LogSelection& selection,
                         const std::function<void(const AppliedEvent&)>& on_applied);
  // The same for the events with after_id < id <= through_id (nullopt: the end of the log).
  std::int64_t FoldRange(EventLog& log, core::KeyStates& keys, std::int64_t after_id,
                         std::optional<std::int64_t> through_id,
                         const std::function<void(const AppliedEvent&)>& on_applied);

  // A route removed from the configuration still folds, as a route without a provider.
  const core::RouteProfile& ProfileFor(const std::string& route);

 private:
  const core::RouteCatalog& routes_;
  std::map<std::string, core::RouteProfile, std::less<>> profiles_;
};

}  // namespace fluxstatus::store
