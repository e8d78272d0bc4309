#include "tests/support/flux_objects.h"

#include <algorithm>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "tests/support/fake_kube_api.h"

namespace fluxstatus::testing {
namespace {

using rapidjson::Document;
using rapidjson::Value;

std::string Revision(const std::string& sha) { return "main@sha1:" + sha; }

// Builds the item with RapidJSON's DOM (no JSON written by hand).
class Item {
 public:
  Item(const std::string& api_version, const std::string& kind, const std::string& ns, const std::string& name) {
    doc_.SetObject();
    Set(doc_, "apiVersion", api_version);
    Set(doc_, "kind", kind);
    Value meta(rapidjson::kObjectType);
    Set(meta, "name", name);
    Set(meta, "namespace", ns);
    Set(meta, "uid",
        "00000000-0000-4000-8000-" + std::string(12 - std::min<std::size_t>(12, name.size()), '0') +
            name.substr(0, 12));
    Set(meta, "resourceVersion", "1");
    meta.AddMember("generation", 1, alloc());
    doc_.AddMember("metadata", meta, alloc());
    doc_.AddMember("spec", Value(rapidjson::kObjectType), alloc());
    Value status(rapidjson::kObjectType);
    status.AddMember("observedGeneration", 1, alloc());
    status.AddMember("conditions", Value(rapidjson::kArrayType), alloc());
    doc_.AddMember("status", status, alloc());
  }

  Value& spec() { return doc_["spec"]; }
  Value& status() { return doc_["status"]; }
  Document::AllocatorType& alloc() { return doc_.GetAllocator(); }

  void Set(Value& object, const char* key, const std::string& value) {
    object.AddMember(Value(key, alloc()), Value(value.c_str(), alloc()), alloc());
  }

  void Condition(const std::string& type, const std::string& state, const std::string& reason,
                 const std::string& message, const std::string& at) {
    Value c(rapidjson::kObjectType);
    Set(c, "type", type);
    Set(c, "status", state);
    Set(c, "reason", reason);
    Set(c, "message", message);
    Set(c, "lastTransitionTime", at);
    c.AddMember("observedGeneration", 1, alloc());
    status()["conditions"].PushBack(c, alloc());
  }

  std::string Json() const {
    rapidjson::StringBuffer out;
    rapidjson::Writer<rapidjson::StringBuffer> writer(out);
    doc_.Accept(writer);
    return out.GetString();
  }

 private:
  Document doc_;
};

}  // namespace

KustomizationSpec Applied(const std::string& sha, const std::string& at, const std::string& name) {
  KustomizationSpec k;
  k.name = name;
  k.at = at;
  k.applied_sha = sha;
  return k;
}

KustomizationSpec FailedAttempt(const std::string& applied, const std::string& attempted, const std::string& reason,
                                const std::string& message, const std::string& at) {
  KustomizationSpec k = Applied(applied, at);
  k.ready = "False";
  k.reason = reason;
  k.message = message;
  k.attempted_sha = attempted;
  return k;
}

GitRepositorySpec Stored(const std::string& sha, const std::string& at) {
  GitRepositorySpec g;
  g.sha = sha;
  g.at = at;
  return g;
}

std::string KustomizationJson(const KustomizationSpec& k) {
  Item item(std::string(kKustomizeGroup) + "/v1", "Kustomization", k.namespace_, k.name);
  item.Set(item.spec(), "interval", "5m");
  item.Set(item.spec(), "path", "./apps");
  Value source(rapidjson::kObjectType);
  item.Set(source, "kind", "GitRepository");
  item.Set(source, "name", "flux-system");
  item.spec().AddMember("sourceRef", source, item.alloc());
  if (k.suspend) item.spec().AddMember("suspend", true, item.alloc());
  const std::string attempted = k.attempted_sha.empty() ? k.applied_sha : k.attempted_sha;
  if (k.reconciling) {
    item.Condition("Reconciling", "True", "ProgressingWithRetry",
                   "Building manifests for revision " + Revision(attempted), k.at);
  }
  item.Condition("Ready", k.ready, k.reason,
                 k.message.empty() ? "Applied revision: " + Revision(k.applied_sha) : k.message, k.at);
  if (!k.applied_sha.empty()) item.Set(item.status(), "lastAppliedRevision", Revision(k.applied_sha));
  if (!attempted.empty()) item.Set(item.status(), "lastAttemptedRevision", Revision(attempted));
  return item.Json();
}

std::string GitRepositoryJson(const GitRepositorySpec& g) {
  Item item(std::string(kSourceGroup) + "/v1", "GitRepository", g.namespace_, g.name);
  item.Set(item.spec(), "interval", "1m");
  item.Set(item.spec(), "url", "https://github.com/acme/app");
  Value artifact(rapidjson::kObjectType);
  item.Set(artifact, "revision", Revision(g.sha));
  item.Set(artifact, "digest", "sha256:95e386f421272710c4cedbbd8607dbbaa019d500e7a5a0b6720bc7bebefc7bf2");
  item.Set(artifact, "lastUpdateTime", g.at);
  item.status().AddMember("artifact", artifact, item.alloc());
  const std::string message = "stored artifact for revision '" + Revision(g.sha) + "'";
  item.Condition("Ready", "True", "Succeeded", message, g.at);
  item.Condition("ArtifactInStorage", "True", "Succeeded", message, g.at);
  return item.Json();
}

void ServeFluxObjects(FakeKubeApi& kube, const std::vector<KustomizationSpec>& kustomizations,
                      const std::vector<GitRepositorySpec>& repos) {
  std::vector<std::string> ks, gits;
  for (const auto& k : kustomizations) ks.push_back(KustomizationJson(k));
  for (const auto& g : repos) gits.push_back(GitRepositoryJson(g));
  kube.SetObjects(kKustomizeGroup, "v1", "kustomizations", "Kustomization", ks);
  kube.SetObjects(kSourceGroup, "v1", "gitrepositories", "GitRepository", gits);
  kube.SetObjects(kSourceGroup, "v1", "ocirepositories", "OCIRepository", {});
  kube.SetObjects(kSourceGroup, "v1", "buckets", "Bucket", {});
  kube.SetObjects(kSourceGroup, "v1", "helmcharts", "HelmChart", {});
}

}  // namespace fluxstatus::testing
