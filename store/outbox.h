// The read side of dispatch: which keys are due (desired state not yet confirmed on the
// host), on a read-only connection owned by the dispatch scheduler thread. No SQL of its own:
// it reads commit_statuses through CommitStatuses and sink_targets through SinkTargets, whose
// rows dispatch takes alike (each StatusRow says its sink).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "store/commit_statuses.h"
#include "store/sink_targets.h"

namespace fluxstatus::store {

class Outbox {
 public:
  explicit Outbox(SQLite::Database& db);

  // Pending rows of every sink whose next attempt time has come, oldest change first, at most
  // `limit`.
  std::vector<StatusRow> Due(std::int64_t now_ms, std::size_t limit);
  // The key's row as it is now (workers re-read it just before sending, so a state that was
  // superseded while queued is never sent).
  std::optional<StatusRow> Load(const core::SinkKey& target);
  std::optional<StatusRow> Load(const core::StatusKey& key) {
    return Load(core::SinkKey{core::Sink::kCommitStatus, key});
  }
  // Count of pending keys, and how long the oldest has waited (0 when none), for metrics.
  struct Backlog {
    std::int64_t pending = 0;
    std::int64_t oldest_age_ms = 0;
  };
  Backlog Measure(std::int64_t now_ms);
  // How many keys are in each sync_state ("pending", "synced", "failed", "skipped"); a state
  // no key is in is absent. For the statuses gauge.
  std::map<std::string, std::int64_t> CountBySyncState();

 private:
  CommitStatuses statuses_;  // reads only: this connection is read-only
  SinkTargets sinks_;
};

}  // namespace fluxstatus::store
