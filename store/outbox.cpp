#include "store/outbox.h"

#include <algorithm>
#include <string>

#include "core/rfc3339.h"

namespace fluxstatus::store {

Outbox::Outbox(SQLite::Database& db) : statuses_(db), sinks_(db) {}

std::optional<StatusRow> Outbox::Load(const core::SinkKey& target) {
  if (target.sink == core::Sink::kCommitStatus) return statuses_.Load(target.key);
  auto row = sinks_.Load(target.sink, target.key);
  if (!row) return std::nullopt;
  return static_cast<StatusRow&&>(std::move(*row));
}

std::vector<StatusRow> Outbox::Due(std::int64_t now_ms, std::size_t limit) {
  std::vector<StatusRow> due = statuses_.Due(now_ms, limit);
  std::vector<StatusRow> sinks = sinks_.Due(now_ms, limit);
  if (sinks.empty()) return due;
  // Both lists are ordered by updated_at: merge them and keep the oldest `limit`.
  std::vector<StatusRow> merged;
  merged.reserve(due.size() + sinks.size());
  std::merge(std::make_move_iterator(due.begin()), std::make_move_iterator(due.end()),
             std::make_move_iterator(sinks.begin()), std::make_move_iterator(sinks.end()), std::back_inserter(merged),
             [](const StatusRow& a, const StatusRow& b) { return a.fold.updated_at < b.fold.updated_at; });
  if (merged.size() > limit) merged.resize(limit);
  return merged;
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
