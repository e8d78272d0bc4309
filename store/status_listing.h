// What `fluxstatus status` lists: every status fluxstatus posts, the routes' own
// (commit_statuses) and the derived sinks' (sink_targets: the aggregates' `fleet/<name>`),
// merged. No SQL of its own.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "store/commit_statuses.h"

namespace fluxstatus::store {

// The rows of both tables that match `filter`, newest event time first, at most filter.limit.
std::vector<StatusRow> ListStatuses(SQLite::Database& db, const StatusFilter& filter);

// Two lists of rows, each already ordered by `before`, as one list in that order, cut to the
// first `limit` rows: how a read of both tables becomes one answer (`status`, dispatch's due keys).
std::vector<StatusRow> MergeOrdered(std::vector<StatusRow> a, std::vector<StatusRow> b,
                                    const std::function<bool(const StatusRow&, const StatusRow&)>& before,
                                    std::optional<std::size_t> limit);

}  // namespace fluxstatus::store
