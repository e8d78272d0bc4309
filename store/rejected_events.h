// rejected_events: authenticated requests answered 400/413 (Flux never resends a 4xx, so
// their bodies are kept rather than silently lost). Owns every SQL statement on the table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

namespace fluxstatus::store {

class RejectedLog {
 public:
  explicit RejectedLog(SQLite::Database& db);

  // Keeps at most max_body_bytes of the body. Returns the row id.
  std::int64_t Record(const std::string& route, const std::string& received_at, const std::string& reason,
                      std::string_view body, std::size_t max_body_bytes);
  std::int64_t Count();
  // Rows received before `cutoff` (RFC 3339, prune): counted, or deleted (returns how many).
  std::int64_t CountBefore(const std::string& cutoff);
  std::int64_t DeleteBefore(const std::string& cutoff);

 private:
  SQLite::Database& db_;
  SQLite::Statement insert_;
};

}  // namespace fluxstatus::store
