#include "core/flux_json.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "core/rfc3339.h"

namespace fluxstatus::core {
namespace {

using rapidjson::Value;

// Field access that turns every shape problem into a message naming the dotted path.
class FieldReader {
 public:
  explicit FieldReader(std::string prefix) : prefix_(std::move(prefix)) {}

  // Returns false and sets error_ when the field is present but not a string, or missing
  // while required (null counts as missing: Go marshals a zero time as null).
  bool String(const Value& obj, const char* name, bool required, std::string& out) {
    auto it = obj.FindMember(name);
    if (it == obj.MemberEnd() || it->value.IsNull()) {
      if (required) error_ = Path(name) + " is missing";
      return !required;
    }
    if (!it->value.IsString()) {
      error_ = Path(name) + " is not a string";
      return false;
    }
    out.assign(it->value.GetString(), it->value.GetStringLength());
    return true;
  }

  bool NonEmptyString(const Value& obj, const char* name, std::string& out) {
    if (!String(obj, name, true, out)) return false;
    if (out.empty()) {
      error_ = Path(name) + " is empty";
      return false;
    }
    return true;
  }

  std::string Path(std::string_view name) const { return prefix_ + std::string(name); }
  std::string& error() { return error_; }

 private:
  std::string prefix_;
  std::string error_;
};

std::string DescribeJsonError(const rapidjson::Document& doc) {
  if (doc.GetParseError() == rapidjson::kParseErrorStringInvalidEncoding) {
    return "body is not valid UTF-8 (at byte " + std::to_string(doc.GetErrorOffset()) + ")";
  }
  return std::string("invalid JSON at byte ") + std::to_string(doc.GetErrorOffset()) + ": " +
         rapidjson::GetParseError_En(doc.GetParseError());
}

}  // namespace

ParseResult ParseFluxEvent(std::string_view body, std::size_t max_bytes) {
  if (body.size() > max_bytes) {
    return ParseError{"event is " + std::to_string(body.size()) + " bytes, over the limit of " +
                      std::to_string(max_bytes) + " bytes"};
  }
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag>(body.data(), body.size());
  if (doc.HasParseError()) return ParseError{DescribeJsonError(doc)};
  if (!doc.IsObject()) return ParseError{"event is not a JSON object"};

  FluxEvent ev;
  FieldReader top("");
  auto obj_it = doc.FindMember("involvedObject");
  if (obj_it == doc.MemberEnd() || obj_it->value.IsNull()) {
    return ParseError{"involvedObject is missing"};
  }
  if (!obj_it->value.IsObject()) return ParseError{"involvedObject is not an object"};
  const Value& obj = obj_it->value;
  FieldReader inv("involvedObject.");
  if (!inv.NonEmptyString(obj, "kind", ev.object.kind) || !inv.NonEmptyString(obj, "name", ev.object.name) ||
      !inv.String(obj, "namespace", false, ev.object.namespace_) || !inv.String(obj, "uid", false, ev.object.uid) ||
      !inv.String(obj, "apiVersion", false, ev.object.api_version)) {
    return ParseError{inv.error()};
  }

  if (!top.NonEmptyString(doc, "severity", ev.severity)) return ParseError{top.error()};
  if (ev.severity != "info" && ev.severity != "error" && ev.severity != "trace") {
    return ParseError{"severity is \"" + ev.severity + "\", not info, error or trace"};
  }
  if (!top.String(doc, "timestamp", true, ev.timestamp)) return ParseError{top.error()};
  auto ms = ParseRfc3339(ev.timestamp);
  if (!ms) return ParseError{"timestamp is not RFC 3339"};
  ev.time_ms = *ms;
  if (!top.String(doc, "reason", true, ev.reason) || !top.String(doc, "message", false, ev.message) ||
      !top.String(doc, "reportingController", false, ev.reporting_controller) ||
      !top.String(doc, "reportingInstance", false, ev.reporting_instance)) {
    return ParseError{top.error()};
  }

  auto md = doc.FindMember("metadata");
  if (md != doc.MemberEnd() && !md->value.IsNull()) {
    if (!md->value.IsObject()) return ParseError{"metadata is not an object"};
    for (auto& m : md->value.GetObject()) {
      std::string key(m.name.GetString(), m.name.GetStringLength());
      if (!m.value.IsString()) return ParseError{"metadata." + key + " is not a string"};
      ev.metadata[key].assign(m.value.GetString(), m.value.GetStringLength());
    }
  }
  return ev;
}

}  // namespace fluxstatus::core
