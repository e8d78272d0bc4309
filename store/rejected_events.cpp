#include "store/rejected_events.h"

#include <algorithm>

#include "store/statement_use.h"

namespace fluxstatus::store {
namespace {

constexpr const char* kInsert = "INSERT INTO rejected_events (received_at, route, reason, body) VALUES (?,?,?,?)";
constexpr const char* kCount = "SELECT count(*) FROM rejected_events";
constexpr const char* kCountBefore = "SELECT count(*) FROM rejected_events WHERE received_at < ?1";
constexpr const char* kDeleteBefore = "DELETE FROM rejected_events WHERE received_at < ?1";

}  // namespace

RejectedLog::RejectedLog(SQLite::Database& db) : db_(db), insert_(db, kInsert) {}

std::int64_t RejectedLog::Record(const std::string& route, const std::string& received_at, const std::string& reason,
                                 std::string_view body, std::size_t max_body_bytes) {
  const auto kept = body.substr(0, std::min(body.size(), max_body_bytes));
  StatementUse use(insert_);
  insert_.bind(1, received_at);
  insert_.bind(2, route);
  insert_.bind(3, reason);
  // A blob: the body may be invalid UTF-8, which is one of the reasons to reject it.
  insert_.bind(4, kept.data(), static_cast<int>(kept.size()));
  insert_.exec();
  return db_.getLastInsertRowid();
}

std::int64_t RejectedLog::Count() { return db_.execAndGet(kCount).getInt64(); }

std::int64_t RejectedLog::CountBefore(const std::string& cutoff) {
  SQLite::Statement q(db_, kCountBefore);
  q.bind(1, cutoff);
  q.executeStep();
  return q.getColumn(0).getInt64();
}

std::int64_t RejectedLog::DeleteBefore(const std::string& cutoff) {
  SQLite::Statement q(db_, kDeleteBefore);
  q.bind(1, cutoff);
  return q.exec();
}

}  // namespace fluxstatus::store
