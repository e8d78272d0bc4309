#include "core/flux_object_json.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "core/rfc3339.h"

namespace fluxstatus::core {
namespace {

using rapidjson::Value;

constexpr std::string_view kListSuffix = "List";

// The member `name` of obj, or nullptr when it is absent or null (Go writes nil maps and
// zero times as null, and Kubernetes may too).
const Value* Find(const Value& obj, const char* name) {
  auto it = obj.FindMember(name);
  return it == obj.MemberEnd() || it->value.IsNull() ? nullptr : &it->value;
}

std::string Join(std::string_view path, std::string_view name) {
  std::string out(path);
  if (!out.empty() && !name.empty()) out += '.';
  out += name;
  return out;
}

// Reads optional fields and keeps the first shape problem, named by its path. After a problem
// every read still returns a value (empty), so a caller checks failed() once per item.
class Reader {
 public:
  std::string String(const Value& obj, std::string_view path, const char* name) {
    const Value* v = Find(obj, name);
    if (!v) return {};
    if (v->IsString()) return std::string(v->GetString(), v->GetStringLength());
    Fail(path, name, "is not a string");
    return {};
  }

  std::optional<std::int64_t> Integer(const Value& obj, std::string_view path, const char* name) {
    const Value* v = Find(obj, name);
    if (!v) return std::nullopt;
    if (v->IsInt64()) return v->GetInt64();
    Fail(path, name, "is not an integer");
    return std::nullopt;
  }

  bool Bool(const Value& obj, std::string_view path, const char* name) {
    const Value* v = Find(obj, name);
    if (!v) return false;
    if (v->IsBool()) return v->GetBool();
    Fail(path, name, "is not a boolean");
    return false;
  }

  // nullptr when absent (or mistyped, which also records the problem).
  const Value* Object(const Value& obj, std::string_view path, const char* name) {
    const Value* v = Find(obj, name);
    if (!v || v->IsObject()) return v;
    Fail(path, name, "is not an object");
    return nullptr;
  }

  const Value* Array(const Value& obj, std::string_view path, const char* name) {
    const Value* v = Find(obj, name);
    if (!v || v->IsArray()) return v;
    Fail(path, name, "is not an array");
    return nullptr;
  }

  std::map<std::string, std::string> StringMap(const Value& obj, std::string_view path, const char* name) {
    std::map<std::string, std::string> out;
    const Value* map = Object(obj, path, name);
    if (!map) return out;
    const std::string map_path = Join(path, name);
    for (const auto& m : map->GetObject()) {
      const std::string key(m.name.GetString(), m.name.GetStringLength());
      if (m.value.IsNull()) continue;
      if (!m.value.IsString()) {
        Fail(map_path, key, "is not a string");
        return out;
      }
      out.emplace(key, std::string(m.value.GetString(), m.value.GetStringLength()));
    }
    return out;
  }

  void Fail(std::string_view path, std::string_view name, std::string_view problem) {
    if (error_.empty()) error_ = Join(path, name) + " " + std::string(problem);
  }
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }

