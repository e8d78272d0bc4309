#include "store/aggregate_refresh.h"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

namespace fluxstatus::store {
namespace {

// The aggregate a derived row belongs to (FoldAggregates derives rows only for configured ones).
const core::FleetAggregate& AggregateOf(const core::RouteCatalog& routes, const core::StatusKey& key) {
  for (const auto& a : routes.aggregates()) {
    if (a.route == key.route && a.Context() == key.context) return a;
  }
  throw std::logic_error("no aggregate posts " + key.context + " through route " + key.route);
}

SinkRow AggregateRow(const core::AggregateState& fresh, const core::FleetAggregate& aggregate, const SinkRow* before,
                     bool has_sink) {
  SinkRow row;
  row.sink = core::Sink::kAggregate;
  row.name = aggregate.name;
  row.key = fresh.key;
  row.fold = fresh.fold;
  row.sync = core::SyncAfterRefold(before, fresh.fold, has_sink);
  row.members_ready = static_cast<std::int64_t>(fresh.members_ready);
  row.members_total = static_cast<std::int64_t>(fresh.members_total);
  return row;
}

bool SameRow(const SinkRow& stored, const core::AggregateState& fresh) {
  return stored.fold == fresh.fold && stored.members_ready == static_cast<std::int64_t>(fresh.members_ready) &&
         stored.members_total == static_cast<std::int64_t>(fresh.members_total);
}

}  // namespace

std::int64_t RefreshAggregates(CommitStatuses& statuses, SinkTargets& sinks, const core::RouteCatalog& routes,
                               const std::string& route, const std::string& commit_sha) {
  const auto over = routes.AggregatesOver(route);
  if (over.empty()) return 0;
  std::vector<core::FleetAggregate> aggregates;
  std::set<std::string> members;
  for (const auto* a : over) {
    aggregates.push_back(*a);
    members.insert(a->members.begin(), a->members.end());
  }
  core::KeyStates keys;
  for (const auto& member : members) {
    for (auto& row : statuses.ForCommit(member, commit_sha)) keys.emplace(std::move(row.key), std::move(row.fold));
  }
  std::int64_t saved = 0;
  std::set<core::StatusKey> derived;
  for (const auto& fresh : core::FoldAggregates(aggregates, keys)) {
    derived.insert(fresh.key);
    const auto before = sinks.Load(core::Sink::kAggregate, fresh.key);
    if (before && SameRow(*before, fresh)) continue;
    const auto& aggregate = AggregateOf(routes, fresh.key);
    sinks.Save(AggregateRow(fresh, aggregate, before ? &*before : nullptr, routes.AggregateHasSink(aggregate)));
    ++saved;
  }
  // A row no member counts any more (a re-fold under another configuration).
  for (const auto& row : sinks.ForCommit(core::Sink::kAggregate, commit_sha)) {
    const bool refreshed_here = std::any_of(aggregates.begin(), aggregates.end(), [&](const auto& a) {
      return a.route == row.key.route && a.Context() == row.key.context;
    });
    if (!refreshed_here || derived.count(row.key)) continue;
    sinks.Delete(core::Sink::kAggregate, row.key);
    ++saved;
  }
  return saved;
}

std::int64_t ReplaceAggregates(SinkTargets& sinks, const core::RouteCatalog& routes,
                               const std::vector<core::AggregateState>& fresh) {
  std::map<core::StatusKey, SinkRow> before;
  for (auto& row : sinks.All(core::Sink::kAggregate)) before.emplace(row.key, std::move(row));
  sinks.Clear(core::Sink::kAggregate);
  for (const auto& state : fresh) {
    const auto old = before.find(state.key);
    const auto& aggregate = AggregateOf(routes, state.key);
    sinks.Save(AggregateRow(state, aggregate, old == before.end() ? nullptr : &old->second,
                            routes.AggregateHasSink(aggregate)));
  }
  return static_cast<std::int64_t>(fresh.size());
}

}  // namespace fluxstatus::store
