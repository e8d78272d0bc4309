#include "store/commit_refold.h"

#include <map>
#include <optional>

#include "core/sync_state.h"
#include "store/commit_statuses.h"
#include "store/derived_rows.h"
#include "store/event_log.h"
#include "store/fold_snapshot.h"
#include "store/log_fold.h"
#include "store/status_changes.h"

namespace fluxstatus::store {
namespace {

// What the fold leaves for the commit: each key's state and the changes it went through.
struct FoldedCommit {
  core::KeyStates keys;
  std::map<core::StatusKey, std::vector<core::KeyState>> changes;
};

// The fold itself: the commit's events through the one fold driver. Every key starts from its
// state in the fold snapshot (`prune`), or from "no status"; the events the snapshot stands for
// are not folded again (most of them are deleted).
FoldedCommit FoldCommit(SQLite::Database& db, LogFolder& folder, const std::string& route,
                        const std::string& commit_sha, std::int64_t& events) {
  FoldedCommit out;
  FoldSnapshot snapshot(db);
  out.keys = snapshot.ForCommit(route, commit_sha);
  EventLog log(db);
  events += folder.FoldRange(log, out.keys, CommitEvents{route, commit_sha, snapshot.ThroughEventId()},
                             [&](const AppliedEvent& a) {
                               if (core::IsChange(a.outcome)) out.changes[a.key].push_back(a.now);
                             });
  return out;
}

}  // namespace

CommitRefold RefoldCommitFromLog(SQLite::Database& db, const core::RouteCatalog& routes, const std::string& route,
                                 const std::string& commit_sha) {
  CommitRefold out;
  LogFolder folder(routes);
  const FoldedCommit folded = FoldCommit(db, folder, route, commit_sha, out.events);
  const bool has_sink = folder.ProfileFor(route).PostsStatuses();

  CommitStatuses statuses(db);
  StatusChanges change_log(db);
  std::map<core::StatusKey, StatusRow> rows;
  for (auto& r : statuses.ForCommit(route, commit_sha)) rows.emplace(r.key, std::move(r));
  std::map<core::StatusKey, std::vector<ChangeRow>> history;
  for (auto& c : change_log.ForCommit(route, commit_sha)) history[c.key].push_back(std::move(c));

  for (const auto& [key, f] : folded.keys) {
    out.keys.push_back(key);
    const auto old = rows.find(key);
    if (old == rows.end() || old->second.fold != f) {
      const core::KeySync* before = old == rows.end() ? nullptr : &old->second;
      statuses.Save({{f, core::SyncAfterRefold(before, f, has_sink)}, key});
      ++out.rows_changed;
    }
    const auto changes = folded.changes.find(key);
    std::vector<ChangeRow> wanted;
    if (changes != folded.changes.end()) {
      for (const auto& c : changes->second) wanted.push_back(HistoryEntry(key, c));
    }
    const auto h = history.find(key);
    if (h == history.end() ? !wanted.empty() : h->second != wanted) {
      change_log.DeleteKey(key);
      if (changes != folded.changes.end()) {
        for (const auto& c : changes->second) change_log.Record(key, c);
      }
    }
  }
  // Keys the log no longer yields (the route's context template or cluster changed).
  for (const auto& [key, row] : rows) {
    if (folded.keys.count(key)) continue;
    statuses.Delete(key);
    change_log.DeleteKey(key);
    ++out.rows_changed;
  }
  for (const auto& [key, h] : history) {
    if (!folded.keys.count(key) && !rows.count(key)) change_log.DeleteKey(key);
  }
  SinkTargets sinks(db);
  out.rows_changed += RefreshDerivedSinks(statuses, sinks, routes, route, commit_sha);
  for (const auto sink : core::kDerivedSinks) {
    for (const auto& row : sinks.ForCommit(sink, commit_sha)) {
      if (row.key.route == route) out.sink_keys.push_back({sink, row.key});
    }
  }
  return out;
}

}  // namespace fluxstatus::store
