#include "store/commit_statuses.h"

#include <stdexcept>

#include "core/rfc3339.h"
#include "store/statement_use.h"

namespace fluxstatus::store {

const char* const kStatusColumns =
    "route, repo, commit_sha, context, state, description, target_url, event_id, event_time_ms,"
    " updated_at, sync_state, synced_at, attempts, last_error, next_attempt_ms, in_flight,"
    " synced_state, synced_description";

namespace {

const std::string kLoad = std::string("SELECT ") + kStatusColumns +
                          " FROM commit_statuses WHERE route = ? AND repo = ? AND commit_sha = ?"
                          " AND context = ?";
constexpr const char* kSave =
    "INSERT OR REPLACE INTO commit_statuses (route, repo, commit_sha, context, state, description,"
    " target_url, event_id, event_time, event_time_ms, updated_at, sync_state, synced_at, attempts,"
    " last_error, next_attempt_ms, in_flight, synced_state, synced_description)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
constexpr const char* kRecordChange =
    "INSERT INTO status_changes (route, repo, commit_sha, context, state, description, event_id,"
    " event_time, recorded_at) VALUES (?,?,?,?,?,?,?,?,?)";
const std::string kAll = std::string("SELECT ") + kStatusColumns +
                         " FROM commit_statuses ORDER BY route, repo, commit_sha, context";
constexpr const char* kHistory =
    "SELECT route, repo, commit_sha, context, state, description, event_id, event_time, recorded_at"
    " FROM status_changes ORDER BY id";
constexpr const char* kHistoryByEvent =
    "SELECT route, repo, commit_sha, context, state, description, event_id, event_time, recorded_at"
    " FROM status_changes ORDER BY event_id, id";
// Explicit indexes only (sql IS NOT NULL): the primary key's index stays.
constexpr const char* kIndexes =
    "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL"
    " AND tbl_name IN ('commit_statuses', 'status_changes') ORDER BY name";

std::optional<std::string> OptionalText(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getString();
}

}  // namespace

std::optional<SyncState> SyncStateFromString(std::string_view s) {
  for (auto v : {SyncState::kPending, SyncState::kSynced, SyncState::kFailed, SyncState::kSkipped}) {
    if (ToString(v) == s) return v;
  }
  return std::nullopt;
}

StatusRow ReadStatusRow(SQLite::Statement& q) {
  StatusRow r;
  r.key = {q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(),
           q.getColumn(3).getString()};
  auto state = core::StatusStateFromString(q.getColumn(4).getString());
  auto sync = SyncStateFromString(q.getColumn(10).getString());
  if (!state || !sync) throw std::runtime_error("commit_statuses holds an unknown state");
  r.fold.state = *state;
  r.fold.description = q.getColumn(5).getString();
  r.fold.target_url = q.getColumn(6).isNull() ? "" : q.getColumn(6).getString();
  r.fold.event_id = q.getColumn(7).getInt64();
  r.fold.event_time_ms = q.getColumn(8).getInt64();
  r.updated_at = q.getColumn(9).getString();
  r.sync.sync_state = *sync;
  r.sync.synced_at = OptionalText(q.getColumn(11));
  r.sync.attempts = q.getColumn(12).getInt64();
  r.sync.last_error = OptionalText(q.getColumn(13));
  if (!q.getColumn(14).isNull()) r.sync.next_attempt_ms = q.getColumn(14).getInt64();
  r.sync.in_flight = q.getColumn(15).getInt() != 0;
  r.sync.synced_state = OptionalText(q.getColumn(16));
  r.sync.synced_description = OptionalText(q.getColumn(17));
  return r;
}

namespace {

void BindKey(SQLite::Statement& s, const core::StatusKey& k) {
  s.bind(1, k.route);
  s.bind(2, k.repo);
  s.bind(3, k.commit_sha);
  s.bind(4, k.context);
}

}  // namespace

std::string_view ToString(SyncState s) {
  switch (s) {
    case SyncState::kPending: return "pending";
    case SyncState::kSynced: return "synced";
    case SyncState::kFailed: return "failed";
    case SyncState::kSkipped: return "skipped";
  }
  return "pending";
}

StatusTable::StatusTable(SQLite::Database& db)
    : db_(db), load_(db, kLoad), save_(db, kSave), record_change_(db, kRecordChange) {}

std::optional<StatusRow> StatusTable::Load(const core::StatusKey& key) {
  StatementUse use(load_);
  BindKey(load_, key);
  std::optional<StatusRow> row;
  if (load_.executeStep()) row = ReadStatusRow(load_);
  return row;
}

void StatusTable::Save(const StatusRow& r) {
  StatementUse use(save_);
  BindKey(save_, r.key);
  save_.bind(5, std::string(core::ToString(r.fold.state)));
  save_.bind(6, r.fold.description);
  if (!r.fold.target_url.empty()) save_.bind(7, r.fold.target_url);
  save_.bind(8, static_cast<int64_t>(r.fold.event_id));
  save_.bind(9, core::FormatRfc3339Millis(r.fold.event_time_ms));
  save_.bind(10, static_cast<int64_t>(r.fold.event_time_ms));
  save_.bind(11, r.updated_at);
  save_.bind(12, std::string(ToString(r.sync.sync_state)));
  if (r.sync.synced_at) save_.bind(13, *r.sync.synced_at);
  save_.bind(14, static_cast<int64_t>(r.sync.attempts));
  if (r.sync.last_error) save_.bind(15, *r.sync.last_error);
  if (r.sync.next_attempt_ms) save_.bind(16, static_cast<int64_t>(*r.sync.next_attempt_ms));
  save_.bind(17, r.sync.in_flight ? 1 : 0);
  if (r.sync.synced_state) save_.bind(18, *r.sync.synced_state);
  if (r.sync.synced_description) save_.bind(19, *r.sync.synced_description);
  save_.exec();
}

void StatusTable::RecordChange(const core::StatusKey& key, const core::KeyState& state,
                               const std::string& recorded_at) {
  StatementUse use(record_change_);
  BindKey(record_change_, key);
  record_change_.bind(5, std::string(core::ToString(state.state)));
  record_change_.bind(6, state.description);
  record_change_.bind(7, static_cast<int64_t>(state.event_id));
  record_change_.bind(8, core::FormatRfc3339Millis(state.event_time_ms));
  record_change_.bind(9, recorded_at);
  record_change_.exec();
}

std::vector<StatusRow> StatusTable::All() {
  SQLite::Statement q(db_, kAll);
  std::vector<StatusRow> rows;
  while (q.executeStep()) rows.push_back(ReadStatusRow(q));
  return rows;
}

std::vector<std::string> StatusTable::HistoryDigest() {
  SQLite::Statement q(db_, kHistory);
  std::vector<std::string> out;
  while (q.executeStep()) {
    std::string line;
    for (int i = 0; i < q.getColumnCount(); ++i) {
      if (i) line += " | ";
      line += q.getColumn(i).getString();
    }
    out.push_back(std::move(line));
  }
  return out;
}

void StatusTable::Clear() {
  db_.exec("DELETE FROM commit_statuses");
  db_.exec("DELETE FROM status_changes");
}

std::vector<std::string> StatusTable::DropIndexes() {
  std::vector<std::pair<std::string, std::string>> found;
  {
    SQLite::Statement q(db_, kIndexes);
    while (q.executeStep()) found.emplace_back(q.getColumn(0).getString(), q.getColumn(1).getString());
  }
  std::vector<std::string> recreate;
  for (const auto& [name, sql] : found) {
    db_.exec("DROP INDEX \"" + name + "\"");  // names come from the schema, not from input
    recreate.push_back(sql);
  }
  return recreate;
}

void StatusTable::CreateIndexes(const std::vector<std::string>& statements) {
  for (const auto& sql : statements) db_.exec(sql);
}

ChangeReader::ChangeReader(SQLite::Database& db) : q_(db, kHistoryByEvent) {}

const ChangeRow* ChangeReader::Next() {
  if (!q_.executeStep()) return nullptr;
  row_.key = {q_.getColumn(0).getString(), q_.getColumn(1).getString(), q_.getColumn(2).getString(),
              q_.getColumn(3).getString()};
  row_.state = q_.getColumn(4).getString();
  row_.description = q_.getColumn(5).getString();
  row_.event_id = q_.getColumn(6).getInt64();
  row_.event_time = q_.getColumn(7).getString();
  row_.recorded_at = q_.getColumn(8).getString();
  return &row_;
}

}  // namespace fluxstatus::store
