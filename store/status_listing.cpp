#include "store/status_listing.h"

#include <algorithm>
#include <iterator>
#include <tuple>

#include "store/sink_targets.h"

namespace fluxstatus::store {

std::vector<StatusRow> MergeOrdered(std::vector<StatusRow> a, std::vector<StatusRow> b,
                                    const std::function<bool(const StatusRow&, const StatusRow&)>& before,
                                    std::optional<std::size_t> limit) {
  if (b.empty() && (!limit || a.size() <= *limit)) return a;
  std::vector<StatusRow> merged;
  merged.reserve(a.size() + b.size());
  std::merge(std::make_move_iterator(a.begin()), std::make_move_iterator(a.end()), std::make_move_iterator(b.begin()),
             std::make_move_iterator(b.end()), std::back_inserter(merged), before);
  if (limit && merged.size() > *limit) merged.resize(*limit);
  return merged;
}

std::vector<StatusRow> ListStatuses(SQLite::Database& db, const StatusFilter& filter) {
  // Both are ordered as StatusFilterSql orders: event time descending, then the key.
  const auto before = [](const StatusRow& a, const StatusRow& b) {
    if (a.fold.event_time_ms != b.fold.event_time_ms) return a.fold.event_time_ms > b.fold.event_time_ms;
    return std::tie(a.key.route, a.key.commit_sha, a.key.context) <
           std::tie(b.key.route, b.key.commit_sha, b.key.context);
  };
  std::optional<std::size_t> limit;
  if (filter.limit) limit = static_cast<std::size_t>(*filter.limit);
  return MergeOrdered(QueryStatus(db, filter), QuerySinkStatus(db, filter), before, limit);
}

}  // namespace fluxstatus::store
