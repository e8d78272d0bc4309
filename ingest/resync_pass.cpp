#include "ingest/resync_pass.h"

#include <filesystem>

#include "store/commit_statuses.h"
#include "store/database.h"

namespace fluxstatus::ingest {

ResyncPass PrepareResync(const ClusterAccess& access, const ResyncRoutes& routes, const std::string& db_path,
                         const KubeClientOptions& options) {
  KubeClient client(access, options);
  const ClusterSnapshot cluster = ReadCluster(client);
  ResyncPass pass;
  pass.kinds = cluster.kinds;
  pass.requests = cluster.requests;
  std::error_code ec;
  if (!std::filesystem::exists(db_path, ec)) {  // a dry run before anything was stored: every key is new
    pass.plan = PlanResync(cluster, routes, [](const core::StatusKey&) { return std::nullopt; });
    return pass;
  }
  // Each key is judged on its own (a status written meanwhile is ordered by the fold anyway).
  auto db = store::OpenForReading(db_path);
  store::CommitStatuses statuses(*db);
  pass.plan = PlanResync(cluster, routes, [&statuses](const core::StatusKey& key) -> std::optional<core::KeyState> {
    auto row = statuses.Load(key);
    if (!row) return std::nullopt;
    return row->fold;
  });
  return pass;
}

std::string DescribeResync(const ResyncPass& pass, std::optional<std::size_t> appended) {
  using core::ResyncVerdict;
  const auto& plan = pass.plan;
  const std::string added = appended ? std::to_string(*appended) + " appended"
                                     : std::to_string(plan.Count(ResyncVerdict::kAppend)) + " would be appended";
  std::string text = std::to_string(plan.objects) + " objects, " + std::to_string(plan.entries.size()) +
                     " statuses: " + added + ", " + std::to_string(plan.Count(ResyncVerdict::kSameState)) +
                     " unchanged, " + std::to_string(plan.Count(ResyncVerdict::kNewerKnown)) +
                     " older than a logged event, " + std::to_string(plan.Count(ResyncVerdict::kPendingKept)) +
                     " pending kept back";
  if (const auto kept = plan.Count(ResyncVerdict::kResultKept); kept > 0) {
    text += ", " + std::to_string(kept) + " still applied with a logged result";
  }
  std::string skipped;
  for (const auto& [why, count] : plan.skipped) {
    skipped += (skipped.empty() ? "" : ", ") + std::to_string(count) + " " + why;
  }
  if (!skipped.empty()) text += "; skipped: " + skipped;
  if (plan.unrouted > 0) text += "; " + std::to_string(plan.unrouted) + " matched no route";
  return text;
}

}  // namespace fluxstatus::ingest
