// The event stream every bench program sends: distinct Flux Kustomization events (a counter
// in the message and time), 50 Kustomizations over a stream of commits, shaped like what the
// notification-controller forwards. The same n gives the same bytes in every program, so the
// SQLite limit and the HTTP run log identical rows. Header-only.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace fluxstatus::bench {

// One Kustomization event as the notification-controller forwards it.
inline std::string KustomizationEvent(const char* name, const char* severity, const char* reason, const char* message,
                                      const char* timestamp, const char* revision) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("involvedObject");
  w.StartObject();
  w.Key("kind");
  w.String("Kustomization");
  w.Key("namespace");
  w.String("flux-system");
  w.Key("name");
  w.String(name);
  w.Key("apiVersion");
  w.String("kustomize.toolkit.fluxcd.io/v1");
  w.EndObject();
  w.Key("severity");
  w.String(severity);
  w.Key("timestamp");
  w.String(timestamp);
  w.Key("message");
  w.String(message);
  w.Key("reason");
  w.String(reason);
  w.Key("metadata");
  w.StartObject();
  w.Key("revision");
  w.String(revision);
  w.EndObject();
  w.Key("reportingController");
  w.String("kustomize-controller");
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

// Event n (any n >= 0): a new commit every 1000 events, so about 20 events per status key,
// one in ten a health-check failure.
inline std::string EventBody(std::uint64_t n) {
  char name[32], time[32], message[64], revision[64];
  std::snprintf(name, sizeof name, "app-%02u", static_cast<unsigned>(n % 50));
  const std::uint64_t t = 1795000000 + n;  // one event per second of event time
  std::snprintf(time, sizeof time, "2026-11-24T%02u:%02u:%02uZ", static_cast<unsigned>(t / 3600 % 24),
                static_cast<unsigned>(t / 60 % 60), static_cast<unsigned>(t % 60));
  std::snprintf(message, sizeof message, "Reconciliation finished in %llums, next run in 10m",
                static_cast<unsigned long long>(n));
  const unsigned commit = static_cast<unsigned>(n / 1000);
  std::snprintf(revision, sizeof revision, "main@sha1:%08x%08x%08x%08x%08x", commit, commit, commit, commit, commit);
  const bool failed = n % 10 == 3;
  return KustomizationEvent(name, failed ? "error" : "info", failed ? "HealthCheckFailed" : "ReconciliationSucceeded",
                            message, time, revision);
}

}  // namespace fluxstatus::bench
