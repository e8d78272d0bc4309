#include "store/fold_snapshot.h"

#include <stdexcept>
#include "store/statement_use.h"

namespace fluxstatus::store {
namespace {

constexpr const char* kColumns = kKeyStateColumns;
const std::string kFind = std::string("SELECT ") + kColumns +
                          " FROM fold_snapshot WHERE route = ? AND repo = ? AND commit_sha = ?"
                          " AND context = ?";
const std::string kAll = std::string("SELECT ") + kColumns + " FROM fold_snapshot";
const std::string kForCommit = kAll + " WHERE route = ? AND commit_sha = ?";
const std::string kSave =
    std::string("INSERT OR REPLACE INTO fold_snapshot (") + kColumns + ") VALUES (?,?,?,?,?,?,?,?,?,?)";
constexpr const char* kHorizon = "SELECT through_event_id, before, pruned_at FROM fold_horizon WHERE id = 1";
constexpr const char* kSetHorizon =
    "INSERT OR REPLACE INTO fold_horizon (id, through_event_id, before, pruned_at) VALUES (1,?,?,?)";
constexpr const char* kCount = "SELECT count(*) FROM fold_snapshot";

constexpr const char* kTable = "fold_snapshot";

}  // namespace

core::KeyState ReadKeyState(SQLite::Statement& q, const char* table) {
  core::KeyState k;
  auto state = core::StatusStateFromString(q.getColumn(4).getString());
  if (!state) throw std::runtime_error(std::string(table) + " holds an unknown state");
  k.state = *state;
  k.description = q.getColumn(5).getString();
  k.target_url = q.getColumn(6).isNull() ? "" : q.getColumn(6).getString();
  k.event_id = q.getColumn(7).getInt64();
  k.event_time_ms = q.getColumn(8).getInt64();
  k.updated_at = q.getColumn(9).getString();
  return k;
}

FoldSnapshot::FoldSnapshot(SQLite::Database& db) : db_(db), find_(db, kFind), save_(db, kSave) {}

std::optional<FoldHorizon> FoldSnapshot::Horizon() {
  SQLite::Statement q(db_, kHorizon);
  if (!q.executeStep()) return std::nullopt;
  return FoldHorizon{q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getString()};
}

std::int64_t FoldSnapshot::ThroughEventId() {
  const auto h = Horizon();
  return h ? h->through_event_id : 0;
}

std::optional<core::KeyState> FoldSnapshot::Find(const core::StatusKey& key) {
  StatementUse use(find_);
  BindStatusKey(find_, key);
  std::optional<core::KeyState> out;
  if (find_.executeStep()) out = ReadKeyState(find_, kTable);
  return out;
}

core::KeyStates FoldSnapshot::All() {
  SQLite::Statement q(db_, kAll);
  core::KeyStates out;
  while (q.executeStep()) out.emplace_hint(out.end(), ReadStatusKey(q), ReadKeyState(q, kTable));
  return out;
}

core::KeyStates FoldSnapshot::ForCommit(const std::string& route, const std::string& commit_sha) {
  SQLite::Statement q(db_, kForCommit);
  q.bind(1, route);
  q.bind(2, commit_sha);
  core::KeyStates out;
  while (q.executeStep()) out.emplace(ReadStatusKey(q), ReadKeyState(q, kTable));
  return out;
}

std::int64_t FoldSnapshot::Count() { return db_.execAndGet(kCount).getInt64(); }

void FoldSnapshot::Save(const core::StatusKey& key, const core::KeyState& k) {
  StatementUse use(save_);
  save_.clearBindings();
  BindStatusKey(save_, key);
  save_.bind(5, std::string(core::ToString(k.state)));
  save_.bind(6, k.description);
  if (!k.target_url.empty()) save_.bind(7, k.target_url);
  save_.bind(8, static_cast<int64_t>(k.event_id));
  save_.bind(9, static_cast<int64_t>(k.event_time_ms));
  save_.bind(10, k.updated_at);
  save_.exec();
}

void FoldSnapshot::SetHorizon(const FoldHorizon& h) {
  SQLite::Statement q(db_, kSetHorizon);
  q.bind(1, static_cast<int64_t>(h.through_event_id));
  q.bind(2, h.before);
  q.bind(3, h.pruned_at);
  q.exec();
}

}  // namespace fluxstatus::store
