#include "store/derived_rows.h"

#include <map>
#include <set>

#include "core/check_run_fold.h"
#include "core/deployment_fold.h"
#include "store/aggregate_refresh.h"
#include "store/deployment_refresh.h"

namespace fluxstatus::store {
namespace {

// The row's own name: a deployment's environment, a check run's name (the context).
std::string NameOf(core::Sink sink, const core::StatusKey& key) {
  if (sink == core::Sink::kDeployment) return std::string(core::EnvironmentOfContext(key.context));
  return key.context;
}

SinkRow DerivedRow(core::Sink sink, const core::DerivedTarget& fresh, const SinkRow* before, bool has_sink) {
  SinkRow row;
  row.sink = sink;
  row.name = NameOf(sink, fresh.key);
  row.key = fresh.key;
  row.fold = fresh.fold;
  row.sync = core::SyncAfterRefold(before, fresh.fold, has_sink);
  return row;
}

}  // namespace

std::int64_t ReconcileDerivedRow(SinkTargets& sinks, const core::RouteCatalog& routes, core::Sink sink,
                                 const core::StatusKey& key, const std::optional<core::DerivedTarget>& fresh) {
  const auto before = sinks.Load(sink, key);
  if (!fresh) {
    if (!before) return 0;
    sinks.Delete(sink, key);
    return 1;
  }
  if (before && before->fold == fresh->fold) return 0;
  sinks.Save(DerivedRow(sink, *fresh, before ? &*before : nullptr, routes.PostsThrough(fresh->key.route)));
  return 1;
}

std::int64_t ReplaceDerivedRows(SinkTargets& sinks, const core::RouteCatalog& routes, core::Sink sink,
                                const std::vector<core::DerivedTarget>& fresh) {
  std::map<core::StatusKey, SinkRow> before;
  for (auto& row : sinks.All(sink)) before.emplace(row.key, std::move(row));
  sinks.Clear(sink);
  for (const auto& target : fresh) {
    const auto old = before.find(target.key);
    sinks.Save(
        DerivedRow(sink, target, old == before.end() ? nullptr : &old->second, routes.PostsThrough(target.key.route)));
  }
  return static_cast<std::int64_t>(fresh.size());
}

std::int64_t RefreshCheckRuns(CommitStatuses& statuses, SinkTargets& sinks, const core::RouteCatalog& routes,
                              const std::string& route, const std::string& commit_sha) {
  const auto profile = routes.routes().find(route);
  if (profile == routes.routes().end() || !profile->second.report_check) return 0;
  core::CommitStatusesOfRoute own;
  for (auto& row : statuses.ForCommit(route, commit_sha)) own.emplace_back(std::move(row.key), std::move(row.fold));
  std::int64_t saved = 0;
  std::set<core::StatusKey> kept;
  for (const auto& run : core::RouteCheckRuns(profile->second, own)) {
    kept.insert(run.key);
    saved += ReconcileDerivedRow(sinks, routes, core::Sink::kCheckRun, run.key, run);
  }
  // A status a re-fold dropped takes its check-run row with it.
  for (const auto& row : sinks.ForCommit(core::Sink::kCheckRun, commit_sha)) {
    if (row.key.route == route && !kept.count(row.key)) {
      saved += ReconcileDerivedRow(sinks, routes, core::Sink::kCheckRun, row.key, std::nullopt);
    }
  }
  return saved;
}

std::int64_t RefreshDerivedSinks(CommitStatuses& statuses, SinkTargets& sinks, const core::RouteCatalog& routes,
                                 const std::string& route, const std::string& commit_sha) {
  return RefreshAggregates(statuses, sinks, routes, route, commit_sha) +
         RefreshDeployments(statuses, sinks, routes, route, commit_sha) +
         RefreshCheckRuns(statuses, sinks, routes, route, commit_sha);
}

}  // namespace fluxstatus::store
