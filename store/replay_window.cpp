#include "store/replay_window.h"

#include <SQLiteCpp/Statement.h>

#include "core/rfc3339.h"
#include "core/sync_state.h"

namespace fluxstatus::store {
namespace {

// ?1 since, ?2 until (NULL: open), ?3 route (NULL: any), ?4 commit prefix (NULL: any).
constexpr const char* kWindowEvents =
    "FROM event_log WHERE received_at >= ?1 AND (?2 IS NULL OR received_at < ?2)"
    " AND (?3 IS NULL OR route = ?3) AND (?4 IS NULL OR commit_sha LIKE ?4 || '%')";
const std::string kCountEvents = std::string("SELECT count(*), min(id), max(id) ") + kWindowEvents;
// The unary + keeps SQLite from reading the window through event_log_route_body (a scan of
// the whole log) or commit_statuses by route alone: the window is a received_at range and a
// commit's statuses are found by commit_sha (both indexed).
const std::string kWindowKeys = std::string("SELECT ") + kStatusColumns +
                                " FROM (SELECT DISTINCT +route AS r, +commit_sha AS c " + kWindowEvents +
                                " AND commit_sha IS NOT NULL) w JOIN commit_statuses s ON +s.route = w.r"
                                " AND s.commit_sha = w.c ORDER BY s.route, s.commit_sha, s.context";
const std::string kWindowCommits = std::string("SELECT DISTINCT +route, +commit_sha ") + kWindowEvents +
                                   " AND commit_sha IS NOT NULL ORDER BY 1, 2";
constexpr const char* kLastAttempt = "SELECT ifnull(max(id), 0) FROM delivery_attempts";
constexpr const char* kOutcomesAfter =
    "SELECT route, repo, commit_sha, context, outcome FROM delivery_attempts WHERE id > ? ORDER BY id";

void Bind(SQLite::Statement& q, const ReplayWindow& w) {
  q.bind(1, core::FormatRfc3339Millis(w.since_ms));
  if (w.until_ms) q.bind(2, core::FormatRfc3339Millis(*w.until_ms));
  if (w.route) q.bind(3, *w.route);
  if (w.commit) q.bind(4, *w.commit);
}

}  // namespace

ReplayPlan PlanReplay(SQLite::Database& db, const ReplayWindow& window) {
  ReplayPlan plan;
  SQLite::Statement count(db, kCountEvents);
  Bind(count, window);
  if (count.executeStep()) {
    plan.events = count.getColumn(0).getInt64();
    if (!count.getColumn(1).isNull()) plan.first_id = count.getColumn(1).getInt64();
    if (!count.getColumn(2).isNull()) plan.last_id = count.getColumn(2).getInt64();
  }
  SQLite::Statement keys(db, kWindowKeys);
  Bind(keys, window);
  while (keys.executeStep()) plan.keys.push_back(ReadStatusRow(keys));
  return plan;
}

std::int64_t CountWindowEvents(SQLite::Database& db, const ReplayWindow& window) {
  SQLite::Statement count(db, kCountEvents);
  Bind(count, window);
  return count.executeStep() ? count.getColumn(0).getInt64() : 0;
}

std::vector<WindowCommit> WindowCommits(SQLite::Database& db, const ReplayWindow& window) {
  SQLite::Statement q(db, kWindowCommits);
  Bind(q, window);
  std::vector<WindowCommit> out;
  while (q.executeStep()) out.push_back({q.getColumn(0).getString(), q.getColumn(1).getString()});
  return out;
}

std::int64_t MarkCommitForResync(SQLite::Database& db, const std::string& route, const std::string& commit_sha) {
  StatusTable statuses(db);
  std::int64_t marked = 0;
  for (auto& row : statuses.ForCommit(route, commit_sha)) {
    auto sync = core::MarkForReplay(row.sync);
    if (!sync) continue;
    row.sync = std::move(*sync);
    statuses.Save(row);
    ++marked;
  }
  return marked;
}

std::vector<StatusRow> LoadStatuses(SQLite::Database& db, const std::vector<core::StatusKey>& keys) {
  std::vector<StatusRow> rows;
  rows.reserve(keys.size());
  StatusTable statuses(db);
  db.exec("BEGIN");  // deferred: a read transaction, also on a query_only connection
  try {
    for (const auto& key : keys) {
      if (auto row = statuses.Load(key)) rows.push_back(std::move(*row));
    }
  } catch (...) {
    db.exec("ROLLBACK");
    throw;
  }
  db.exec("COMMIT");
  return rows;
}

std::int64_t LastDeliveryAttemptId(SQLite::Database& db) { return db.execAndGet(kLastAttempt).getInt64(); }

std::vector<KeyOutcome> DeliveryOutcomesAfter(SQLite::Database& db, std::int64_t after_id) {
  SQLite::Statement q(db, kOutcomesAfter);
  q.bind(1, static_cast<int64_t>(after_id));
  std::vector<KeyOutcome> out;
  while (q.executeStep()) {
    out.push_back({{q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                    q.getColumn(3).getString()},
                   q.getColumn(4).getString()});
  }
  return out;
}

}  // namespace fluxstatus::store
