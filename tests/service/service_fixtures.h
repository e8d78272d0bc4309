// Route and settings builders shared by the in-process test files.
#pragma once

#include <string>
#include <vector>

#include "core/route_catalog.h"
#include "ingest/ingest_handler.h"
#include "tests/service/service_support.h"
#include "tests/support/wire_signatures.h"

namespace fluxstatus::service_testing {

// The key the wire samples are signed with (tests/support/wire_signatures.h).
inline constexpr const char* kSampleHmacKey = testing::kWireSampleHmacKey.data();

inline ingest::IngestRoute OpenRoute(const std::string& name) {
  ingest::IngestRoute r;
  r.name = name;
  return r;
}

inline ingest::IngestRoute HmacRoute(const std::string& name, const std::string& key) {
  ingest::IngestRoute r;
  r.name = name;
  r.hmac_key = key;
  return r;
}

inline ingest::IngestRoute BearerRoute(const std::string& name, const std::string& token) {
  ingest::IngestRoute r;
  r.name = name;
  r.bearer_token = token;
  return r;
}

// Options with these routes configured, and the writer's catalog naming the same routes (no
// provider), as Config::Catalog() would build it.
inline InProcessOptions WithRoutes(std::vector<ingest::IngestRoute> routes) {
  InProcessOptions o;
  std::vector<core::RouteProfile> profiles;
  for (const auto& r : routes) {
    core::RouteProfile p;
    p.name = r.name;
    profiles.push_back(p);
  }
  o.catalog = core::RouteCatalog(profiles);
  o.settings.routes = std::move(routes);
  return o;
}

}  // namespace fluxstatus::service_testing
