// Table K of flux-objects.md §3: what a Kustomization says about commits.
#include <array>

#include "core/object_status_rules.h"

namespace fluxstatus::core::status_rules {
namespace {

// Ready=False messages kustomize-controller writes when the source, not the revision, is at fault
// (§2.2: source missing, unreadable, or without an artifact); Flux sends no event for them.
constexpr std::array<std::string_view, 3> kSourceFaultPrefixes = {
    "Source artifact not found", "Source is not ready, artifact not found", "unable to get source"};

// A Kustomization seen with its source: the revisions §3 names Rapp, Ratt and Rsrc, and commit(R).
class KustomizationView {
 public:
  KustomizationView(const FluxObject& k, const SourceIndex& sources)
      : k_(k), source_(k.source_ref ? sources.Find(*k.source_ref) : nullptr) {}

  const std::string& Applied() const { return k_.last_applied_revision; }
  const std::string& Attempted() const { return k_.last_attempted_revision; }
  std::string Source() const { return source_ && source_->artifact ? source_->artifact->revision : std::string(); }

  // K6: Ready=False ArtifactFailed because of the source (missing, without artifact, unreadable).
  bool SourceAtFault(const ObjectCondition& ready, const SourceIndex& sources) const {
    if (k_.source_ref && sources.WasListed(k_.source_ref->kind) && (!source_ || !source_->artifact)) return true;
    for (auto prefix : kSourceFaultPrefixes) {
      if (std::string_view(ready.message).starts_with(prefix)) return true;
    }
    return false;
  }

  // commit(R): the annotation (current attempt only), then R's origin revision, then R parsed.
  CommitRef Commit(const std::string& revision) const {
    const bool older_applied = revision == Applied() && !Attempted().empty() && Attempted() != Applied();
    if (!older_applied) {
      if (CommitRef annotated = AnnotatedCommit(k_); annotated.sha) return annotated;
    }
    const std::string origin = OriginRevision(revision);
    if (!origin.empty()) {
      if (CommitRef ref = ParseRevision(origin, true, "origin revision"); ref.sha) return ref;
    }
    // A sha256 revision is a Git commit only from a GitRepository; from OCI or a Bucket it is a digest.
    const bool git = k_.source_ref && k_.source_ref->kind == "GitRepository";
    return ParseRevision(revision, git, "revision");
  }

 private:
  // §3: lastAppliedOriginRevision for Rapp, else the source's OCI revision for its artifact, else history.
  std::string OriginRevision(const std::string& revision) const {
    if (revision.empty()) return {};
    if (revision == Applied() && !k_.last_applied_origin_revision.empty()) return k_.last_applied_origin_revision;
    if (source_ && source_->artifact && source_->artifact->revision == revision) {
      auto it = source_->artifact->metadata.find(std::string(kOciRevisionKey));
      if (it != source_->artifact->metadata.end()) return it->second;
    }
    for (const auto& h : k_.applied_history) {
      if (h.revision == revision && !h.origin_revision.empty()) return h.origin_revision;
    }
    return {};
  }

