// What the Kubernetes client's tests share: filling the test API server with Kustomizations,
// reading the names out of the pages a List returned, setting environment variables for one
// test, and editing a kubeconfig the test server wrote.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <rapidjson/document.h>
#include <yaml-cpp/yaml.h>

#include "ingest/kube_client.h"
#include "tests/support/scoped_env.h"
#include "tests/support/fake_kube_api.h"
#include "tests/support/files.h"

namespace fluxstatus::testing {

inline const ingest::ResourceType& FluxType(const std::string& kind) {
  for (const auto& type : ingest::FluxResourceTypes()) {
    if (type.kind == kind) return type;
  }
  throw std::logic_error("no Flux resource type " + kind);
}

// `count` Kustomizations "ks-00".."ks-NN" spread over namespaces "ns-a" and "ns-b".
inline void ServeKustomizations(FakeKubeApi& api, int count, const std::string& prefix = "ks-") {
  std::vector<std::string> items;
  for (int i = 0; i < count; ++i) {
    const std::string name = prefix + (i < 10 ? "0" : "") + std::to_string(i);
    items.push_back(KubeObjectJson("kustomize.toolkit.fluxcd.io/v1", "Kustomization", i % 2 ? "ns-b" : "ns-a", name));
  }
  api.SetObjects("kustomize.toolkit.fluxcd.io", "v1", "kustomizations", "Kustomization", items);
}

// A page's items' "namespace/name", and its metadata.resourceVersion.
struct PageContents {
  std::vector<std::string> names;
  std::string resource_version;
  std::string kind;
};

inline PageContents ReadPage(const std::string& page) {
  rapidjson::Document doc;
  doc.Parse(page.data(), page.size());
  PageContents out;
  if (doc.HasParseError() || !doc.IsObject()) return out;
  out.kind = doc["kind"].GetString();
  out.resource_version = doc["metadata"]["resourceVersion"].GetString();
  for (const auto& item : doc["items"].GetArray()) {
    out.names.push_back(std::string(item["metadata"]["namespace"].GetString()) + "/" +
                        item["metadata"]["name"].GetString());
  }
  return out;
}

inline std::vector<std::string> AllNames(const ingest::ListResult& result) {
  std::vector<std::string> names;
  for (const auto& page : result.pages) {
    const auto contents = ReadPage(page);
    names.insert(names.end(), contents.names.begin(), contents.names.end());
  }
  return names;
}

// KubeconfigOptions in the forms the tests use.
inline KubeconfigOptions WithContext(const std::string& name) {
  KubeconfigOptions options;
  options.context = name;
  return options;
}
inline KubeconfigOptions WithFiles() {  // CA file and tokenFile, relative to the kubeconfig
  KubeconfigOptions options;
  options.ca_as_file = true;
  options.token_as_file = true;
  return options;
}
inline KubeconfigOptions WithClientCert() {
  KubeconfigOptions options;
  options.client_cert = true;
  return options;
}

// Loads the kubeconfig at `path`, lets `edit` change it, writes it back.
template <class Edit>
void EditKubeconfig(const std::filesystem::path& path, Edit edit) {
  YAML::Node config = YAML::LoadFile(path.string());
  edit(config);
  std::ofstream(path) << YAML::Dump(config) << "\n";
}

// Access to `api` as a kubeconfig with CA data and a token would give it.
inline ingest::ClusterAccess AccessTo(const FakeKubeApi& api) {
  ingest::ClusterAccess access;
  access.server = api.BaseUrl();
  access.ca_pem = ReadFile(api.ca_file());
  access.token = api.token();
  access.source = "test access";
  return access;
}

}  // namespace fluxstatus::testing
