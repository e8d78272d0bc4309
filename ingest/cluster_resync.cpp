#include "ingest/cluster_resync.h"

#include <algorithm>
#include <variant>

#include "core/object_status.h"
#include "core/resync_event.h"
#include "core/revision.h"

namespace fluxstatus::ingest {
namespace {

// One observed status on each route that takes it.
void PlanStatus(const core::ObservedStatus& observed, const ResyncRoutes& routes, const StoredState& stored,
                ResyncPlan& plan) {
  core::FluxEvent event = core::ResyncEvent(observed);
  const std::vector<std::string> targets = core::RoutesMatching(routes.matches, event);
  if (targets.empty()) ++plan.unrouted;
  const core::CommitRef commit = core::ResolveCommit(event);
  const std::string body = core::FluxEventBody(event);
  for (const auto& route : targets) {
    const auto profile = routes.catalog.Find(route);
    if (!profile) continue;
    const core::Derivation derived = core::DeriveStatus(event, commit, *profile);
    const auto* candidate = std::get_if<core::StatusCandidate>(&derived);
    if (candidate == nullptr) continue;  // ResyncEvent always names a commit; kept for safety
    ResyncEntry entry;
    entry.key = candidate->key;
    entry.state = candidate->state;
    entry.description = candidate->description;
    entry.observed_at = event.timestamp;
    entry.verdict = core::JudgeResync(candidate->state, event.time_ms, stored(candidate->key), observed.fill_in);
    entry.event = store::IncomingEvent{route, "", body, event, core::EventOrigin::kResync};
    plan.entries.push_back(std::move(entry));
  }
}

// The sources a Kustomization or HelmRelease may point at, and the kinds that were listed (a
// reference to a missing object of a listed kind means the source does not exist).
core::SourceIndex IndexSources(const ClusterSnapshot& cluster) {
  core::SourceIndex sources;
  for (const auto& kind : cluster.kinds) {
    if (kind.served) sources.MarkListed(kind.kind);
  }
  sources.AddSources(cluster.objects);
  return sources;
}

// "no commit: revision '6.5.3' names no Git commit" -> "no commit": the summary counts kinds of
// reasons, not every object's own words.
std::string SkipKind(const std::string& why) { return why.substr(0, std::min(why.find(':'), why.find(" ("))); }

}  // namespace

std::size_t ResyncPlan::Count(core::ResyncVerdict verdict) const {
  return static_cast<std::size_t>(
      std::count_if(entries.begin(), entries.end(), [verdict](const ResyncEntry& e) { return e.verdict == verdict; }));
}

ResyncPlan PlanResync(const ClusterSnapshot& cluster, const ResyncRoutes& routes, const StoredState& stored) {
  ResyncPlan plan;
  plan.objects = cluster.objects.size();
  const core::SourceIndex sources = IndexSources(cluster);
  for (const auto& object : cluster.objects) {
    const core::Observation seen = core::ObserveObject(object, sources);
    if (!seen.skipped.empty()) {
      ++plan.skipped[SkipKind(seen.skipped)];
      plan.skipped_objects.push_back({object.kind + " " + object.namespace_ + "/" + object.name, seen.skipped});
    }
    for (const auto& status : seen.statuses) PlanStatus(status, routes, stored, plan);
  }
  return plan;
}

std::vector<store::IncomingEvent> EventsToAppend(const ResyncPlan& plan, const std::string& received_at) {
  std::vector<store::IncomingEvent> out;
  for (const auto& entry : plan.entries) {
    if (entry.verdict != core::ResyncVerdict::kAppend) continue;
    out.push_back(entry.event);
    out.back().received_at = received_at;
  }
  return out;
}

}  // namespace fluxstatus::ingest
