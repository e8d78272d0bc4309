#include "store/replay_window.h"

#include <SQLiteCpp/Statement.h>

#include "core/rfc3339.h"

namespace fluxstatus::store {
namespace {

// ?1 since, ?2 until (NULL: open), ?3 route (NULL: any), ?4 commit prefix (NULL: any).
constexpr const char* kWindowEvents =
    "FROM event_log WHERE received_at >= ?1 AND (?2 IS NULL OR received_at < ?2)"
    " AND (?3 IS NULL OR route = ?3) AND (?4 IS NULL OR commit_sha LIKE ?4 || '%')";
const std::string kCountEvents = std::string("SELECT count(*), min(id), max(id) ") + kWindowEvents;
const std::string kWindowKeys = std::string("SELECT ") + kStatusColumns +
                                " FROM commit_statuses WHERE (route, commit_sha) IN"
                                " (SELECT DISTINCT route, commit_sha " + kWindowEvents +
                                " AND commit_sha IS NOT NULL) ORDER BY route, commit_sha, context";
const std::string kMark = std::string(
                              "UPDATE commit_statuses SET sync_state = 'pending', attempts = 0,"
                              " next_attempt_ms = NULL, last_error = NULL, in_flight = 1"
                              " WHERE sync_state != 'skipped' AND (route, commit_sha) IN"
                              " (SELECT DISTINCT route, commit_sha ") +
                          kWindowEvents + " AND commit_sha IS NOT NULL)";

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

std::int64_t MarkForResync(SQLite::Database& db, const ReplayWindow& window) {
  SQLite::Statement mark(db, kMark);
  Bind(mark, window);
  return mark.exec();
}

}  // namespace fluxstatus::store
