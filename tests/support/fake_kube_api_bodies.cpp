#include "tests/support/fake_kube_api_bodies.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <functional>
#include <set>
#include <stdexcept>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace fluxstatus::testing::kube {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void Field(Writer& w, const char* name, const std::string& value) {
  w.Key(name);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

std::string Done(const rapidjson::StringBuffer& out) { return {out.GetString(), out.GetSize()}; }

// Kubernetes' version priority, roughly: GA before beta before alpha, newer first.
bool PreferredFirst(const std::string& a, const std::string& b) {
  const auto rank = [](const std::string& v) {
    return v.find("alpha") != std::string::npos ? 2 : v.find("beta") != std::string::npos ? 1 : 0;
  };
  return rank(a) != rank(b) ? rank(a) < rank(b) : a > b;
}

std::map<std::string, std::vector<std::string>> VersionsByGroup(const std::map<std::string, Resource>& resources) {
  std::map<std::string, std::set<std::string>> sets;
  for (const auto& [key, r] : resources) {
    if (!r.group.empty()) sets[r.group].insert(r.version);
  }
  std::map<std::string, std::vector<std::string>> out;
  for (auto& [group, versions] : sets) {
    auto& list = out[group];
    list.assign(versions.begin(), versions.end());
    std::sort(list.begin(), list.end(), PreferredFirst);
  }
  return out;
}

