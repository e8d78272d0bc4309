// What `resync` and `serve`'s periodic resync take from the configuration: which cluster to
// read and how to log in (the `kubernetes:` block, or --kubeconfig/--context), and the routes
// that file the statuses (each route's `match`, as direct mode).
#pragma once

#include <functional>
#include <string>

#include "app/config.h"
#include "ingest/cluster_access.h"
#include "ingest/cluster_resync.h"

namespace fluxstatus::app {

// A kubeconfig (the flag, else the config's), else the pod's service account inside a pod,
// else kubectl's default kubeconfig. Throws ingest::ClusterAccessError naming the fix.
ingest::ClusterAccess ChooseClusterAccess(const KubernetesConfig& kubernetes, const std::string& kubeconfig_flag = "",
                                          const std::string& context_flag = "");

ingest::ResyncRoutes ResyncRoutesOf(const Config& config);

// Why resync would file nothing, or empty: routes are configured and none has a `match` list.
std::string ResyncRoutingProblem(const Config& config);

}  // namespace fluxstatus::app
