#include "store/event_log.h"

#include <array>

#include <openssl/evp.h>

#include "core/rfc3339.h"
#include "store/statement_use.h"

namespace fluxstatus::store {
namespace {

constexpr const char* kInsert =
    "INSERT INTO event_log (received_at, route, kind, namespace, name, severity, reason, message,"
    " revision, commit_sha, no_commit_reason, event_time, event_time_ms, body_sha256, body, origin)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
    " ON CONFLICT (route, body_sha256) DO NOTHING";
constexpr const char* kFindDuplicate = "SELECT id FROM event_log WHERE route = ? AND body_sha256 = ?";
constexpr const char* kForEach =
    "SELECT id, route, received_at, body FROM event_log WHERE id > ? AND id <= ? ORDER BY id";
// No upper bound on id: with one SQLite would read a rowid range instead of the commit's index.
constexpr const char* kForCommit =
    "SELECT id, route, received_at, body FROM event_log WHERE route = ? AND commit_sha = ? AND id > ? ORDER BY id";
constexpr const char* kCount = "SELECT count(*) FROM event_log";

// The log prefix received before ?1: ids below the first event received at or after it.
// A prefix (not "every old event") because the snapshot stands for "every event up to id N".
constexpr const char* kPrefixEnd =
    "SELECT coalesce((SELECT min(id) FROM event_log WHERE received_at >= ?1) - 1,"
    " (SELECT max(id) FROM event_log), 0)";
// Events a current status names stay (commit_statuses.event_id references them), so the
// `events` view still explains every current status. So does the newest event: event ids are
// max(id) + 1, and a new event must never get an id the snapshot already stands for.
constexpr const char* kKeptEvents =
    "(id IN (SELECT event_id FROM commit_statuses) OR id = (SELECT max(id) FROM event_log))";
const std::string kCountPrefix =
    std::string("SELECT count(*), count(*) FILTER (WHERE ") + kKeptEvents + ") FROM event_log WHERE id <= ?1";
const std::string kDeletePrefix = std::string("DELETE FROM event_log WHERE id <= ?1 AND NOT ") + kKeptEvents;
constexpr const char* kGrantPermit = "INSERT INTO event_log_prune_permit (through_event_id) VALUES (?1)";
constexpr const char* kRevokePermit = "DELETE FROM event_log_prune_permit";
constexpr const char* kRevision = "SELECT revision FROM event_log WHERE id = ?1";
constexpr const char* kFacts =
    "SELECT kind, namespace, name, reason, message, event_time, revision FROM event_log WHERE id = ?1";

// ?1 since, ?2 until (NULL: open), ?3 route (NULL: any), ?4 commit prefix (NULL: any).
constexpr const char* kWindowEvents =
    "FROM event_log WHERE received_at >= ?1 AND (?2 IS NULL OR received_at < ?2)"
    " AND (?3 IS NULL OR route = ?3) AND (?4 IS NULL OR commit_sha LIKE ?4 || '%')";
const std::string kCountWindow = std::string("SELECT count(*), min(id), max(id) ") + kWindowEvents;
// The unary + keeps SQLite from reading the window through event_log_route_body (a scan of
// the whole log): the window is a received_at range.
const std::string kWindowCommits =
    std::string("SELECT DISTINCT +route, +commit_sha ") + kWindowEvents + " AND commit_sha IS NOT NULL ORDER BY 1, 2";

using Sha256 = std::array<unsigned char, 32>;

Sha256 HashBody(const std::string& body) {
  Sha256 out{};
  unsigned int len = 0;
  if (EVP_Digest(body.data(), body.size(), out.data(), &len, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("EVP_Digest(sha256) failed");
  }
  return out;
}

void BindWindow(SQLite::Statement& q, const ReplayWindow& w) {
  q.bind(1, core::FormatRfc3339Millis(w.since_ms));
  if (w.until_ms) q.bind(2, core::FormatRfc3339Millis(*w.until_ms));
  if (w.route) q.bind(3, *w.route);
  if (w.commit) q.bind(4, *w.commit);
}

}  // namespace

EventLog::EventLog(SQLite::Database& db) : db_(db), insert_(db, kInsert), find_duplicate_(db, kFindDuplicate) {}

std::optional<std::int64_t> EventLog::Append(const LoggedEvent& e) {
  const Sha256 hash = HashBody(e.body);
  const auto& ev = e.event;
  StatementUse use(insert_);
  insert_.bind(1, e.received_at);
  insert_.bind(2, e.route);
  insert_.bind(3, ev.object.kind);
  insert_.bind(4, ev.object.namespace_);
  insert_.bind(5, ev.object.name);
  insert_.bind(6, ev.severity);
  insert_.bind(7, ev.reason);
  insert_.bind(8, ev.message);
  if (!e.commit.revision.empty()) insert_.bind(9, e.commit.revision);
  if (e.commit.sha)
    insert_.bind(10, *e.commit.sha);
  else
    insert_.bind(11, e.commit.no_commit_reason);
  insert_.bind(12, core::FormatRfc3339Millis(ev.time_ms));
  insert_.bind(13, static_cast<int64_t>(ev.time_ms));
  insert_.bind(14, hash.data(), static_cast<int>(hash.size()));
  insert_.bind(15, e.body);
  insert_.bind(16, std::string(core::ToString(e.origin)));
  insert_.exec();
  if (db_.getChanges() == 0) return std::nullopt;
  return db_.getLastInsertRowid();
}

std::optional<std::int64_t> EventLog::DuplicateOf(const std::string& route, const std::string& body) {
  const Sha256 hash = HashBody(body);
  StatementUse use(find_duplicate_);
  find_duplicate_.bind(1, route);
  find_duplicate_.bind(2, hash.data(), static_cast<int>(hash.size()));
  if (!find_duplicate_.executeStep()) return std::nullopt;
  return find_duplicate_.getColumn(0).getInt64();
}

void EventLog::ForEach(const LogSelection& selection, const std::function<void(const LogRow&)>& fn) {
  SQLite::Statement q(db_, std::holds_alternative<LogSpan>(selection) ? kForEach : kForCommit);
  if (const auto* span = std::get_if<LogSpan>(&selection)) {
    q.bind(1, static_cast<int64_t>(span->after_id));
    q.bind(2, static_cast<int64_t>(span->through_id));
  } else {
    const auto& commit = std::get<CommitEvents>(selection);
    q.bind(1, commit.route);
    q.bind(2, commit.commit_sha);
    q.bind(3, static_cast<int64_t>(commit.after_id));
  }
  LogRow row;
  while (q.executeStep()) {
    row.id = q.getColumn(0).getInt64();
    row.route = q.getColumn(1).getString();
    row.received_at = q.getColumn(2).getString();
    row.body = q.getColumn(3).getString();
    fn(row);
  }
}

std::int64_t EventLog::Count() { return db_.execAndGet(kCount).getInt64(); }

std::int64_t EventLog::PrefixEndBefore(const std::string& cutoff) {
  SQLite::Statement q(db_, kPrefixEnd);
  q.bind(1, cutoff);
  q.executeStep();
  return q.getColumn(0).getInt64();
}

EventLog::PrefixCount EventLog::CountPrefix(std::int64_t through_id) {
  SQLite::Statement q(db_, kCountPrefix);
  q.bind(1, static_cast<int64_t>(through_id));
  q.executeStep();
  return {q.getColumn(0).getInt64(), q.getColumn(1).getInt64()};
}

std::int64_t EventLog::DeletePrefix(std::int64_t through_id) {
  SQLite::Statement grant(db_, kGrantPermit);
  grant.bind(1, static_cast<int64_t>(through_id));
  grant.exec();
  SQLite::Statement del(db_, kDeletePrefix);
  del.bind(1, static_cast<int64_t>(through_id));
  const std::int64_t deleted = del.exec();
  db_.exec(kRevokePermit);  // before the commit: no other connection ever sees a permit
  return deleted;
}

WindowEvents CountWindow(SQLite::Database& db, const ReplayWindow& window) {
  SQLite::Statement q(db, kCountWindow);
  BindWindow(q, window);
  WindowEvents out;
  if (q.executeStep()) {
    out.events = q.getColumn(0).getInt64();
    if (!q.getColumn(1).isNull()) out.first_id = q.getColumn(1).getInt64();
    if (!q.getColumn(2).isNull()) out.last_id = q.getColumn(2).getInt64();
  }
  return out;
}

std::int64_t CountWindowEvents(SQLite::Database& db, const ReplayWindow& window) {
  return CountWindow(db, window).events;
}

std::vector<WindowCommit> WindowCommits(SQLite::Database& db, const ReplayWindow& window) {
  SQLite::Statement q(db, kWindowCommits);
  BindWindow(q, window);
  std::vector<WindowCommit> out;
  while (q.executeStep()) out.push_back({q.getColumn(0).getString(), q.getColumn(1).getString()});
  return out;
}

std::optional<std::string> EventRevision(SQLite::Database& db, std::int64_t event_id) {
  SQLite::Statement q(db, kRevision);
  q.bind(1, static_cast<int64_t>(event_id));
  if (!q.executeStep() || q.getColumn(0).isNull()) return std::nullopt;
  return q.getColumn(0).getString();
}

std::optional<EventFacts> ReadEventFacts(SQLite::Database& db, std::int64_t event_id) {
  SQLite::Statement q(db, kFacts);
  q.bind(1, static_cast<int64_t>(event_id));
  if (!q.executeStep()) return std::nullopt;
  EventFacts f{q.getColumn(0).getString(),
               q.getColumn(1).getString(),
               q.getColumn(2).getString(),
               q.getColumn(3).getString(),
               q.getColumn(4).getString(),
               q.getColumn(5).getString(),
               std::nullopt};
  if (!q.getColumn(6).isNull()) f.revision = q.getColumn(6).getString();
  return f;
}

}  // namespace fluxstatus::store