// An APIGroup; inside an APIGroupList without kind and apiVersion.
void GroupObject(Writer& w, const std::string& group, const std::vector<std::string>& versions, bool alone = false) {
  const auto version = [&](const std::string& v) {
    w.StartObject();
    Field(w, "groupVersion", group + "/" + v);
    Field(w, "version", v);
    w.EndObject();
  };
  w.StartObject();
  if (alone) {
    Field(w, "kind", "APIGroup");
    Field(w, "apiVersion", "v1");
  }
  Field(w, "name", group);
  w.Key("versions");
  w.StartArray();
  for (const auto& v : versions) version(v);
  w.EndArray();
  w.Key("preferredVersion");
  version(versions.front());
  w.EndObject();
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecoded(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 && HexValue(text[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

std::string StatusBody(int code, const std::string& reason, const std::string& message,
                       const std::string& details_group, const std::string& details_kind,
                       const std::string& details_name) {
  rapidjson::StringBuffer out;
  Writer w(out);
  w.StartObject();
  Field(w, "kind", "Status");
  Field(w, "apiVersion", "v1");
  w.Key("metadata");
  w.StartObject();
  w.EndObject();
  Field(w, "status", "Failure");
  Field(w, "message", message);
  Field(w, "reason", reason);
  if (!details_kind.empty()) {
    w.Key("details");
    w.StartObject();
    if (!details_name.empty()) Field(w, "name", details_name);
    Field(w, "group", details_group);
    Field(w, "kind", details_kind);
    w.EndObject();
  }
  w.Key("code");
  w.Int(code);
  w.EndObject();
  return Done(out);
}

std::string ListBody(const Resource& resource, const std::vector<const Object*>& objects, std::size_t begin,
                     std::size_t end, std::int64_t resource_version, const std::string& continue_token) {
  rapidjson::StringBuffer out;
  Writer w(out);
  w.StartObject();
  Field(w, "apiVersion", resource.GroupVersion());
  Field(w, "kind", resource.kind + "List");
  w.Key("metadata");
  w.StartObject();
  Field(w, "resourceVersion", std::to_string(resource_version));
  if (!continue_token.empty()) {
    Field(w, "continue", continue_token);
    w.Key("remainingItemCount");
    w.Int64(static_cast<std::int64_t>(objects.size() - end));
  }
  w.EndObject();
  w.Key("items");
  w.StartArray();
  for (std::size_t i = begin; i < end; ++i) {
    const std::string& json = objects[i]->json;
    w.RawValue(json.data(), json.size(), rapidjson::kObjectType);
  }
  w.EndArray();
  w.EndObject();
  return Done(out);
}

std::string ApiVersionsBody() {
  rapidjson::StringBuffer out;
  Writer w(out);
  w.StartObject();
  Field(w, "kind", "APIVersions");
  w.Key("versions");
  w.StartArray();
  w.String("v1");
  w.EndArray();
  w.Key("serverAddressByClientCIDRs");
  w.StartArray();
  w.EndArray();
  w.EndObject();
  return Done(out);
}

std::string CoreResourceListBody() {
  rapidjson::StringBuffer out;
  Writer w(out);
  w.StartObject();
  Field(w, "kind", "APIResourceList");
  Field(w, "groupVersion", "v1");
  w.Key("resources");
  w.StartArray();
  w.StartObject();
  Field(w, "name", "namespaces");
  Field(w, "singularName", "namespace");
  w.Key("namespaced");
  w.Bool(false);
  Field(w, "kind", "Namespace");
  w.Key("verbs");
  w.StartArray();
  w.String("get");
  w.EndArray();
  w.EndObject();
  w.EndArray();
  w.EndObject();
  return Done(out);
}

std::string NamespaceBody(const std::string& name) {
  rapidjson::StringBuffer out;
  Writer w(out);
  w.StartObject();
  Field(w, "apiVersion", "v1");
  Field(w, "kind", "Namespace");
  w.Key("metadata");
  w.StartObject();
  Field(w, "name", name);
  w.EndObject();
  w.Key("status");
  w.StartObject();
  Field(w, "phase", "Active");
  w.EndObject();
  w.EndObject();
  return Done(out);
}

std::string GroupListBody(const std::map<std::string, Resource>& resources) {
  rapidjson::StringBuffer out;
  Writer w(out);
  w.StartObject();
  Field(w, "kind", "APIGroupList");
  Field(w, "apiVersion", "v1");
  w.Key("groups");
  w.StartArray();
  for (const auto& [group, versions] : VersionsByGroup(resources)) GroupObject(w, group, versions);
  w.EndArray();
  w.EndObject();
  return Done(out);
}

std::string GroupBody(const std::map<std::string, Resource>& resources, const std::string& group) {
  const auto groups = VersionsByGroup(resources);
  const auto it = groups.find(group);
  if (it == groups.end()) return {};
  rapidjson::StringBuffer out;
  Writer w(out);
  GroupObject(w, group, it->second, true);
  return Done(out);
}

std::string ResourceListBody(const std::map<std::string, Resource>& resources, const std::string& group_version) {
  rapidjson::StringBuffer out;
  Writer w(out);
  bool found = false;
  w.StartObject();
  Field(w, "kind", "APIResourceList");
  Field(w, "apiVersion", "v1");
  Field(w, "groupVersion", group_version);
  w.Key("resources");
  w.StartArray();
  for (const auto& [key, r] : resources) {
    if (r.GroupVersion() != group_version) continue;
    found = true;
    w.StartObject();
    Field(w, "name", r.plural);
    Field(w, "singularName", Lower(r.kind));
    w.Key("namespaced");
    w.Bool(true);
    Field(w, "kind", r.kind);
    w.Key("verbs");
    w.StartArray();
    for (const char* verb : {"get", "list", "watch"}) w.String(verb);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return found ? Done(out) : std::string();
}

Target ParseTarget(const std::string& target) {
  Target out;
  const auto question = target.find('?');
  out.path = target.substr(0, question);
  if (question == std::string::npos) return out;
  std::size_t start = question + 1;
  while (start <= target.size()) {
    auto end = target.find('&', start);
    if (end == std::string::npos) end = target.size();
    const std::string pair = target.substr(start, end - start);
    const auto equals = pair.find('=');
    if (!pair.empty()) {
      out.query[PercentDecoded(pair.substr(0, equals))] =
          equals == std::string::npos ? std::string() : PercentDecoded(pair.substr(equals + 1));
    }
    start = end + 1;
  }
  return out;
}

Object ParseObject(const std::string& json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject()) throw std::invalid_argument("FakeKubeApi: an item is not a JSON object");
  const auto metadata = doc.FindMember("metadata");
  if (metadata == doc.MemberEnd() || !metadata->value.IsObject()) {
    throw std::invalid_argument("FakeKubeApi: an item has no metadata");
  }
  const auto text = [&](const char* key) {
    const auto it = metadata->value.FindMember(key);
    return it != metadata->value.MemberEnd() && it->value.IsString() ? std::string(it->value.GetString())
                                                                     : std::string();
  };
  Object object{text("namespace"), text("name"), json};
  if (object.name.empty()) throw std::invalid_argument("FakeKubeApi: an item has no metadata.name");
  return object;
}

}  // namespace fluxstatus::testing::kube

namespace fluxstatus::testing {

std::string KubeObjectJson(const std::string& api_version, const std::string& kind, const std::string& ns,
                           const std::string& name) {
  const std::size_t hash = std::hash<std::string>{}(ns + "/" + name);
  char uid[40];
  std::snprintf(uid, sizeof uid, "%08zx-0000-4000-8000-%012zx", hash & 0xffffffffu, hash & 0xffffffffffffu);
  rapidjson::StringBuffer out;
  kube::Writer w(out);
  w.StartObject();
  kube::Field(w, "apiVersion", api_version);
  kube::Field(w, "kind", kind);
  w.Key("metadata");
  w.StartObject();
  kube::Field(w, "name", name);
  kube::Field(w, "namespace", ns);
  kube::Field(w, "uid", uid);
  kube::Field(w, "resourceVersion", std::to_string(hash % 100000 + 1));
  w.Key("generation");
  w.Int(1);
  kube::Field(w, "creationTimestamp", "2026-01-01T00:00:00Z");
  w.EndObject();
  w.EndObject();
  return kube::Done(out);
}

std::vector<std::string> KubeListItems(const std::string& list_json) {
  rapidjson::Document doc;
  doc.Parse(list_json.data(), list_json.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("items") || !doc["items"].IsArray()) {
    throw std::invalid_argument("KubeListItems: not a List (an object with an items array)");
  }
  std::vector<std::string> items;
  for (const auto& item : doc["items"].GetArray()) {
    rapidjson::StringBuffer out;
    kube::Writer w(out);
    item.Accept(w);
    items.push_back(kube::Done(out));
  }
  return items;
}

}  // namespace fluxstatus::testing
