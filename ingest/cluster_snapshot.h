// One resync's read of the cluster: every Flux object of every kind resync knows, listed
// cluster-wide through the Kubernetes API and parsed. Kinds whose CRD is absent are noted,
// not errors (a cluster without helm-controller has no HelmReleases).
#pragma once

#include <string>
#include <vector>

#include "core/flux_object.h"
#include "ingest/kube_client.h"

namespace fluxstatus::ingest {

// How one kind was listed.
struct KindListing {
  std::string kind;      // "Kustomization"
  std::string resource;  // "kustomizations.kustomize.toolkit.fluxcd.io"
  bool served = true;    // false: its CRD is absent (404)
  std::string version;   // the API version that answered
  std::size_t objects = 0;
  int requests = 0;
  int restarts = 0;  // 410 Gone restarts
};

struct ClusterSnapshot {
  std::vector<core::FluxObject> objects;  // sources first, in FluxResourceTypes() order
  std::vector<KindListing> kinds;
  int requests = 0;  // HTTP requests the read made
};

// The kinds whose CRD is absent (listed 404), in listing order.
std::vector<std::string> AbsentKinds(const std::vector<KindListing>& kinds);

// Lists and parses every kind of FluxResourceTypes(). Throws KubeApiError (an answer or page
// that is not a list names the resource) and ClusterAccessError (the token file).
ClusterSnapshot ReadCluster(KubeClient& client);

}  // namespace fluxstatus::ingest
