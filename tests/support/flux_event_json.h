// Test data in Flux's shapes: event documents as the notification-controller sends them, and
// commit SHAs. Every suite builds its events here (each through its own small spec type).
#pragma once

#include <cstdint>
#include <string>

namespace fluxstatus::testing {

// One Flux event document. Its members come out in Flux's order (the Go encoder's): the
// involvedObject, severity, timestamp, message, reason, metadata, reportingController. An
// empty optional field leaves its member out.
struct FluxEventSpec {
  std::string kind = "Kustomization";
  std::string namespace_ = "flux-system";
  std::string name = "apps";
  std::string uid;                                             // optional
  std::string api_version = "kustomize.toolkit.fluxcd.io/v1";  // optional
  std::string severity = "info";
  std::string timestamp = "2026-11-24T09:17:31Z";
  std::string message = "Reconciliation finished";
  std::string reason = "ReconciliationSucceeded";
  std::string revision;                                       // metadata.revision, e.g. "main@sha1:<40 hex>"; optional
  std::string token;                                          // metadata.token (e.g. to make bodies distinct); optional
  std::string reporting_controller = "kustomize-controller";  // optional
};

// The compact JSON document (written by RapidJSON).
std::string FluxEventJson(const FluxEventSpec& spec);

// A 40-hex commit SHA derived from `seed`; distinct seeds (below 2^32) give distinct SHAs, and
// neighbouring seeds differ already in their first hex digits (tests abbreviate SHAs).
std::string Sha(std::uint64_t seed);

}  // namespace fluxstatus::testing