  const FluxObject& k_;
  const FluxObject* source_;
};

bool IsFalse(const ObjectCondition& c) { return c.status == "False"; }

// The still-applied revision's success beside a newer revision's status (§3 "New revision
// failed, old one still applied", K10): Ready is about the newer one, so the reason is its own.
void AddAppliedSuccess(Observation& o, const FluxObject& k, const KustomizationView& view, const ObjectCondition& ready,
                       std::string_view rule) {
  CommitRef applied = view.Commit(view.Applied());
  if (!applied.sha) return;
  ObjectCondition succeeded = ready;
  succeeded.reason = "ReconciliationSucceeded";
  succeeded.message = "Applied revision: " + view.Applied();
  ObservedStatus status = StatusFor(k, applied, StatusState::kSuccess, succeeded, rule);
  status.fill_in = true;
  Add(o, std::move(status));
}

// K3: never reconciled. Pending on the source's commit, dated by the object's creation.
Observation NeverReconciled(const FluxObject& k, const KustomizationView& view) {
  if (view.Source().empty()) return Skipped("not reconciled yet");
  CommitRef commit = view.Commit(view.Source());
  if (!commit.sha) return NoCommitFound(commit);
  const ObjectCondition waiting{
      "Ready", "Unknown", "Progressing", "Waiting for first reconciliation", k.creation_timestamp, k.creation_time_ms};
  Observation o;
  Add(o, StatusFor(k, commit, StatusState::kPending, waiting, "K3"));
  return o;
}

// K5 and K8: pending on `candidate` unless it is what is already applied.
Observation PendingUnlessApplied(const FluxObject& k, const KustomizationView& view, const std::string& candidate,
                                 const ObjectCondition& ready, std::string_view rule) {
  if (candidate.empty() || candidate == view.Applied()) {
    return NoChange(ready.reason + ", nothing newer than the applied revision");
  }
  CommitRef commit = view.Commit(candidate);
  if (commit.sha && commit.sha == view.Commit(view.Applied()).sha) {
    return NoChange(ready.reason + ", the applied commit again");
  }
  return OneStatus(k, commit, StatusState::kPending, ready, rule);
}

// K7: a failed reconcile. The failing revision is the source's for ArtifactFailed (the fetch
// failed before lastAttemptedRevision moved), else the attempted one; the applied one stays live.
Observation Failed(const FluxObject& k, const KustomizationView& view, const ObjectCondition& ready) {
  const bool fetch_failed = ready.reason == "ArtifactFailed";
  std::string failing = fetch_failed ? view.Source() : view.Attempted();
  if (failing.empty()) failing = fetch_failed ? view.Attempted() : view.Source();
  // Nothing newer known (no source listed, a controller without lastAttemptedRevision): the
  // failure is about what is applied.
  if (failing.empty()) failing = view.Applied();
  Observation o = OneStatus(k, view.Commit(failing), StatusState::kFailure, ready, "K7");
  if (!view.Applied().empty() && failing != view.Applied()) AddAppliedSuccess(o, k, view, ready, "K7");
  return o;
}

// K9 and K10: Ready=True. The applied commit succeeded; with a newer generation not yet
// reconciled, the source's newer revision is pending.
Observation Succeeded(const FluxObject& k, const KustomizationView& view, const ObjectCondition& ready) {
  const bool new_generation = k.generation && k.observed_generation && *k.observed_generation < *k.generation;
  Observation o =
      OneStatus(k, view.Commit(view.Applied()), StatusState::kSuccess, ready, new_generation ? "K10" : "K9");
  if (!new_generation || view.Source().empty() || view.Source() == view.Applied()) return o;
  CommitRef next = view.Commit(view.Source());
  if (!next.sha) return o;
  ObjectCondition pending = ready;
  pending.reason = "Progressing";
  pending.message =
      "Generation " + std::to_string(*k.generation) + " not reconciled yet (source revision " + view.Source() + ")";
  Add(o, StatusFor(k, next, StatusState::kPending, pending, "K10"));
  return o;
}

}  // namespace

Observation ObserveKustomization(const FluxObject& k, const SourceIndex& sources) {
  if (k.deleting) return Skipped("being deleted");  // K1
  if (k.suspended) return Skipped("suspended");     // K2
  const KustomizationView view(k, sources);
  const ObjectCondition* ready = k.Condition("Ready");
  if (!ready) return NeverReconciled(k, view);                         // K3
  if (const ObjectCondition* stalled = TrueCondition(k, "Stalled")) {  // K4
    const std::string rev = view.Attempted().empty() ? view.Source() : view.Attempted();
    return OneStatus(k, view.Commit(rev), StatusState::kFailure, IsFalse(*ready) ? *ready : *stalled, "K4");
  }
  if (IsFalse(*ready)) {
    if (ready->reason == "DependencyNotReady" || ready->reason == "HealthCheckCanceled") {
      return PendingUnlessApplied(k, view, view.Source(), *ready, "K5");
    }
    if (ready->reason == "ArtifactFailed" && view.SourceAtFault(*ready, sources)) {
      return NoChange("source not ready: " + FirstLine(ready->message));  // K6
    }
    return Failed(k, view, *ready);  // K7
  }
  if (ready->status == "Unknown") {  // K8
    const bool attempting = !view.Attempted().empty() && view.Attempted() != view.Applied();
    const std::string candidate = attempting ? view.Attempted() : view.Source();
    return PendingUnlessApplied(k, view, candidate, *ready, "K8");
  }
  if (ready->status == "True") return Succeeded(k, view, *ready);  // K9, K10
  return NoChange("Ready is '" + ready->status + "'");
}

}  // namespace fluxstatus::core::status_rules
