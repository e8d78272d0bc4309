#include "store/outbox.h"

#include <string>

#include "core/rfc3339.h"

namespace fluxstatus::store {

Outbox::Outbox(SQLite::Database& db) : statuses_(db) {}

std::optional<StatusRow> Outbox::Load(const core::StatusKey& key) { return statuses_.Load(key); }

std::vector<StatusRow> Outbox::Due(std::int64_t now_ms, std::size_t limit) { return statuses_.Due(now_ms, limit); }

Outbox::Backlog Outbox::Measure(std::int64_t now_ms) {
  const CommitStatuses::PendingCount pending = statuses_.Pending();
  Backlog b;
  b.pending = pending.keys;
  if (pending.oldest_updated_at) {
    if (auto t = core::ParseRfc3339(*pending.oldest_updated_at)) b.oldest_age_ms = now_ms - *t;
  }
  return b;
}

std::map<std::string, std::int64_t> Outbox::CountBySyncState() { return statuses_.CountBySyncState(); }

}  // namespace fluxstatus::store
