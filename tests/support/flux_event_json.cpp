#include "tests/support/flux_event_json.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>

namespace fluxstatus::testing {

namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void Member(JsonWriter& w, const char* name, const std::string& value) {
  w.Key(name);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

void OptionalMember(JsonWriter& w, const char* name, const std::string& value) {
  if (!value.empty()) Member(w, name, value);
}

}  // namespace

std::string FluxEventJson(const FluxEventSpec& spec) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  w.Key("involvedObject");
  w.StartObject();
  Member(w, "kind", spec.kind);
  Member(w, "namespace", spec.namespace_);
  Member(w, "name", spec.name);
  OptionalMember(w, "uid", spec.uid);
  OptionalMember(w, "apiVersion", spec.api_version);
  w.EndObject();
  Member(w, "severity", spec.severity);
  Member(w, "timestamp", spec.timestamp);
  Member(w, "message", spec.message);
  Member(w, "reason", spec.reason);
  if (!spec.revision.empty() || !spec.token.empty()) {
    w.Key("metadata");
    w.StartObject();
    OptionalMember(w, "revision", spec.revision);
    OptionalMember(w, "token", spec.token);
    w.EndObject();
  }
  OptionalMember(w, "reportingController", spec.reporting_controller);
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

std::string Sha(std::uint64_t seed) {
  const auto low = static_cast<unsigned>(seed);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%08x%032x", low * 2654435761u, low);
  return std::string(buf, 40);
}

}  // namespace fluxstatus::testing
