// delivery_attempts: one row per call to a Git host. Owns every SQL statement on the table.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "core/commit_status.h"

namespace fluxstatus::store {

struct DeliveryAttempt {
  core::StatusKey key;
  std::string state;  // host-neutral state that was sent or looked for
  std::int64_t attempted_at_ms = 0;
  std::optional<int> http_status;  // none: no answer (connection error, timeout)
  std::string outcome;  // delivered | retry | reconcile | failed | listed | already_on_host | uncertain |
                        // transport_error | list_failed
  std::string error;    // host's error text or transport error; never a secret
  std::int64_t duration_ms = 0;
};

class DeliveryLog {
 public:
  explicit DeliveryLog(SQLite::Database& db);
  void Record(const DeliveryAttempt& a);

 private:
  SQLite::Statement insert_;
};

}  // namespace fluxstatus::store
