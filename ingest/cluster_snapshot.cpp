#include "ingest/cluster_snapshot.h"

#include <variant>

#include "core/flux_json.h"
#include "core/flux_object_json.h"

namespace fluxstatus::ingest {
namespace {

std::string ResourceName(const ResourceType& type) { return type.plural + "." + type.group; }

void ParsePages(const ResourceType& type, const ListResult& listed, std::vector<core::FluxObject>& into,
                KindListing& kind) {
  for (const auto& page : listed.pages) {
    auto parsed = core::ParseObjectList(page);
    if (const auto* err = std::get_if<core::ParseError>(&parsed)) {
      throw KubeApiError("the list of " + ResourceName(type) + " is not a Kubernetes list: " + err->message, 200);
    }
    auto& items = std::get<core::ObjectListPage>(parsed).items;
    kind.objects += items.size();
    for (auto& item : items) into.push_back(std::move(item));
  }
}

}  // namespace

std::vector<std::string> AbsentKinds(const std::vector<KindListing>& kinds) {
  std::vector<std::string> out;
  for (const auto& k : kinds) {
    if (!k.served) out.push_back(k.kind);
  }
  return out;
}

ClusterSnapshot ReadCluster(KubeClient& client) {
  ClusterSnapshot snapshot;
  const int before = client.requests();
  for (const auto& type : FluxResourceTypes()) {
    const ListResult listed = client.List(type);
    KindListing kind{type.kind, ResourceName(type), listed.served, listed.version, 0, listed.requests, listed.restarts};
    if (listed.served) ParsePages(type, listed, snapshot.objects, kind);
    snapshot.kinds.push_back(std::move(kind));
  }
  snapshot.requests = client.requests() - before;
  return snapshot;
}

}  // namespace fluxstatus::ingest
