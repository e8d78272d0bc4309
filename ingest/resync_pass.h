// One resync from the cluster, the part `resync` and `serve` share: read every Flux object,
// then plan what to append against the database's current statuses. Appending is the caller's
// (the `resync` verb commits through its own EventStore, `serve` through its writer thread).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ingest/cluster_access.h"
#include "ingest/cluster_resync.h"
#include "ingest/cluster_snapshot.h"
#include "ingest/kube_client.h"

namespace fluxstatus::ingest {

struct ResyncPass {
  std::vector<KindListing> kinds;  // how each kind was listed
  int requests = 0;                // Kubernetes API requests
  ResyncPlan plan;
};

// Throws KubeApiError and ClusterAccessError (the cluster), and SQLite errors (the database).
ResyncPass PrepareResync(const ClusterAccess& access, const ResyncRoutes& routes, const std::string& db_path,
                         const KubeClientOptions& options = {});

// The words of a finished resync for the log and the CLI: "12 objects, 30 statuses: 2 appended,
// 27 unchanged, 1 older than a logged event, 0 pending kept back; skipped: 1 suspended".
// `appended` nullopt: a dry run ("2 would be appended").
std::string DescribeResync(const ResyncPass& pass, std::optional<std::size_t> appended);

}  // namespace fluxstatus::ingest
