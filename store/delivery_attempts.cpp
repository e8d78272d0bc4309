#include "store/delivery_attempts.h"

#include "core/rfc3339.h"
#include "store/statement_use.h"

namespace fluxstatus::store {
namespace {

constexpr const char* kInsert =
    "INSERT INTO delivery_attempts (route, repo, commit_sha, context, state, attempted_at,"
    " http_status, outcome, error, duration_ms) VALUES (?,?,?,?,?,?,?,?,?,?)";

}  // namespace

DeliveryLog::DeliveryLog(SQLite::Database& db) : insert_(db, kInsert) {}

void DeliveryLog::Record(const DeliveryAttempt& a) {
  StatementUse use(insert_);
  insert_.bind(1, a.key.route);
  insert_.bind(2, a.key.repo);
  insert_.bind(3, a.key.commit_sha);
  insert_.bind(4, a.key.context);
  insert_.bind(5, a.state);
  insert_.bind(6, core::FormatRfc3339Millis(a.attempted_at_ms));
  if (a.http_status) insert_.bind(7, *a.http_status);
  insert_.bind(8, a.outcome);
  if (!a.error.empty()) insert_.bind(9, a.error);
  insert_.bind(10, static_cast<int64_t>(a.duration_ms));
  insert_.exec();
}

}  // namespace fluxstatus::store
