// `status --wait`: for deploy pipelines, waits until the statuses of a commit are done.
#pragma once

#include <chrono>
#include <ostream>

#include "store/commit_statuses.h"
#include "store/database.h"

namespace fluxstatus::app {

// Polls the database once a second for the statuses matching `filter` and returns the exit
// code: 0 once there is at least one and every one is success and synced (or skipped: its
// route has no provider); 1 as soon as one failed (state failure or error, or the host
// refused it: sync_state failed); 2 when `timeout` passes first. Prints a progress line to
// `out` whenever the picture changes, and a final line naming what failed or is still waiting.
int WaitForStatuses(store::Connection& db, const store::StatusFilter& filter, std::chrono::milliseconds timeout,
                    std::ostream& out);

}  // namespace fluxstatus::app
