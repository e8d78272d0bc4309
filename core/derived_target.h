// One row a derived sink should hold (sink_targets): its key and what it says. The deployment
// and check-run folds produce these, the store saves them with their sync columns.
#pragma once

#include <utility>
#include <vector>

#include "core/fold.h"

namespace fluxstatus::core {

struct DerivedTarget {
  StatusKey key;
  KeyState fold;
  friend bool operator==(const DerivedTarget&, const DerivedTarget&) = default;
};

// One route's statuses for one commit (any order, any route's keys ignored but `route`'s).
using CommitStatusesOfRoute = std::vector<std::pair<StatusKey, KeyState>>;

}  // namespace fluxstatus::core
