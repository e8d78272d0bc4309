// delivery_attempts: one row per call to a Git host. Owns every SQL statement on the table.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "core/commit_status.h"
#include "core/sync_state.h"

namespace fluxstatus::store {

// The outcome column's words that more than one module writes or reads. The SQL contract and the
// metric's `outcome` label keep them as they are: a successful post is "delivered" there, though
// the code calls it synced everywhere (SyncState::kSynced, DeliveryResult::kSynced,
// OutcomeKind::kSynced); a retry is "retry" (DeliveryResult::kRetry, OutcomeKind::kRetry).
inline constexpr const char* kOutcomeSynced = "delivered";
inline constexpr const char* kOutcomeRetry = "retry";
inline constexpr const char* kOutcomeAlreadyOnHost = "already_on_host";
// A deployment's calls: the host created it (in GitLab's `running`, which is then its state),
// or a lookup found the one it already has.
inline constexpr const char* kOutcomeCreated = "created";
inline constexpr const char* kOutcomeFound = "found";

struct DeliveryAttempt {
  core::StatusKey key;
  std::string state;  // host-neutral state that was sent or looked for
  std::int64_t attempted_at_ms = 0;
  std::optional<int> http_status;  // none: no answer (connection error, timeout)
  std::string outcome;             // delivered | retry | reconcile | failed | listed | already_on_host | uncertain |
                                   // transport_error | list_failed
  std::string error;               // host's error text or transport error; never a secret
  std::int64_t duration_ms = 0;
  core::Sink sink = core::Sink::kCommitStatus;  // what the call was for (one key may have several)
};

class DeliveryLog {
 public:
  explicit DeliveryLog(SQLite::Database& db);
  void Record(const DeliveryAttempt& a);

  // Rows attempted before `cutoff` (RFC 3339, prune): counted, or deleted (returns how many).
  std::int64_t CountBefore(const std::string& cutoff);
  std::int64_t DeleteBefore(const std::string& cutoff);

 private:
  SQLite::Database& db_;
  SQLite::Statement insert_;
};

// The newest delivery_attempts id (0 when none): what a replay's report counts from.
std::int64_t LastDeliveryAttemptId(SQLite::Database& db);
// The outcome of every delivery attempt after `after_id`, with its key.
struct KeyOutcome {
  core::StatusKey key;
  std::string outcome;
};
std::vector<KeyOutcome> DeliveryOutcomesAfter(SQLite::Database& db, std::int64_t after_id);

}  // namespace fluxstatus::store
