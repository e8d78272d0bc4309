// Folding aggregates (`aggregates:`): each one's `fleet/<name>` state for a commit, derived
// from its members' current statuses. Pure: the live writer hands in one commit's member
// statuses after each event, rebuild and `rebuild --check` the whole fold, so all three derive
// the same rows from the same states.
#pragma once

#include <cstddef>
#include <vector>

#include "core/fleet_aggregate.h"
#include "core/fold.h"

namespace fluxstatus::core {

// GitHub's limit for a status description, the smallest of the hosts': the aggregate's text
// is composed to fit it, so the failing members' names are never cut by a provider.
inline constexpr std::size_t kAggregateDescriptionChars = 140;

// What an aggregate says for one commit.
struct AggregateState {
  StatusKey key;  // the aggregate's route and repo, the commit, `fleet/<name>`
  // The verdict and its description; event_id, event_time_ms and updated_at are the newest
  // counted member status's (highest event id), so the row tells which event last moved it.
  KeyState fold;
  std::size_t members_ready = 0;
  std::size_t members_total = 0;

  friend bool operator==(const AggregateState&, const AggregateState&) = default;
};

// Every aggregate's state for every commit at least one member has a counted status for,
// ordered by key. Statuses of routes that are no aggregate's member are ignored.
std::vector<AggregateState> FoldAggregates(const std::vector<FleetAggregate>& aggregates, const KeyStates& keys);

}  // namespace fluxstatus::core
