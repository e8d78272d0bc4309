// The JSON bodies of FakeKubeApi (fake_kube_api.h) in the real API server's shapes: Status
// errors, lists, and legacy discovery. Written with RapidJSON's Writer, which can place the
// stored objects' JSON into a list as it is (RawValue).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace fluxstatus::testing::kube {

// One served resource type and its objects (in namespace/name order).
struct Object {
  std::string namespace_name;  // empty for cluster-scoped
  std::string name;
  std::string json;
};
struct Resource {
  std::string group, version, plural, kind;
  std::vector<Object> objects;
  std::string GroupVersion() const { return group.empty() ? version : group + "/" + version; }
};

// {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":...,
//  "reason":...,["details":{["name"],"group","kind"}],"code":...}
std::string StatusBody(int code, const std::string& reason, const std::string& message,
                       const std::string& details_group = {}, const std::string& details_kind = {},
                       const std::string& details_name = {});

// A Namespace object (kubectl reads the namespace after a NotFound, to say which is missing).
std::string NamespaceBody(const std::string& name);

// A list page: {"apiVersion","kind":"<Kind>List","metadata":{"resourceVersion",["continue",
// "remainingItemCount"]},"items":[...]} with objects[begin, end).
std::string ListBody(const Resource& resource, const std::vector<const Object*>& objects, std::size_t begin,
                     std::size_t end, std::int64_t resource_version, const std::string& continue_token);

// Discovery (the legacy, non-aggregated documents kubectl falls back to).
std::string ApiVersionsBody();                                                // /api
std::string CoreResourceListBody();                                           // /api/v1: namespaces only
std::string GroupListBody(const std::map<std::string, Resource>& resources);  // /apis
std::string GroupBody(const std::map<std::string, Resource>& resources, const std::string& group);  // /apis/<g>
std::string ResourceListBody(const std::map<std::string, Resource>& resources, const std::string& group_version);

// The path and the decoded query parameters of a request target.
struct Target {
  std::string path;
  std::map<std::string, std::string> query;
};
Target ParseTarget(const std::string& target);

// metadata.namespace and metadata.name of an object, which must be a JSON object with a name;
// throws std::invalid_argument otherwise.
Object ParseObject(const std::string& json);

}  // namespace fluxstatus::testing::kube
