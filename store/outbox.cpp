#include "store/outbox.h"

#include <string>

#include "core/rfc3339.h"
#include "store/statement_use.h"

namespace fluxstatus::store {
namespace {

const std::string kDue = std::string("SELECT ") + kStatusColumns +
                         " FROM commit_statuses WHERE sync_state = 'pending'"
                         " AND (next_attempt_ms IS NULL OR next_attempt_ms <= ?)"
                         " ORDER BY updated_at LIMIT ?";
constexpr const char* kBySyncState = "SELECT sync_state, count(*) FROM commit_statuses GROUP BY sync_state";
constexpr const char* kBacklog =
    "SELECT count(*), min(updated_at) FROM commit_statuses WHERE sync_state = 'pending'";

}  // namespace

Outbox::Outbox(SQLite::Database& db) : db_(db), due_(db, kDue), statuses_(db) {}

std::optional<StatusRow> Outbox::Load(const core::StatusKey& key) { return statuses_.Load(key); }

std::vector<StatusRow> Outbox::Due(std::int64_t now_ms, std::size_t limit) {
  StatementUse use(due_);
  due_.bind(1, static_cast<int64_t>(now_ms));
  due_.bind(2, static_cast<int64_t>(limit));
  std::vector<StatusRow> rows;
  while (due_.executeStep()) rows.push_back(ReadStatusRow(due_));
  return rows;
}

Outbox::Backlog Outbox::Measure(std::int64_t now_ms) {
  SQLite::Statement q(db_, kBacklog);
  Backlog b;
  if (q.executeStep()) {
    b.pending = q.getColumn(0).getInt64();
    if (!q.getColumn(1).isNull()) {
      if (auto t = core::ParseRfc3339(q.getColumn(1).getString())) b.oldest_age_ms = now_ms - *t;
    }
  }
  return b;
}

std::map<std::string, std::int64_t> Outbox::CountBySyncState() {
  SQLite::Statement q(db_, kBySyncState);
  std::map<std::string, std::int64_t> counts;
  while (q.executeStep()) counts[q.getColumn(0).getString()] = q.getColumn(1).getInt64();
  return counts;
}

}  // namespace fluxstatus::store
