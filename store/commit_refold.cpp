#include "store/commit_refold.h"

#include <limits>
#include <map>
#include <optional>
#include <stdexcept>

#include <SQLiteCpp/Statement.h>

#include "core/flux_json.h"
#include "core/fold.h"
#include "core/revision.h"
#include "core/rfc3339.h"
#include "store/fold_snapshot.h"
#include "store/commit_statuses.h"

namespace fluxstatus::store {
namespace {

constexpr const char* kCommitEvents =
    "SELECT id, received_at, body FROM event_log WHERE route = ? AND commit_sha = ? AND id > ? ORDER BY id";

// One status_history entry as text, for comparison.
struct Change {
  std::string state, description, event_time, recorded_at;
  std::int64_t event_id = 0;
  bool operator==(const Change&) const = default;
};

struct FoldedKey {
  core::KeyState state;
  std::string updated_at;
  std::vector<std::pair<core::KeyState, std::string>> history;  // each change, recorded_at
};

Change ChangeOf(const core::KeyState& s, const std::string& recorded_at) {
  return {std::string(core::ToString(s.state)), s.description, core::FormatRfc3339Millis(s.event_time_ms), recorded_at,
          s.event_id};
}

bool SameStatus(const core::KeyState& a, const core::KeyState& b) {
  return a.state == b.state && a.description == b.description && a.target_url == b.target_url;
}

// The fold itself: the commit's events in log order through the live writer's functions.
std::map<core::StatusKey, FoldedKey> FoldCommit(SQLite::Database& db, const core::RouteCatalog& routes,
                                                const std::string& route, const std::string& commit_sha,
                                                std::int64_t& events) {
  core::RouteProfile profile = routes.Find(route).value_or(core::RouteProfile{});
  profile.name = route;  // a route removed from the configuration folds as one without a provider
  // Every key starts from its state in the fold snapshot (`prune`), or from "no status"; the
  // events the snapshot stands for are not folded again (most of them are deleted).
  std::map<core::StatusKey, FoldedKey> folded;
  FoldSnapshot snapshot(db);
  for (auto& [key, seed] : snapshot.ForCommit(route, commit_sha)) {
    folded.emplace(key, FoldedKey{std::move(seed.fold), std::move(seed.updated_at), {}});
  }
  SQLite::Statement q(db, kCommitEvents);
  q.bind(1, route);
  q.bind(2, commit_sha);
  q.bind(3, static_cast<int64_t>(snapshot.ThroughEventId()));
  while (q.executeStep()) {
    ++events;
    const std::int64_t id = q.getColumn(0).getInt64();
    const std::string received_at = q.getColumn(1).getString();
    auto parsed = core::ParseFluxEvent(q.getColumn(2).getString(), std::numeric_limits<std::size_t>::max());
    if (const auto* err = std::get_if<core::ParseError>(&parsed)) {
      throw std::runtime_error("event " + std::to_string(id) + " in the log no longer parses: " + err->message);
    }
    const auto& ev = std::get<core::FluxEvent>(parsed);
    const auto derived = core::DeriveStatus(ev, core::ResolveCommit(ev), profile);
    const auto* candidate = std::get_if<core::StatusCandidate>(&derived);
    if (candidate == nullptr) continue;
    auto it = folded.find(candidate->key);
    std::optional<core::KeyState> current;
    if (it != folded.end()) current = it->second.state;
    const core::FoldResult r = core::Fold(current, *candidate, id, ev.time_ms);
    if (r.outcome == core::FoldOutcome::kStale) continue;
    if (it == folded.end()) it = folded.emplace(candidate->key, FoldedKey{}).first;
    it->second.state = r.next;
    it->second.updated_at = received_at;
    if (r.Changed()) it->second.history.emplace_back(r.next, received_at);
  }
  return folded;
}

}  // namespace

CommitRefold RefoldCommitFromLog(SQLite::Database& db, const core::RouteCatalog& routes, const std::string& route,
                                 const std::string& commit_sha) {
  CommitRefold out;
  const auto folded = FoldCommit(db, routes, route, commit_sha, out.events);
  const bool has_provider = routes.Find(route).value_or(core::RouteProfile{}).has_provider;

  StatusTable statuses(db);
  StatusChanges changes(db);
  std::map<core::StatusKey, StatusRow> rows;
  for (auto& r : statuses.ForCommit(route, commit_sha)) rows.emplace(r.key, std::move(r));
  std::map<core::StatusKey, std::vector<Change>> history;
  for (const auto& c : changes.ForCommit(route, commit_sha)) {
    history[c.key].push_back({c.state, c.description, c.event_time, c.recorded_at, c.event_id});
  }
  auto drop_history = [&](const core::StatusKey& key) { changes.DeleteKey(key); };
  for (const auto& [key, f] : folded) {
    out.keys.push_back(key);
    const auto old = rows.find(key);
    if (old == rows.end() || old->second.fold != f.state || old->second.updated_at != f.updated_at) {
      StatusRow row;
      row.key = key;
      row.fold = f.state;
      row.updated_at = f.updated_at;
      row.sync.sync_state = has_provider ? SyncState::kPending : SyncState::kSkipped;
      if (old != rows.end() && row.sync.sync_state != SyncState::kSkipped) {
        if (SameStatus(old->second.fold, f.state)) row.sync = old->second.sync;
        else row.sync.KeepHostFacts(old->second.sync);
      }
      statuses.Save(row);
      ++out.rows_changed;
    }
    std::vector<Change> wanted;
    for (const auto& [s, recorded_at] : f.history) wanted.push_back(ChangeOf(s, recorded_at));
    const auto h = history.find(key);
    if (h == history.end() ? !wanted.empty() : h->second != wanted) {
      drop_history(key);
      for (const auto& [s, recorded_at] : f.history) statuses.RecordChange(key, s, recorded_at);
    }
  }
  // Keys the log no longer yields (the route's context template or cluster changed).
  for (const auto& [key, row] : rows) {
    if (folded.count(key)) continue;
    statuses.Delete(key);
    drop_history(key);
    ++out.rows_changed;
  }
  for (const auto& [key, h] : history) {
    if (!folded.count(key) && !rows.count(key)) drop_history(key);
  }
  return out;
}

}  // namespace fluxstatus::store
