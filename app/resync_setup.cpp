#include "app/resync_setup.h"

namespace fluxstatus::app {

ingest::ClusterAccess ChooseClusterAccess(const KubernetesConfig& kubernetes, const std::string& kubeconfig_flag,
                                          const std::string& context_flag) {
  const std::string kubeconfig = kubeconfig_flag.empty() ? kubernetes.kubeconfig : kubeconfig_flag;
  const std::string context = context_flag.empty() ? kubernetes.context : context_flag;
  if (kubeconfig.empty() && context.empty() && ingest::InCluster()) return ingest::InClusterAccess();
  return ingest::KubeconfigAccess(kubeconfig, context);
}

ingest::ResyncRoutes ResyncRoutesOf(const Config& config) {
  ingest::ResyncRoutes routes{config.Catalog(), {}};
  for (const auto& rc : config.routes) routes.matches.push_back({rc.name, rc.match});
  return routes;
}

std::string ResyncRoutingProblem(const Config& config) {
  for (const auto& rc : config.routes) {
    if (!rc.match.empty()) return {};
  }
  if (config.routes.empty()) return {};
  return "no route has a `match` list, so resync files no status: statuses read from the cluster are routed "
         "like direct mode's events; add `match: [{kind: Kustomization}]` (or narrower) to the routes that should "
         "take them (" +
         config.source + ")";
}

}  // namespace fluxstatus::app
