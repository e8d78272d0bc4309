#include "core/resync_event.h"

#include "core/compact_json.h"
#include "core/fold.h"
#include "core/rfc3339.h"

namespace fluxstatus::core {
namespace {

// The reason to send: Ready's, unless DeriveStatus would read another state from it.
std::string EventReason(const ObservedStatus& s) {
  switch (s.state) {
    case StatusState::kPending: return IsProgressReason(s.reason) ? s.reason : "Progressing";
    case StatusState::kSuccess:
      if (s.reason.empty() || IsProgressReason(s.reason)) return "ReconciliationSucceeded";
      return s.reason;
    case StatusState::kFailure:
    case StatusState::kError: return s.reason.empty() ? "ReconciliationFailed" : s.reason;
  }
  return s.reason;
}

void WriteInvolvedObject(cereal::JSONOutputArchive& ar, const InvolvedObject& o) {
  ar.setNextName("involvedObject");
  ar.startNode();
  ar(cereal::make_nvp("kind", o.kind));
  if (!o.namespace_.empty()) ar(cereal::make_nvp("namespace", o.namespace_));
  ar(cereal::make_nvp("name", o.name));
  if (!o.uid.empty()) ar(cereal::make_nvp("uid", o.uid));
  if (!o.api_version.empty()) ar(cereal::make_nvp("apiVersion", o.api_version));
  ar.finishNode();
}

// std::map iterates in key order, which is also Go's (and Flux's) order for map keys.
void WriteMetadata(cereal::JSONOutputArchive& ar, const std::map<std::string, std::string>& metadata) {
  if (metadata.empty()) return;
  ar.setNextName("metadata");
  ar.startNode();
  for (const auto& [key, value] : metadata) ar(cereal::make_nvp(key.c_str(), value));
  ar.finishNode();
}

}  // namespace

FluxEvent ResyncEvent(const ObservedStatus& s) {
  FluxEvent e;
  e.object = s.object;
  e.severity = s.state == StatusState::kFailure || s.state == StatusState::kError ? "error" : "info";
  e.timestamp = s.time.empty() ? FormatRfc3339Seconds(s.time_ms) : s.time;
  e.time_ms = s.time_ms;
  e.message = s.message;
  e.reason = EventReason(s);
  e.metadata = s.event_metadata;  // as the controller copies them; the commit below wins
  e.metadata["commit"] = s.commit_sha;
  if (!s.revision.empty()) e.metadata["revision"] = s.revision;
  e.reporting_controller = std::string(kResyncController);
  return e;
}

std::string FluxEventBody(const FluxEvent& e) {
  return CompactJson([&](cereal::JSONOutputArchive& ar) {
    WriteInvolvedObject(ar, e.object);
    ar(cereal::make_nvp("severity", e.severity));
    ar(cereal::make_nvp("timestamp", e.timestamp));
    if (!e.message.empty()) ar(cereal::make_nvp("message", e.message));
    ar(cereal::make_nvp("reason", e.reason));
    WriteMetadata(ar, e.metadata);
    if (!e.reporting_controller.empty()) ar(cereal::make_nvp("reportingController", e.reporting_controller));
    if (!e.reporting_instance.empty()) ar(cereal::make_nvp("reportingInstance", e.reporting_instance));
  });
}

}  // namespace fluxstatus::core
