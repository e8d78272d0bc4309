// Shared setup for the store tests: a fresh SQLite file in its own temp dir, and Flux event
// bodies built as JSON text (the store logs raw bytes, so tests hand it real JSON).
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <boost/test/unit_test.hpp>

#include "core/flux_json.h"
#include "core/rfc3339.h"
#include "core/route_catalog.h"
#include "store/database.h"
#include "store/event_store.h"
#include "store/sink_targets.h"
#include "tests/support/files.h"
#include "tests/support/flux_event_json.h"
#include "tests/support/sql.h"
#include "tests/support/temp_dir.h"

namespace fluxstatus::store::testing {

using fluxstatus::testing::QueryInt;
using fluxstatus::testing::QueryRows;
using fluxstatus::testing::QueryText;
using fluxstatus::testing::Row;
using fluxstatus::testing::TempDir;

inline const std::string kShaA = "69fdd6276a37f5e42af7f0405a21703b605543d0";
inline const std::string kShaB = "566a44a3b3bcd2b692af3477a4bd1d05ae1872ac";
inline const std::string kShaC = "c7918bd9173053b2d28e0b96d9492f9e3aec130d";

// 2026-11-24T09:00:00Z: the base of generated timestamps.
inline constexpr std::int64_t kBaseMs = 1795510800000;

// What one generated event says; every field lands in the JSON body.
struct EventSpec {
  std::string kind = "Kustomization";
  std::string name = "apps";
  std::string namespace_ = "flux-system";
  std::string severity = "info";
  std::string reason = "ReconciliationSucceeded";
  std::string message = "Reconciliation finished in 1.8s, next run in 10m0s";
  std::int64_t time_ms = kBaseMs;
  std::string revision = "main@sha1:" + kShaA;  // empty: no metadata at all
  std::string extra_metadata;                   // e.g. a unique token, so bodies differ
};

// The body in Flux's wire shape (compact, like Go's encoder).
inline std::string EventJson(const EventSpec& s) {
  fluxstatus::testing::FluxEventSpec spec;
  spec.kind = s.kind;
  spec.namespace_ = s.namespace_;
  spec.name = s.name;
  spec.uid = "44786c6a-a31c-474a-aa3c-2f55a52aefd9";
  spec.api_version = s.kind == "GitRepository" ? "source.toolkit.fluxcd.io/v1" : "kustomize.toolkit.fluxcd.io/v1";
  spec.severity = s.severity;
  spec.timestamp = core::FormatRfc3339Millis(s.time_ms);
  spec.message = s.message;
  spec.reason = s.reason;
  spec.revision = s.revision;
  spec.token = s.extra_metadata;
  return fluxstatus::testing::FluxEventJson(spec);
}

// An accepted event as ingest/serve would hand it to the store: parsed from its raw body.
inline IncomingEvent Incoming(const std::string& route, const std::string& body,
                              std::int64_t received_at_ms = kBaseMs) {
  auto parsed = core::ParseFluxEvent(body);
  if (const auto* err = std::get_if<core::ParseError>(&parsed)) {
    throw std::runtime_error("test event does not parse: " + err->message + "\n" + body);
  }
  return IncomingEvent{route, core::FormatRfc3339Millis(received_at_ms), body, std::get<core::FluxEvent>(parsed)};
}

inline IncomingEvent Incoming(const std::string& route, const EventSpec& spec, std::int64_t received_at_ms = kBaseMs) {
  return Incoming(route, EventJson(spec), received_at_ms);
}

// A dispatch step's record for a derived sink's row (a deployment, a check run): `result`,
// and the host's object id it learnt (nullopt: none; "": forgotten).
inline DeliveryRecord SinkRecord(const SinkRow& row, core::DeliveryResult result, std::optional<std::string> id) {
  DeliveryRecord r;
  r.key = row.key;
  r.sink = row.sink;
  r.sent_event_id = row.fold.event_id;
  r.sent_state = std::string(core::ToString(row.fold.state));
  r.sent_description = row.fold.description;
  r.result = result;
  r.host_object_id = std::move(id);
  r.at_ms = kBaseMs + 60000;
  return r;
}

inline core::RouteProfile Profile(const std::string& name, bool has_provider, const std::string& repo = "") {
  core::RouteProfile p;
  p.name = name;
  p.repo = repo;
  p.has_provider = has_provider;
  return p;
}

// A fresh database file, opened for writing (so fully migrated), in its own temp dir.
struct StoreFixture {
  TempDir dir;
  std::string db_path = dir.File("fluxstatus.db");
  std::unique_ptr<SQLite::Database> db = OpenForWriting(db_path);

  std::int64_t Count(const std::string& view_and_where) {
    return QueryInt(*db, "SELECT count(*) FROM " + view_and_where);
  }
};

}  // namespace fluxstatus::store::testing
