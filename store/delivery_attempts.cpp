#include "store/delivery_attempts.h"

#include "core/rfc3339.h"
#include "store/statement_use.h"
#include "store/status_key_columns.h"

namespace fluxstatus::store {
namespace {

constexpr const char* kInsert =
    "INSERT INTO delivery_attempts (route, repo, commit_sha, context, state, attempted_at,"
    " http_status, outcome, error, duration_ms, sink) VALUES (?,?,?,?,?,?,?,?,?,?,?)";
constexpr const char* kCountBefore = "SELECT count(*) FROM delivery_attempts WHERE attempted_at < ?1";
constexpr const char* kDeleteBefore = "DELETE FROM delivery_attempts WHERE attempted_at < ?1";
constexpr const char* kLastId = "SELECT ifnull(max(id), 0) FROM delivery_attempts";
constexpr const char* kOutcomesAfter =
    "SELECT route, repo, commit_sha, context, outcome FROM delivery_attempts WHERE id > ? ORDER BY id";

}  // namespace

DeliveryLog::DeliveryLog(SQLite::Database& db) : db_(db), insert_(db, kInsert) {}

void DeliveryLog::Record(const DeliveryAttempt& a) {
  StatementUse use(insert_);
  BindStatusKey(insert_, a.key);
  insert_.bind(5, a.state);
  insert_.bind(6, core::FormatRfc3339Millis(a.attempted_at_ms));
  if (a.http_status) insert_.bind(7, *a.http_status);
  insert_.bind(8, a.outcome);
  if (!a.error.empty()) insert_.bind(9, a.error);
  insert_.bind(10, static_cast<int64_t>(a.duration_ms));
  insert_.bind(11, std::string(core::ToString(a.sink)));
  insert_.exec();
}

std::int64_t DeliveryLog::CountBefore(const std::string& cutoff) {
  SQLite::Statement q(db_, kCountBefore);
  q.bind(1, cutoff);
  q.executeStep();
  return q.getColumn(0).getInt64();
}

std::int64_t DeliveryLog::DeleteBefore(const std::string& cutoff) {
  SQLite::Statement q(db_, kDeleteBefore);
  q.bind(1, cutoff);
  return q.exec();
}

std::int64_t LastDeliveryAttemptId(SQLite::Database& db) { return db.execAndGet(kLastId).getInt64(); }

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
