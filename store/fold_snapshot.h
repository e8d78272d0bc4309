// The fold snapshot left by `prune` (tables fold_snapshot and fold_horizon): per key, the folded
// state after every event up to the horizon id. Rebuild, prune and per-key re-folds seed from
// it and fold only the events after the horizon. Owns every SQL statement on both tables.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "core/commit_status.h"
#include "core/fold.h"
#include "store/status_key_columns.h"

namespace fluxstatus::store {

// A row is a key and its folded state (core::KeyState, no dispatch columns). commit_statuses
// begins with the same columns, so both tables read them with the one reader here.
inline constexpr const char* kKeyStateColumns =
    "route, repo, commit_sha, context, state, description, target_url, event_id, event_time_ms, updated_at";
// Of a statement whose first columns are kKeyStateColumns: the folded state (columns 4-9; the
// key in 0-3 is ReadStatusKey's). `table` names the table in the error for a state no one knows.
core::KeyState ReadKeyState(SQLite::Statement& q, const char* table);

// Which prefix of the log the snapshot stands for.
struct FoldHorizon {
  std::int64_t through_event_id = 0;  // every event with id <= this is in the snapshot
  std::string before;                 // the cutoff of the prune that set it (RFC 3339)
  std::string pruned_at;
};

// Not thread-safe: owned by the thread that owns the connection.
class FoldSnapshot {
 public:
  explicit FoldSnapshot(SQLite::Database& db);

  // nullopt: nothing was ever pruned (then folds start at the first event).
  std::optional<FoldHorizon> Horizon();
  // Folds start after this id: 0 when nothing was pruned.
  std::int64_t ThroughEventId();

  // The key's state as of the horizon (a per-key re-fold's seed); nullopt when it had none.
  std::optional<core::KeyState> Find(const core::StatusKey& key);
  // Every key's state as of the horizon (rebuild's and prune's seed).
  core::KeyStates All();
  // The states of one commit's keys on one route (a per-commit re-fold's seed).
  core::KeyStates ForCommit(const std::string& route, const std::string& commit_sha);
  std::int64_t Count();

  // Inside prune's transaction: records a key's state and then moves the horizon.
  void Save(const core::StatusKey& key, const core::KeyState& state);
  void SetHorizon(const FoldHorizon& horizon);

 private:
  SQLite::Database& db_;
  SQLite::Statement find_;
  SQLite::Statement save_;
};

}  // namespace fluxstatus::store
