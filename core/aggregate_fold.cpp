#include "core/aggregate_fold.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>

namespace fluxstatus::core {
namespace {

using MemberStatuses = std::map<std::string, std::vector<std::pair<const StatusKey*, const KeyState*>>>;

// One aggregate over one commit's member statuses; nullopt when no member counts any.
std::optional<AggregateState> FoldOne(const FleetAggregate& aggregate, const std::string& commit_sha,
                                      const MemberStatuses& by_member) {
  std::map<std::string, std::vector<ContextStatus>> counted;
  const KeyState* newest = nullptr;
  for (const auto& member : aggregate.members) {
    const auto found = by_member.find(member);
    if (found == by_member.end()) continue;
    for (const auto& [key, state] : found->second) {
      if (!IsCountedContext(aggregate.contexts, key->context)) continue;
      counted[member].push_back({key->context, state->state, state->description});
      if (!newest || state->event_id > newest->event_id) newest = state;
    }
  }
  if (!newest) return std::nullopt;
  const AggregateVerdict verdict = DecideAggregate(aggregate.rule, aggregate.members, aggregate.contexts, counted);
  AggregateState out;
  out.key = {aggregate.route, aggregate.repo, commit_sha, aggregate.Context()};
  out.fold.state = verdict.state;
  out.fold.description = DescribeAggregate(verdict, kAggregateDescriptionChars);
  out.fold.event_id = newest->event_id;
  out.fold.event_time_ms = newest->event_time_ms;
  out.fold.updated_at = newest->updated_at;
  out.members_ready = verdict.members_ready;
  out.members_total = verdict.members_total;
  return out;
}

}  // namespace

std::vector<AggregateState> FoldAggregates(const std::vector<FleetAggregate>& aggregates, const KeyStates& keys) {
  std::set<std::string, std::less<>> members;
  for (const auto& a : aggregates) members.insert(a.members.begin(), a.members.end());
  std::map<std::string, MemberStatuses> by_commit;
  for (const auto& [key, state] : keys) {
    if (members.count(key.route)) by_commit[key.commit_sha][key.route].emplace_back(&key, &state);
  }
  std::vector<AggregateState> out;
  for (const auto& [commit_sha, by_member] : by_commit) {
    for (const auto& aggregate : aggregates) {
      if (auto state = FoldOne(aggregate, commit_sha, by_member)) out.push_back(std::move(*state));
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  return out;
}

}  // namespace fluxstatus::core
