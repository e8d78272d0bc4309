// The Flux event as fluxstatus understands it (fluxcd/pkg apis/event/v1beta1 Event).
// A plain value: parsed once from the raw body by flux_json.h, never re-serialised.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace fluxstatus::core {

struct InvolvedObject {
  std::string kind;
  std::string namespace_;
  std::string name;
  std::string uid;
  std::string api_version;  // e.g. "kustomize.toolkit.fluxcd.io/v1"; may be empty
};

struct FluxEvent {
  InvolvedObject object;
  std::string severity;      // "info" | "error" | "trace" (any other string is kept as-is)
  std::string timestamp;     // as received, RFC 3339
  std::int64_t time_ms = 0;  // timestamp as milliseconds since the Unix epoch (UTC)
  std::string message;
  std::string reason;
  std::map<std::string, std::string> metadata;  // keys exactly as received
  std::string reporting_controller;
  std::string reporting_instance;
};

}  // namespace fluxstatus::core
