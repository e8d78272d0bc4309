#include "store/rebuild.h"

#include <map>
#include <set>
#include <stdexcept>
#include <utility>

#include <SQLiteCpp/Statement.h>

#include "core/check_run_fold.h"
#include "core/deployment_fold.h"
#include "core/rfc3339.h"
#include "core/sync_state.h"
#include "store/aggregate_refresh.h"
#include "store/commit_statuses.h"
#include "store/database.h"
#include "store/derived_rows.h"
#include "store/event_log.h"
#include "store/fold_snapshot.h"
#include "store/log_fold.h"
#include "store/status_changes.h"

namespace fluxstatus::store {
namespace {

// A rebuild of a million events touches far more pages than SQLite's default 2 MiB cache
// holds (clearing the old tables, building the indexes). Measured at 1M events: 32 MiB 33 s
// CPU, 256 MiB 28 s but +270 MB RSS; 64 MiB is the middle. The previous size comes back after.
constexpr int kRebuildCacheKiB = 64 * 1024;

class CacheSizeForRebuild {
 public:
  explicit CacheSizeForRebuild(SQLite::Database& db) : db_(db), previous_(db.execAndGet("PRAGMA cache_size").getInt()) {
    db_.exec("PRAGMA cache_size = -" + std::to_string(kRebuildCacheKiB));
  }
  ~CacheSizeForRebuild() {
    try {
      db_.exec("PRAGMA cache_size = " + std::to_string(previous_));
    } catch (...) {  // a failed pragma must not mask the rebuild's own error
    }
  }
  CacheSizeForRebuild(const CacheSizeForRebuild&) = delete;
  CacheSizeForRebuild& operator=(const CacheSizeForRebuild&) = delete;

 private:
  SQLite::Database& db_;
  int previous_;
};

std::string KeyText(const core::StatusKey& k) {
  return "(route " + k.route + ", repo " + (k.repo.empty() ? "-" : k.repo) + ", commit " + k.commit_sha + ", context " +
         k.context + ")";
}

using Columns = std::vector<std::pair<const char*, std::string>>;

Columns StatusColumns(const core::KeyState& f) {
  return {{"state", std::string(core::ToString(f.state))},
          {"description", f.description},
          {"target_url", f.target_url},
          {"event_id", std::to_string(f.event_id)},
          {"event_time", core::FormatRfc3339Millis(f.event_time_ms)},
          {"updated_at", f.updated_at}};
}

Columns AggregateColumns(const core::KeyState& f, std::int64_t ready, std::int64_t total) {
  Columns cols = StatusColumns(f);
  cols.emplace_back("members_ready", std::to_string(ready));
  cols.emplace_back("members_total", std::to_string(total));
  return cols;
}

Columns ChangeColumns(const ChangeRow& c) {
  return {
      {"state", c.state}, {"description", c.description}, {"event_time", c.event_time}, {"recorded_at", c.recorded_at}};
}

std::string Render(const Columns& cols, const std::vector<bool>* only) {
  std::string out;
  for (std::size_t i = 0; i < cols.size(); ++i) {
    if (only && !(*only)[i]) continue;
    if (!out.empty()) out += ", ";
    out += std::string(cols[i].first) + " '" + cols[i].second + "'";
  }
  return out;
}

// Collects the differences as "- stored" / "+ fresh" line pairs naming the key and only the
// columns that differ; counts all of them, keeps the first kMaxDiffLines lines.
class Differ {
 public:
  explicit Differ(std::string table) : table_(std::move(table)) {}

  // stored or fresh may be null: a row only one side has.
  void Compare(const std::string& stored_key, const Columns* stored, const std::string& fresh_key,
               const Columns* fresh) {
    std::vector<bool> differs;
    if (stored && fresh) {
      bool any = stored_key != fresh_key;
      for (std::size_t i = 0; i < stored->size(); ++i) {
        differs.push_back((*stored)[i].second != (*fresh)[i].second);
        any = any || differs.back();
      }
      if (!any) return;
      if (stored_key != fresh_key) differs.assign(stored->size(), true);
    }
    ++count_;
    const std::vector<bool>* only = stored && fresh ? &differs : nullptr;
    if (stored)
      Add("- " + table_ + " " + stored_key + ": " + Render(*stored, only) + (fresh ? "" : " (not in a fresh fold)"));
    if (fresh)
      Add("+ " + table_ + " " + fresh_key + ": " + Render(*fresh, only) + (stored ? "" : " (missing from the table)"));
  }

  std::int64_t count() const { return count_; }
  // Moves the lines into the check's diff, as far as its limit allows.
  void AppendTo(std::vector<std::string>& diff) {
    for (auto& line : lines_) {
      if (diff.size() >= RebuildCheck::kMaxDiffLines) break;
      diff.push_back(std::move(line));
    }
  }

