// What a resync appends: each status the cluster's Flux objects show (core/object_status),
// as the event Flux would have sent (core/resync_event), routed by the routes' `match` lists as
// direct mode routes, and judged against the key's stored state (core/resync_verdict). Pure
// planning: reading the cluster and appending are the caller's.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/event_source_match.h"
#include "core/fold.h"
#include "core/resync_verdict.h"
#include "core/route_catalog.h"
#include "ingest/cluster_snapshot.h"
#include "store/event_store.h"

namespace fluxstatus::ingest {

struct ResyncRoutes {
  core::RouteCatalog catalog;
  std::vector<core::RouteMatch> matches;  // each route's `match`; none configured: "default"
};

// One status an object shows, on one route.
struct ResyncEntry {
  core::StatusKey key;
  core::StatusState state = core::StatusState::kPending;
  std::string description;
  std::string observed_at;  // the Ready condition's lastTransitionTime: the event's time
  core::ResyncVerdict verdict = core::ResyncVerdict::kAppend;
  store::IncomingEvent event;  // appended when verdict is kAppend; received_at is set then
};

// An object that shows no status, and why (for `resync --dry-run`).
struct SkippedObject {
  std::string object;  // "Kustomization flux-system/apps"
  std::string why;     // "suspended", "no commit: chart version '6.5.3' comes from a HelmRepository", …
};

struct ResyncPlan {
  std::size_t objects = 0;
  std::vector<ResyncEntry> entries;
  std::map<std::string, std::size_t> skipped;  // the kind of reason an object shows no status -> how many
  std::vector<SkippedObject> skipped_objects;
  std::size_t unrouted = 0;  // statuses no route's `match` takes

  std::size_t Count(core::ResyncVerdict verdict) const;
};

// The stored folded state of a key, or nullopt (store::CommitStatuses::Load on a read connection).
using StoredState = std::function<std::optional<core::KeyState>(const core::StatusKey&)>;

ResyncPlan PlanResync(const ClusterSnapshot& cluster, const ResyncRoutes& routes, const StoredState& stored);

// The events to append (verdict kAppend), received at `received_at`, in plan order.
std::vector<store::IncomingEvent> EventsToAppend(const ResyncPlan& plan, const std::string& received_at);

}  // namespace fluxstatus::ingest
