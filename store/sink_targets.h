// sink_targets (migration 0006; view aggregate_status): the rows of sinks derived from the
// folded statuses rather than from one event, today the aggregates' `fleet/<name>` statuses.
// Owns every SQL statement on the table. Its rows are StatusRows (the same key, folded state
// and sync columns, moved by the same core/sync_state transitions) with their sink's extras.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "core/sync_state.h"
#include "store/commit_statuses.h"

namespace fluxstatus::store {

struct SinkRow : StatusRow {
  std::string name;  // the sink's own name: kAggregate, the aggregate's name
  // kAggregate: the verdict's counts.
  std::int64_t members_ready = 0;
  std::int64_t members_total = 0;
};

// `fluxstatus status`: the rows of every sink that match, newest event time first (as
// QueryStatus reads commit_statuses).
std::vector<StatusRow> QuerySinkStatus(SQLite::Database& db, const StatusFilter& filter);

// Not thread-safe: owned by the thread that owns the connection.
class SinkTargets {
 public:
  explicit SinkTargets(SQLite::Database& db);

  std::optional<SinkRow> Load(core::Sink sink, const core::StatusKey& key);
  // Inserts or replaces the row of row.sink and row.key.
  void Save(const SinkRow& row);
  void Delete(core::Sink sink, const core::StatusKey& key);

  // Every row of one sink, ordered by key.
  std::vector<SinkRow> All(core::Sink sink);
  // One commit's rows of one sink, ordered by key.
  std::vector<SinkRow> ForCommit(core::Sink sink, const std::string& commit_sha);
  // Empties one sink's rows (rebuild, inside its transaction).
  void Clear(core::Sink sink);

  // Dispatch's outbox, over every sink: as CommitStatuses::Due.
  std::vector<StatusRow> Due(std::int64_t now_ms, std::size_t limit);
  CommitStatuses::PendingCount Pending();
  std::map<std::string, std::int64_t> CountBySyncState();

 private:
  SQLite::Database& db_;
  SQLite::Statement load_;
  SQLite::Statement save_;
  std::optional<SQLite::Statement> due_;  // prepared on first use
};

}  // namespace fluxstatus::store