 private:
  void Add(std::string line) {
    if (lines_.size() < RebuildCheck::kMaxDiffLines) lines_.push_back(std::move(line));
  }
  std::string table_;
  std::int64_t count_ = 0;
  std::vector<std::string> lines_;
};

void CompareChange(Differ& d, const ChangeRow* stored, const ChangeRow* fresh) {
  auto key_of = [](const ChangeRow& c) { return "event " + std::to_string(c.event_id) + " " + KeyText(c.key); };
  Columns s, f;
  if (stored) s = ChangeColumns(*stored);
  if (fresh) f = ChangeColumns(*fresh);
  d.Compare(stored ? key_of(*stored) : "", stored ? &s : nullptr, fresh ? key_of(*fresh) : "", fresh ? &f : nullptr);
}

// The stored aggregate rows beside a fresh core::FoldAggregates, both by key.
void CompareAggregates(Differ& d, SQLite::Database& db, const std::vector<core::AggregateState>& fresh) {
  SinkTargets sinks(db);
  std::map<core::StatusKey, SinkRow> stored;
  for (auto& r : sinks.All(core::Sink::kAggregate)) stored.emplace(r.key, std::move(r));
  std::map<core::StatusKey, const core::AggregateState*> derived;
  for (const auto& a : fresh) derived.emplace(a.key, &a);
  std::set<core::StatusKey> keys;
  for (const auto& [key, row] : stored) keys.insert(key);
  for (const auto& [key, a] : derived) keys.insert(key);
  for (const auto& key : keys) {
    const auto s = stored.find(key);
    const auto f = derived.find(key);
    Columns sc, fc;
    if (s != stored.end()) sc = AggregateColumns(s->second.fold, s->second.members_ready, s->second.members_total);
    if (f != derived.end()) {
      fc = AggregateColumns(f->second->fold, static_cast<std::int64_t>(f->second->members_ready),
                            static_cast<std::int64_t>(f->second->members_total));
    }
    d.Compare(KeyText(key), s == stored.end() ? nullptr : &sc, KeyText(key), f == derived.end() ? nullptr : &fc);
  }
}

// The stored rows of a derived sink (deployments, check runs) beside a fresh fold, both by key.
void CompareDerivedRows(Differ& d, SQLite::Database& db, core::Sink sink,
                        const std::vector<core::DerivedTarget>& fresh) {
  SinkTargets sinks(db);
  std::map<core::StatusKey, Columns> stored, derived;
  for (const auto& r : sinks.All(sink)) stored.emplace(r.key, StatusColumns(r.fold));
  for (const auto& t : fresh) derived.emplace(t.key, StatusColumns(t.fold));
  std::set<core::StatusKey> keys;
  for (const auto& [key, cols] : stored) keys.insert(key);
  for (const auto& [key, cols] : derived) keys.insert(key);
  for (const auto& key : keys) {
    const auto s = stored.find(key);
    const auto f = derived.find(key);
    d.Compare(KeyText(key), s == stored.end() ? nullptr : &s->second, KeyText(key),
              f == derived.end() ? nullptr : &f->second);
  }
}

}  // namespace

RebuildReport RebuildDerivedTables(SQLite::Database& db, const core::RouteCatalog& routes) {
  CacheSizeForRebuild cache(db);
  FoldSnapshot snapshot(db);
  RebuildReport report;
  report.snapshot_through = snapshot.ThroughEventId();
  core::KeyStates keys = snapshot.All();
  report.snapshot_keys = static_cast<std::int64_t>(keys.size());

  CommitStatuses statuses(db);
  std::map<core::StatusKey, core::KeySync> before;
  for (auto& r : statuses.All()) before.emplace(std::move(r.key), std::move(r));
  // Bulk load: rows go into tables without secondary indexes, which are built once at the end.
  StatusChanges changes(db);
  std::vector<std::string> indexes = statuses.DropIndexes();
  for (auto& sql : changes.DropIndexes()) indexes.push_back(std::move(sql));
  statuses.Clear();
  changes.Clear();

  EventLog log(db);
  LogFolder folder(routes);
  report.events = folder.FoldRange(log, keys, report.snapshot_through, std::nullopt, [&](const AppliedEvent& a) {
    if (!core::IsChange(a.outcome)) return;
    changes.Record(a.key, a.now);
    ++report.changes;
  });

  // Each key as the live writer would have left it; dispatch progress survives for keys whose
  // status did not change, facts about the host for every key that is still there.
  for (const auto& [key, folded] : keys) {
    const auto old = before.find(key);
    const bool has_sink = folder.ProfileFor(key.route).PostsStatuses();
    statuses.Save(
        {{folded, core::SyncAfterRefold(old == before.end() ? nullptr : &old->second, folded, has_sink)}, key});
  }
  CreateIndexes(db, indexes);
  report.statuses = static_cast<std::int64_t>(keys.size());
  SinkTargets sinks(db);
  const auto aggregates = core::FoldAggregates(routes.aggregates(), keys);
  report.aggregates = ReplaceAggregates(sinks, routes, aggregates);
  report.deployments =
      ReplaceDerivedRows(sinks, routes, core::Sink::kDeployment, core::FoldDeployments(routes, keys, aggregates));
  report.check_runs = ReplaceDerivedRows(sinks, routes, core::Sink::kCheckRun, core::FoldCheckRuns(routes, keys));
  // Foreign keys are off for the load (EventStore::Rebuild). Every event id written came from a
  // row read above, except the snapshot's: check that those still exist (prune keeps them).
  if (report.snapshot_through > 0) {
    SQLite::Statement dangling(db, "PRAGMA foreign_key_check(commit_statuses)");
    if (dangling.executeStep()) {
      throw std::runtime_error(
          "rebuild would leave a current_status row naming an event that is not in the"
          " log (the fold snapshot and the log disagree); nothing was changed");
    }
  }
  return report;
}

RebuildCheck CheckDerivedTables(SQLite::Database& db, const core::RouteCatalog& routes) {
  Differ history("status_history"), current("current_status");
  FoldSnapshot snapshot(db);
  const std::int64_t through = snapshot.ThroughEventId();
  core::KeyStates keys = snapshot.All();

  // status_history: walk the stored rows by event beside the fresh fold's changes.
  ChangeReader reader(db);
  const ChangeRow* stored = reader.Next();
  EventLog log(db);
  LogFolder folder(routes);
  folder.FoldRange(log, keys, through, std::nullopt, [&](const AppliedEvent& a) {
    if (!core::IsChange(a.outcome)) return;
    const ChangeRow fresh = HistoryEntry(a.key, a.now);
    while (stored && stored->event_id < fresh.event_id) {
      CompareChange(history, stored, nullptr);
      stored = reader.Next();
    }
    if (stored && stored->event_id == fresh.event_id) {
      CompareChange(history, stored, &fresh);
      stored = reader.Next();
    } else {
      CompareChange(history, nullptr, &fresh);
    }
  });
  for (; stored; stored = reader.Next()) CompareChange(history, stored, nullptr);

  // current_status: both sides by key.
  CommitStatuses statuses(db);
  std::map<core::StatusKey, StatusRow> rows;
  for (auto& r : statuses.All()) rows.emplace(r.key, std::move(r));
  auto s = rows.begin();
  auto f = keys.begin();
  while (s != rows.end() || f != keys.end()) {
    const bool take_s = s != rows.end() && (f == keys.end() || s->first < f->first);
    const bool take_f = f != keys.end() && (s == rows.end() || f->first < s->first);
    Columns sc, fc;
    if (!take_f) sc = StatusColumns(s->second.fold);
    if (!take_s) fc = StatusColumns(f->second);
    current.Compare(take_f ? "" : KeyText(s->first), take_f ? nullptr : &sc, take_s ? "" : KeyText(f->first),
                    take_s ? nullptr : &fc);
    if (!take_f) ++s;
    if (!take_s) ++f;
  }
  Differ aggregates("aggregate_status"), deployments("deployments"), check_runs("check_runs");
  const auto fresh_aggregates = core::FoldAggregates(routes.aggregates(), keys);
  CompareAggregates(aggregates, db, fresh_aggregates);
  CompareDerivedRows(deployments, db, core::Sink::kDeployment, core::FoldDeployments(routes, keys, fresh_aggregates));
  CompareDerivedRows(check_runs, db, core::Sink::kCheckRun, core::FoldCheckRuns(routes, keys));
  RebuildCheck check;
  check.statuses_differing = current.count();
  check.changes_differing = history.count();
  check.aggregates_differing = aggregates.count();
  check.deployments_differing = deployments.count();
  check.check_runs_differing = check_runs.count();
  check.equal = check.statuses_differing == 0 && check.changes_differing == 0 && check.aggregates_differing == 0 &&
                check.deployments_differing == 0 && check.check_runs_differing == 0;
  current.AppendTo(check.diff);  // the statuses first: what users and hosts see
  aggregates.AppendTo(check.diff);
  deployments.AppendTo(check.diff);
  check_runs.AppendTo(check.diff);
  history.AppendTo(check.diff);
  return check;
}

}  // namespace fluxstatus::store
