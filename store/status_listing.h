// What `fluxstatus status` lists: every status fluxstatus posts, the routes' own
// (commit_statuses) and the derived sinks' (sink_targets: the aggregates' `fleet/<name>`),
// merged. No SQL of its own.
#pragma once

#include <vector>

#include <SQLiteCpp/Database.h>

#include "store/commit_statuses.h"

namespace fluxstatus::store {

// The rows of both tables that match `filter`, newest event time first, at most filter.limit.
std::vector<StatusRow> ListStatuses(SQLite::Database& db, const StatusFilter& filter);

}  // namespace fluxstatus::store
