#include "store/outbox.h"

#include <algorithm>
#include <string>

#include "core/rfc3339.h"
#include "store/status_listing.h"

namespace fluxstatus::store {

Outbox::Outbox(SQLite::Database& db) : statuses_(db), sinks_(db) {}

std::optional<StatusRow> Outbox::Load(const core::SinkKey& target) {
  if (target.sink == core::Sink::kCommitStatus) return statuses_.Load(target.key);
  auto row = sinks_.Load(target.sink, target.key);
  if (!row) return std::nullopt;
  return static_cast<StatusRow&&>(std::move(*row));
}

std::vector<StatusRow> Outbox::Due(std::int64_t now_ms, std::size_t limit) {
  // Both lists are ordered by updated_at: the oldest `limit` of the two.
  return MergeOrdered(
      statuses_.Due(now_ms, limit), sinks_.Due(now_ms, limit),
      [](const StatusRow& a, const StatusRow& b) { return a.fold.updated_at < b.fold.updated_at; }, limit);
}

Outbox::Backlog Outbox::Measure(std::int64_t now_ms) {
  const CommitStatuses::PendingCount statuses = statuses_.Pending();
  const CommitStatuses::PendingCount sinks = sinks_.Pending();
  Backlog b;
  b.pending = statuses.keys + sinks.keys;
  std::optional<std::string> oldest = statuses.oldest_updated_at;
  if (sinks.oldest_updated_at && (!oldest || *sinks.oldest_updated_at < *oldest)) oldest = sinks.oldest_updated_at;
  if (oldest) {
    if (auto t = core::ParseRfc3339(*oldest)) b.oldest_age_ms = now_ms - *t;
  }
  return b;
}

std::map<std::string, std::int64_t> Outbox::CountBySyncState() {
  auto counts = statuses_.CountBySyncState();
  for (const auto& [state, n] : sinks_.CountBySyncState()) counts[state] += n;
  return counts;
}

}  // namespace fluxstatus::store
