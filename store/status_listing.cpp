#include "store/status_listing.h"

#include <algorithm>
#include <iterator>
#include <tuple>

#include "store/sink_targets.h"

namespace fluxstatus::store {

std::vector<StatusRow> ListStatuses(SQLite::Database& db, const StatusFilter& filter) {
  std::vector<StatusRow> statuses = QueryStatus(db, filter);
  std::vector<StatusRow> sinks = QuerySinkStatus(db, filter);
  if (sinks.empty()) return statuses;
  std::vector<StatusRow> merged;
  merged.reserve(statuses.size() + sinks.size());
  // Both are ordered as StatusFilterSql orders: event time descending, then the key.
  const auto before = [](const StatusRow& a, const StatusRow& b) {
    if (a.fold.event_time_ms != b.fold.event_time_ms) return a.fold.event_time_ms > b.fold.event_time_ms;
    return std::tie(a.key.route, a.key.commit_sha, a.key.context) <
           std::tie(b.key.route, b.key.commit_sha, b.key.context);
  };
  std::merge(std::make_move_iterator(statuses.begin()), std::make_move_iterator(statuses.end()),
             std::make_move_iterator(sinks.begin()), std::make_move_iterator(sinks.end()), std::back_inserter(merged),
             before);
  if (filter.limit && merged.size() > static_cast<std::size_t>(*filter.limit)) merged.resize(*filter.limit);
  return merged;
}

}  // namespace fluxstatus::store
