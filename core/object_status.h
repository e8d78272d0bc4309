// What a Flux object in the cluster says about commits: (commit, state, Ready's reason and
// message) per ../shared/reference/flux-objects.md §3 (tables K, S, H, evaluated top-down, the
// first match wins). Pure: the caller lists the objects and decides what to append to the log.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "core/commit_status.h"
#include "core/flux_event.h"
#include "core/flux_object.h"

namespace fluxstatus::core {

// The listed sources (GitRepository, OCIRepository, Bucket, HelmChart, ExternalArtifact) by
// kind + namespace + name, so a Kustomization or HelmRelease can find its source's artifact.
class SourceIndex {
 public:
  // Keeps a copy of `source` and marks its kind as listed.
  void Add(FluxObject source);
  // Adds every object of `objects` something can point at: all but Kustomizations and
  // HelmReleases, which only point at others.
  void AddSources(const std::vector<FluxObject>& objects);
  // Marks a kind as listed even when its LIST was empty: a reference to a missing object of a
  // listed kind means "the source does not exist" (rule K6), of an unlisted kind "unknown".
  void MarkListed(const std::string& kind);

  bool WasListed(const std::string& kind) const { return listed_.contains(kind); }
  // The referenced object, or nullptr when it was not listed.
  const FluxObject* Find(const ObjectRef& ref) const;

 private:
  std::map<std::tuple<std::string, std::string, std::string>, FluxObject> sources_;
  std::set<std::string> listed_;
};

// One (commit, state) an object asks for. commit_sha is never empty.
struct ObservedStatus {
  InvolvedObject object;                      // kind, namespace_, name, api_version (uid is not read)
  std::string commit_sha;                     // lower-case hex, 40 or 64 characters
  std::string revision;                       // the revision string the commit was read from (for the event metadata)
  StatusState state = StatusState::kPending;  // kPending, kSuccess or kFailure
  // Ready's reason and message, which the description is built from. For the statuses a rule
  // adds beside Ready's (the still-applied revision's success, a not-yet-reconciled generation's
  // pending, a never-reconciled object) a reason and message of the rule's own.
  std::string reason;
  std::string message;
  std::string time;          // RFC 3339: Ready.lastTransitionTime (a never-reconciled object's creationTimestamp)
  std::int64_t time_ms = 0;  // `time` in ms since the epoch (0 with time "1970-01-01T00:00:00Z" if unknown)
  std::optional<std::int64_t> generation;  // metadata.generation, when listed
  std::string rule;                        // which row of §3 gave it: "K7", "S8", "H4", ... (dry runs and tests)
  // A status beside Ready's (the still-applied revision's success next to a newer revision's
  // failure): its time is Ready's change, which is not its own, so it may only fill a key the
  // log has no result for; it never overrides a stored success or failure.
  bool fill_in = false;
  // The object's `event.toolkit.fluxcd.io/<key>` annotations as <key>: what the controller
  // copies into every event it sends, so `{metadata.KEY}` templates give resync's events the
  // same context and target URL as the object's real ones.
  std::map<std::string, std::string> event_metadata;
};

struct Observation {
  std::vector<ObservedStatus> statuses;
  // "" when statuses is not empty; else why nothing: "suspended", "being deleted",
  // "not reconciled yet", "no commit: <why>", "no change (<why>)", "not observed: <kind>".
  std::string skipped;
};

// Applies the table of the object's kind. Kinds without a table (HelmChart, unknown kinds) give
// skipped "not observed: <kind>". A pending status (kPending) is one the caller must not let
// downgrade a stored success or failure of the same commit and context (§3 "Retry flip-flop").
Observation ObserveObject(const FluxObject& object, const SourceIndex& sources);

}  // namespace fluxstatus::core
