// A Flux object as a Kubernetes LIST returns it, reduced to the fields resync derives commit
// statuses from (../shared/reference/flux-objects.md §2). Plain values: parsed by
// flux_object_json.h, read by object_status.h. Every status field is optional in the cluster, so
// an absent field is an empty string, an empty container or nullopt here.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fluxstatus::core {

// One metav1.Condition of status.conditions.
struct ObjectCondition {
  std::string type;    // "Ready", "Reconciling", "Stalled", "ArtifactOutdated", ...
  std::string status;  // "True" | "False" | "Unknown"
  std::string reason;
  std::string message;
  std::string last_transition_time;  // RFC 3339 as listed; "" when absent
  std::int64_t time_ms = 0;          // last_transition_time in ms since the epoch; 0 when absent
};

// A reference to another object (spec.sourceRef, spec.chartRef, spec.chart.spec.sourceRef).
// The parser fills namespace_ with the referring object's namespace when the reference has none.
struct ObjectRef {
  std::string kind;
  std::string namespace_;
  std::string name;
};

// A source's status.artifact (pkg apis/meta Artifact).
struct SourceArtifact {
  std::string revision;  // "main@sha1:<hex>", "latest@sha256:<hex>", "6.0.3+4e5cbb7b97d0", ...
  std::string digest;
  std::map<std::string, std::string> metadata;  // OCI annotations, e.g. org.opencontainers.image.revision
};

// A Kustomization's status.history[] entry (Flux 2.7+): which revision a reconcile applied.
struct AppliedRevision {
  std::string revision;         // metadata.revision
  std::string origin_revision;  // metadata.originRevision, "" when absent
};

// A HelmRelease's status.history[] entry (helm-controller Snapshot), newest first.
struct HelmSnapshot {
  std::string chart_name;
  std::string chart_version;  // "6.5.3", "6.6.1+0cc9a8446c95"
  std::string status;         // Helm's: "deployed", "superseded", "failed", ...
  std::string oci_digest;     // "sha256:<hex>" for charts pulled from OCI, else ""
  std::int64_t version = 0;   // the Helm release number
};

struct FluxObject {
  std::string kind;  // from the List's kind minus "List", e.g. "Kustomization"
  std::string api_version;
  std::string namespace_;
  std::string name;
  std::string creation_timestamp;                   // metadata.creationTimestamp as listed, "" when absent
  std::int64_t creation_time_ms = 0;                // creation_timestamp in ms since the epoch; 0 when absent
  std::optional<std::int64_t> generation;           // metadata.generation
  std::optional<std::int64_t> observed_generation;  // status.observedGeneration (-1: never reconciled)
  bool deleting = false;                            // metadata.deletionTimestamp is set
  bool suspended = false;                           // spec.suspend
  std::map<std::string, std::string> annotations;
  std::vector<ObjectCondition> conditions;

  // Kustomization: spec.sourceRef. HelmChart: spec.sourceRef. HelmRelease: see chart_ref below.
  std::optional<ObjectRef> source_ref;
  // HelmRelease: spec.chartRef (OCIRepository, HelmChart or ExternalArtifact), and
  // spec.chart.spec.sourceRef (HelmRepository, GitRepository or Bucket), with spec.chart.spec's
  // reconcileStrategy ("" when not given: Flux's default is ChartVersion).
  std::optional<ObjectRef> chart_ref;
  std::optional<ObjectRef> chart_source_ref;

  // Kustomization revisions.
  std::string last_applied_revision;
  std::string last_applied_origin_revision;
  std::string last_attempted_revision;  // also HelmRelease: the chart version last attempted
  std::vector<AppliedRevision> applied_history;

  // Sources (GitRepository, OCIRepository, Bucket, HelmChart): the last stored artifact.
  std::optional<SourceArtifact> artifact;
  // HelmChart: status.observedSourceArtifactRevision and spec.reconcileStrategy ("" = ChartVersion).
  std::string observed_source_artifact_revision;
  std::string reconcile_strategy;

  // HelmRelease.
  std::string helm_chart;                      // status.helmChart, "<namespace>/<name>"
  std::string last_attempted_revision_digest;  // "sha256:<hex>" for OCI charts
  std::vector<HelmSnapshot> releases;          // status.history, newest first

  // The condition of this type, or nullptr.
  const ObjectCondition* Condition(const std::string& type) const {
    for (const auto& c : conditions) {
      if (c.type == type) return &c;
    }
    return nullptr;
  }
};

}  // namespace fluxstatus::core
