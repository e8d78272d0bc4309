// Table S of flux-objects.md §3: what a GitRepository, OCIRepository or Bucket says about commits.
#include "core/object_status_rules.h"

namespace fluxstatus::core::status_rules {
namespace {

// The text between `opening` and the next single quote, or "": source-controller quotes the
// revision in "new upstream revision '<rev>'" and the commit in "signature verification of
// commit '<hex>' failed".
std::string Quoted(std::string_view message, std::string_view opening) {
  auto start = message.find(opening);
  if (start == std::string_view::npos) return {};
  start += opening.size();
  auto end = message.find('\'', start);
  return end == std::string_view::npos ? std::string() : std::string(message.substr(start, end - start));
}

// The commit of a revision the source is working on now: the annotation first (§2.8), else the
// revision itself, which names a commit only for Git (an OCI or Bucket revision is a digest).
CommitRef AttemptCommit(const FluxObject& source, const std::string& revision) {
  if (CommitRef annotated = AnnotatedCommit(source); annotated.sha) return annotated;
  return ParseRevision(revision, source.kind == "GitRepository", "revision");
}

// S8: the stored artifact's commit; for OCI the Git revision the pusher recorded in its metadata.
CommitRef ArtifactCommit(const FluxObject& source) {
  if (CommitRef annotated = AnnotatedCommit(source); annotated.sha) return annotated;
  if (!source.artifact) return ParseRevision("", false, "artifact revision");
  const auto& metadata = source.artifact->metadata;
  if (auto it = metadata.find(std::string(kOciRevisionKey)); it != metadata.end()) {
    if (CommitRef origin = ParseRevision(it->second, true, "origin revision"); origin.sha) return origin;
  }
  return ParseRevision(source.artifact->revision, source.kind == "GitRepository", "artifact revision");
}

// The revision ArtifactOutdated names (its message first, then Ready's "building artifact: ...").
std::string OutdatedRevision(const ObjectCondition& outdated, const ObjectCondition& ready) {
  constexpr std::string_view kOpening = "new upstream revision '";
  std::string revision = Quoted(outdated.message, kOpening);
  return revision.empty() ? Quoted(ready.message, kOpening) : revision;
}

// S5: the commit whose signature failed, named in SourceVerified's (or Ready's) message.
Observation VerificationFailed(const FluxObject& source, const ObjectCondition& verified,
                               const ObjectCondition& ready) {
  constexpr std::string_view kOpening = "signature verification of commit '";
  std::string hex = Quoted(verified.message, kOpening);
  if (hex.empty()) hex = Quoted(ready.message, kOpening);
  CommitRef commit = ParseRevision(hex, true, "verified commit");
  if (!commit.sha) return NoChange(ready.reason + ": " + FirstLine(ready.message));
  return OneStatus(source, commit, StatusState::kFailure, ready, "S5");
}

}  // namespace

Observation ObserveSource(const FluxObject& source) {
  if (source.deleting) return Skipped("being deleted");  // S1
  if (source.suspended) return Skipped("suspended");     // S2
  const ObjectCondition* ready = source.Condition("Ready");
  if (!ready) return Skipped("not reconciled yet");  // S3
  const ObjectCondition* outdated = TrueCondition(source, "ArtifactOutdated");
  const bool failed = ready->status == "False";
  if (outdated && (failed || TrueCondition(source, "Stalled"))) {  // S4
    return OneStatus(source, AttemptCommit(source, OutdatedRevision(*outdated, *ready)), StatusState::kFailure, *ready,
                     "S4");
  }
  if (failed) {
    const ObjectCondition* verified = source.Condition("SourceVerified");
    if (verified && verified->status == "False") return VerificationFailed(source, *verified, *ready);  // S5
    // S6: fetch and storage failures carry no revision; the artifact's commit keeps its state.
    return NoChange(ready->reason + ": " + FirstLine(ready->message));
  }
  if (ready->status == "Unknown") {
    if (!outdated) return NoChange(ready->reason + ", no new revision");
    return OneStatus(source, AttemptCommit(source, OutdatedRevision(*outdated, *ready)), StatusState::kPending, *ready,
                     "S7");
  }
  if (ready->status == "True") return OneStatus(source, ArtifactCommit(source), StatusState::kSuccess, *ready, "S8");
  return NoChange("Ready is '" + ready->status + "'");
}

}  // namespace fluxstatus::core::status_rules
