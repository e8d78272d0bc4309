// Table H of flux-objects.md §3: what a HelmRelease says about commits. A release names a chart
// version, never a commit; §2.7 (1-4) says when a version can be traced to one.
#include <algorithm>
#include <cctype>

#include "core/object_status_rules.h"

namespace fluxstatus::core::status_rules {
namespace {

// "latest@sha256:<hex>" or "sha256:<hex>" -> "sha256:<hex>" (how helm-controller records it).
std::string_view DigestOf(std::string_view revision) {
  auto at = revision.rfind('@');
  return at == std::string_view::npos ? revision : revision.substr(at + 1);
}

// The hash a chart version carries after '+': "6.0.3+4e5cbb7b97d0.3" -> "4e5cbb7b97d0" ("" if none).
std::string BuildHash(std::string_view version) {
  auto plus = version.find('+');
  if (plus == std::string_view::npos) return {};
  auto hash = version.substr(plus + 1);
  hash = hash.substr(0, hash.find('.'));
  if (!IsHexPrefix(hash)) return {};
  std::string out(hash);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

CommitRef NoCommit(std::string why) {
  CommitRef ref;
  ref.no_commit_reason = std::move(why);
  return ref;
}

std::string NameOf(const ObjectRef& ref) { return ref.kind + " '" + ref.namespace_ + "/" + ref.name + "'"; }

// A HelmRelease seen with its chart's source: C(v) of §3, following §2.7 in order.
class HelmReleaseView {
 public:
  HelmReleaseView(const FluxObject& hr, const SourceIndex& sources) : hr_(hr) {
    if (hr.chart_ref) {
      if (hr.chart_ref->kind == "OCIRepository") oci_ = sources.Find(*hr.chart_ref);
      if (hr.chart_ref->kind == "HelmChart") chart_ = sources.Find(*hr.chart_ref);
    } else if (hr.chart_source_ref) {
      chart_ = sources.Find(HelmChartRef());
    }
  }

  // C(v) for a version the release attempted: `current` when it is lastAttemptedRevision.
  CommitRef ChartCommit(const std::string& version, bool current) const {
    if (current) {
      if (CommitRef annotated = AnnotatedCommit(hr_); annotated.sha) return annotated;  // §2.7 1
    }
    if (version.empty()) return NoCommit("no chart version attempted yet");
    if (hr_.chart_ref && hr_.chart_ref->kind == "OCIRepository") return OciCommit(version, true);  // 2
    if (hr_.chart_ref && hr_.chart_ref->kind != "HelmChart") {
      return NoCommit("chartRef " + NameOf(*hr_.chart_ref) + " is not traced to a commit");
    }
    return HelmChartCommit(version);  // 3 and 4
  }

  // The commit of the chart the source offers now (H5, and H8's not-yet-reconciled generation).
  CommitRef CurrentChartCommit() const {
    if (CommitRef annotated = AnnotatedCommit(hr_); annotated.sha) return annotated;
    if (oci_) return OciCommit("", false);
    if (chart_ && chart_->artifact) return HelmChartCommit(chart_->artifact->revision);
    return NoCommit("the chart's source has no artifact listed");
  }

  // The chart version of the newest release Helm reports as deployed ("" when none).
  std::string NewestDeployedVersion() const {
    const HelmSnapshot* newest = nullptr;
    for (const auto& r : hr_.releases) {
      if (r.status == "deployed" && (!newest || r.version > newest->version)) newest = &r;
    }
    return newest ? newest->chart_version : std::string();
  }

 private:
  // The HelmChart helm-controller created: status.helmChart, else "<hr-ns>-<hr-name>" in the
  // sourceRef's namespace (GetHelmChartName).
  ObjectRef HelmChartRef() const {
    if (auto slash = hr_.helm_chart.find('/'); slash != std::string::npos) {
      return {"HelmChart", hr_.helm_chart.substr(0, slash), hr_.helm_chart.substr(slash + 1)};
    }
    return {"HelmChart", hr_.chart_source_ref->namespace_, hr_.namespace_ + "-" + hr_.name};
  }

  // §2.7 2: the OCI artifact's recorded Git revision, when the release's chart is that artifact.
  CommitRef OciCommit(const std::string& version, bool check_digest) const {
    if (!oci_ || !oci_->artifact) return NoCommit(NameOf(*hr_.chart_ref) + " has no artifact listed");
    const std::string_view digest = DigestOf(oci_->artifact->revision);
    if (check_digest) {
      const bool same = digest == hr_.last_attempted_revision_digest ||
                        (!hr_.releases.empty() && digest == hr_.releases.front().oci_digest);
      const std::string hash = BuildHash(version);
      const bool hash_matches = hash.empty() || digest.find(":" + hash) != std::string_view::npos;
      if (!same || !hash_matches) {
        return NoCommit("chart version '" + version + "' is not " + NameOf(*hr_.chart_ref) + "'s current artifact");
      }
    }
    const auto& metadata = oci_->artifact->metadata;
    auto it = metadata.find(std::string(kOciRevisionKey));
    if (it == metadata.end()) return NoCommit(NameOf(*hr_.chart_ref) + "'s artifact has no origin revision");
    return ParseRevision(it->second, true, "origin revision");
  }

  // §2.7 3-4: through the HelmChart, trustworthy only with reconcileStrategy Revision.
  CommitRef HelmChartCommit(const std::string& version) const {
    const ObjectRef* source = chart_ && chart_->source_ref ? &*chart_->source_ref
                              : hr_.chart_source_ref       ? &*hr_.chart_source_ref
                                                           : nullptr;
    if (!source || source->kind == "HelmRepository") {
      return NoCommit("chart version '" + version + "' comes from a HelmRepository");
    }
    if (!chart_) return NoCommit("the HelmChart of chart version '" + version + "' is not listed");
    const std::string& strategy =
        chart_->reconcile_strategy.empty() ? hr_.reconcile_strategy : chart_->reconcile_strategy;
    if (strategy != "Revision") {
      return NoCommit("HelmChart '" + chart_->namespace_ + "/" + chart_->name +
                      "' uses reconcileStrategy ChartVersion, so its version names no commit");
    }
    const std::string& revision = chart_->observed_source_artifact_revision;
    CommitRef commit = ParseRevision(revision, source->kind == "GitRepository", "chart source revision");
    const std::string hash = BuildHash(version);
    if (commit.sha && (hash.empty() || !commit.sha->starts_with(hash))) {
      return NoCommit("chart version '" + version + "' was not built from source revision '" + revision + "'");
    }
    return commit;
  }

  const FluxObject& hr_;
  const FluxObject* oci_ = nullptr;
  const FluxObject* chart_ = nullptr;
};

// H8: the release Helm reports now succeeded; a generation not yet reconciled makes the chart the
// source offers now pending (K10's rule).
Observation Released(const FluxObject& hr, const HelmReleaseView& view, const ObjectCondition& ready) {
  const std::string& version = hr.releases.empty() ? hr.last_attempted_revision : hr.releases.front().chart_version;
  Observation o = OneStatus(hr, view.ChartCommit(version, version == hr.last_attempted_revision), StatusState::kSuccess,
                            ready, "H8");
  const bool new_generation = hr.generation && hr.observed_generation && *hr.observed_generation < *hr.generation;
  if (!new_generation) return o;
  CommitRef next = view.CurrentChartCommit();
  if (!next.sha) return o;
  ObjectCondition pending = ready;
  pending.reason = "Progressing";
  pending.message = "Generation " + std::to_string(*hr.generation) + " not reconciled yet";
  Add(o, StatusFor(hr, next, StatusState::kPending, pending, "H8"));
  return o;
}

}  // namespace

Observation ObserveHelmRelease(const FluxObject& hr, const SourceIndex& sources) {
  if (hr.deleting) return Skipped("being deleted");  // H1
  if (hr.suspended) return Skipped("suspended");     // H2
  const ObjectCondition* ready = hr.Condition("Ready");
  if (!ready) return Skipped("not reconciled yet");  // H3
  const HelmReleaseView view(hr, sources);
  const CommitRef attempted = view.ChartCommit(hr.last_attempted_revision, true);
  if (const ObjectCondition* stalled = TrueCondition(hr, "Stalled")) {  // H4
    return OneStatus(hr, attempted, StatusState::kFailure, ready->status == "False" ? *ready : *stalled, "H4");
  }
  if (ready->status == "False") {
    if (ready->reason == "DependencyNotReady" || ready->reason == "SourceNotReady") {  // H5
      return OneStatus(hr, view.CurrentChartCommit(), StatusState::kPending, *ready, "H5");
    }
    return OneStatus(hr, attempted, StatusState::kFailure, *ready, "H6");
  }
  if (ready->status == "Unknown") {  // H7
    if (hr.last_attempted_revision.empty()) return NoChange(ready->reason + ", no chart version attempted yet");
    if (hr.last_attempted_revision == view.NewestDeployedVersion()) {
      return NoChange(ready->reason + ", chart version '" + hr.last_attempted_revision + "' already deployed");
    }
    return OneStatus(hr, attempted, StatusState::kPending, *ready, "H7");
  }
  if (ready->status == "True") return Released(hr, view, *ready);  // H8
  return NoChange("Ready is '" + ready->status + "'");
}

}  // namespace fluxstatus::core::status_rules