 private:
  std::string error_;
};

std::optional<ObjectRef> ReadRef(Reader& r, const Value& obj, const std::string& path, const char* name,
                                 const std::string& default_namespace) {
  const Value* ref = r.Object(obj, path, name);
  if (!ref) return std::nullopt;
  const std::string ref_path = Join(path, name);
  ObjectRef out{r.String(*ref, ref_path, "kind"), r.String(*ref, ref_path, "namespace"),
                r.String(*ref, ref_path, "name")};
  // Flux resolves a reference without a namespace in the referring object's namespace.
  if (out.namespace_.empty()) out.namespace_ = default_namespace;
  return out;
}

void ReadMetadata(Reader& r, const Value& item, const std::string& path, FluxObject& obj) {
  const Value* meta = r.Object(item, path, "metadata");
  const std::string meta_path = Join(path, "metadata");
  if (!meta) return r.Fail(meta_path, "name", "is missing");
  obj.name = r.String(*meta, meta_path, "name");
  if (obj.name.empty() && !r.failed()) r.Fail(meta_path, "name", "is missing");
  obj.namespace_ = r.String(*meta, meta_path, "namespace");
  obj.generation = r.Integer(*meta, meta_path, "generation");
  obj.creation_timestamp = r.String(*meta, meta_path, "creationTimestamp");
  if (!obj.creation_timestamp.empty()) {
    auto ms = ParseRfc3339(obj.creation_timestamp);
    if (!ms) return r.Fail(meta_path, "creationTimestamp", "is not RFC 3339");
    obj.creation_time_ms = *ms;
  }
  obj.deleting = !r.String(*meta, meta_path, "deletionTimestamp").empty();
  obj.annotations = r.StringMap(*meta, meta_path, "annotations");
}

void ReadSpec(Reader& r, const Value& item, const std::string& path, FluxObject& obj) {
  const Value* spec = r.Object(item, path, "spec");
  if (!spec) return;
  const std::string spec_path = Join(path, "spec");
  obj.suspended = r.Bool(*spec, spec_path, "suspend");
  obj.source_ref = ReadRef(r, *spec, spec_path, "sourceRef", obj.namespace_);
  obj.chart_ref = ReadRef(r, *spec, spec_path, "chartRef", obj.namespace_);
  obj.reconcile_strategy = r.String(*spec, spec_path, "reconcileStrategy");
  // A HelmChart's spec.chart is the chart's name or path; only a HelmRelease's is a template.
  if (obj.kind != "HelmRelease") return;
  const Value* chart = r.Object(*spec, spec_path, "chart");
  if (!chart) return;
  const std::string chart_path = Join(spec_path, "chart");
  const Value* template_spec = r.Object(*chart, chart_path, "spec");
  if (!template_spec) return;
  const std::string template_path = Join(chart_path, "spec");
  obj.chart_source_ref = ReadRef(r, *template_spec, template_path, "sourceRef", obj.namespace_);
  obj.reconcile_strategy = r.String(*template_spec, template_path, "reconcileStrategy");
}

void ReadConditions(Reader& r, const Value& status, const std::string& path, FluxObject& obj) {
  const Value* list = r.Array(status, path, "conditions");
  if (!list) return;
  const std::string list_path = Join(path, "conditions");
  for (rapidjson::SizeType i = 0; i < list->Size() && !r.failed(); ++i) {
    const std::string at = list_path + "[" + std::to_string(i) + "]";
    const Value& v = (*list)[i];
    if (!v.IsObject()) return r.Fail(at, "", "is not an object");
    ObjectCondition c{r.String(v, at, "type"), r.String(v, at, "status"), r.String(v, at, "reason"),
                      r.String(v, at, "message"), r.String(v, at, "lastTransitionTime")};
    if (c.type.empty() && !r.failed()) return r.Fail(at, "type", "is missing");
    if (!c.last_transition_time.empty()) {
      auto ms = ParseRfc3339(c.last_transition_time);
      if (!ms) return r.Fail(at, "lastTransitionTime", "is not RFC 3339");
      c.time_ms = *ms;
    }
    obj.conditions.push_back(std::move(c));
  }
}

void ReadArtifact(Reader& r, const Value& status, const std::string& path, FluxObject& obj) {
  const Value* artifact = r.Object(status, path, "artifact");
  if (!artifact) return;
  const std::string at = Join(path, "artifact");
  obj.artifact = SourceArtifact{r.String(*artifact, at, "revision"), r.String(*artifact, at, "digest"),
                                r.StringMap(*artifact, at, "metadata")};
}

// status.history: Helm release snapshots on a HelmRelease, applied revisions on a Kustomization.
void ReadHistory(Reader& r, const Value& status, const std::string& path, FluxObject& obj) {
  const Value* list = r.Array(status, path, "history");
  if (!list) return;
  const std::string list_path = Join(path, "history");
  for (rapidjson::SizeType i = 0; i < list->Size() && !r.failed(); ++i) {
    const std::string at = list_path + "[" + std::to_string(i) + "]";
    const Value& v = (*list)[i];
    if (!v.IsObject()) return r.Fail(at, "", "is not an object");
    if (obj.kind == "HelmRelease") {
      obj.releases.push_back({r.String(v, at, "chartName"), r.String(v, at, "chartVersion"), r.String(v, at, "status"),
                              r.String(v, at, "ociDigest"), r.Integer(v, at, "version").value_or(0)});
      continue;
    }
    const Value* meta = r.Object(v, at, "metadata");
    if (!meta) continue;
    const std::string meta_path = Join(at, "metadata");
    obj.applied_history.push_back(
        {r.String(*meta, meta_path, "revision"), r.String(*meta, meta_path, "originRevision")});
  }
}

void ReadStatus(Reader& r, const Value& item, const std::string& path, FluxObject& obj) {
  const Value* status = r.Object(item, path, "status");
  if (!status) return;
  const std::string at = Join(path, "status");
  obj.observed_generation = r.Integer(*status, at, "observedGeneration");
  ReadConditions(r, *status, at, obj);
  obj.last_applied_revision = r.String(*status, at, "lastAppliedRevision");
  obj.last_applied_origin_revision = r.String(*status, at, "lastAppliedOriginRevision");
  obj.last_attempted_revision = r.String(*status, at, "lastAttemptedRevision");
  obj.last_attempted_revision_digest = r.String(*status, at, "lastAttemptedRevisionDigest");
  obj.observed_source_artifact_revision = r.String(*status, at, "observedSourceArtifactRevision");
  obj.helm_chart = r.String(*status, at, "helmChart");
  ReadArtifact(r, *status, at, obj);
  ReadHistory(r, *status, at, obj);
}

std::string DescribeJsonError(const rapidjson::Document& doc) {
  if (doc.GetParseError() == rapidjson::kParseErrorStringInvalidEncoding) {
    return "list is not valid UTF-8 (at byte " + std::to_string(doc.GetErrorOffset()) + ")";
  }
  return "list is not valid JSON: " + std::string(rapidjson::GetParseError_En(doc.GetParseError())) + " (at byte " +
         std::to_string(doc.GetErrorOffset()) + ")";
}

// The envelope: kind, apiVersion and metadata.{continue,resourceVersion}.
void ReadEnvelope(Reader& r, const Value& doc, ObjectListPage& page) {
  const std::string kind = r.String(doc, "", "kind");
  if (r.failed()) return;
  if (kind.size() <= kListSuffix.size() || !kind.ends_with(kListSuffix)) {
    return r.Fail("", "kind", kind.empty() ? "is missing" : "\"" + kind + "\" is not a List kind");
  }
  page.item_kind = kind.substr(0, kind.size() - kListSuffix.size());
  page.api_version = r.String(doc, "", "apiVersion");
  if (const Value* meta = r.Object(doc, "", "metadata")) {
    page.continue_token = r.String(*meta, "metadata", "continue");
    page.resource_version = r.String(*meta, "metadata", "resourceVersion");
  }
}

}  // namespace

std::variant<ObjectListPage, ParseError> ParseObjectList(std::string_view body) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag>(body.data(), body.size());
  if (doc.HasParseError()) return ParseError{DescribeJsonError(doc)};
  if (!doc.IsObject()) return ParseError{"list is not a JSON object"};

  Reader r;
  ObjectListPage page;
  ReadEnvelope(r, doc, page);
  const Value* items = r.Array(doc, "", "items");
  if (r.failed()) return ParseError{r.error()};
  if (!items) return page;  // Kubernetes writes "items": [] for an empty list, but null is harmless
  page.items.reserve(items->Size());
  for (rapidjson::SizeType i = 0; i < items->Size(); ++i) {
    const std::string path = "items[" + std::to_string(i) + "]";
    const Value& item = (*items)[i];
    if (!item.IsObject()) return ParseError{path + " is not an object"};
    FluxObject obj;
    obj.kind = page.item_kind;
    obj.api_version = page.api_version;
    ReadMetadata(r, item, path, obj);
    ReadSpec(r, item, path, obj);
    ReadStatus(r, item, path, obj);
    if (r.failed()) return ParseError{r.error()};
    page.items.push_back(std::move(obj));
  }
  return page;
}

}  // namespace fluxstatus::core
