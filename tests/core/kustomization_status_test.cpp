// ObserveObject on Kustomizations (flux-objects.md §3 table K, §4 samples 01-03): which commit
// turns which state, as a user sees it on the commit. Observe also checks the resync event of
// every status (tests/core/flux_object_support.h).
#include <boost/test/unit_test.hpp>

#include <string>

#include "core/object_status.h"
#include "tests/core/flux_object_support.h"

namespace core = fluxstatus::core;
using core::FluxObject;
using core::ObservedStatus;
using core::SourceIndex;
using core::StatusState;
using core::testing::ConditionOf;
using core::testing::DescriptionOf;
using core::testing::kApplied;
using core::testing::kAttempted;
using core::testing::Observe;
using core::testing::Sample;

namespace {

const std::string kSample01 = "696f056df216eea4f9401adbee0ff744d4df390f";
const std::string kSample03 = "67e2c98a60dc92283531412a9e604dd4bae005a9";
const std::string kNewer = "c7918bd9173053b2d28e0b96d9492f9e3aec130d";
const std::string kSha256Commit = "79b5e44af55c0ce009ebd62e9048c650edc13e6515cf7fa71221cf0dbbd3bef9";

ObservedStatus Only(const core::Observation& o) {
  BOOST_REQUIRE_EQUAL(o.statuses.size(), 1u);
  return o.statuses.front();
}

// A listed source with a stored artifact.
FluxObject Source(std::string kind, std::string ns, std::string name, std::string revision) {
  FluxObject s;
  s.kind = std::move(kind);
  s.namespace_ = std::move(ns);
  s.name = std::move(name);
  s.artifact = core::SourceArtifact{std::move(revision), "", {}};
  return s;
}

// Sample 01's Kustomization (Ready=True, applied main@sha1:696f056d) with its GitRepository
// flux-system/flux-system at `source_revision`.
SourceIndex SourcesAt(const std::string& source_revision) {
  SourceIndex sources;
  sources.Add(Source("GitRepository", "flux-system", "flux-system", source_revision));
  return sources;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ObserveKustomization)

BOOST_AUTO_TEST_CASE(sample_01_ready_is_success_of_the_applied_commit) {
  const auto o = Observe(Sample("01-kustomization-ready.json"));
  const ObservedStatus s = Only(o);
  BOOST_TEST(s.commit_sha == kSample01);
  BOOST_TEST(s.state == StatusState::kSuccess);
  BOOST_TEST(s.rule == "K9");
  BOOST_TEST(DescriptionOf(s) == "reconciliation succeeded");
  BOOST_TEST(s.time == "2021-08-01T04:52:56Z");
}

BOOST_AUTO_TEST_CASE(sample_02_new_revision_failed_while_the_old_one_stays_applied) {
  const auto o = Observe(Sample("02-kustomization-failed-new-revision.json"));
  BOOST_REQUIRE_EQUAL(o.statuses.size(), 2u);
  const ObservedStatus& failed = o.statuses[0];
  BOOST_TEST(failed.commit_sha == kAttempted);
  BOOST_TEST(failed.state == StatusState::kFailure);
  BOOST_TEST(DescriptionOf(failed) ==
             "validation failed: The Service 'backend' is invalid: spec.type: Unsupported value: 'Ingress'");
  const ObservedStatus& applied = o.statuses[1];
  BOOST_TEST(applied.commit_sha == kApplied);
  BOOST_TEST(applied.state == StatusState::kSuccess);
  BOOST_TEST(DescriptionOf(applied) == "reconciliation succeeded");
}

BOOST_AUTO_TEST_CASE(sample_03_path_failure_without_its_source_fails_the_attempted_legacy_revision) {
  const ObservedStatus s = Only(Observe(Sample("03-kustomization-retrying-new-generation.json")));
  BOOST_TEST(s.commit_sha == kSample03);
  BOOST_TEST(s.state == StatusState::kFailure);
  BOOST_TEST(s.rule == "K7");
  BOOST_TEST(DescriptionOf(s) ==
             "artifact failed: kustomization path not found: stat /tmp/kustomization-1464362706/invalid: "
             "no such file or directory");
}

BOOST_AUTO_TEST_CASE(artifact_failure_fails_the_sources_revision_and_keeps_the_applied_success) {
  SourceIndex sources;
  sources.Add(Source("GitRepository", "flux-system", "podinfo", "master@sha1:" + kNewer));
  const auto o = Observe(Sample("03-kustomization-retrying-new-generation.json"), sources);
  BOOST_REQUIRE_EQUAL(o.statuses.size(), 2u);
  BOOST_TEST(o.statuses[0].commit_sha == kNewer);
  BOOST_TEST(o.statuses[0].state == StatusState::kFailure);
  BOOST_TEST(o.statuses[1].commit_sha == kSample03);
  BOOST_TEST(o.statuses[1].state == StatusState::kSuccess);
}

BOOST_AUTO_TEST_CASE(suspended_and_deleted_objects_are_skipped_by_name) {
  FluxObject k = Sample("02-kustomization-failed-new-revision.json");
  k.suspended = true;
  BOOST_TEST(Observe(k).skipped == "suspended");
  BOOST_TEST(Observe(k).statuses.empty());
  k.suspended = false;
  k.deleting = true;
  BOOST_TEST(Observe(k).skipped == "being deleted");
}

BOOST_AUTO_TEST_CASE(never_reconciled_is_pending_on_the_sources_commit_only_when_known) {
  FluxObject k = Sample("01-kustomization-ready.json");
  k.conditions.clear();
  k.last_applied_revision.clear();
  k.observed_generation = -1;
  BOOST_TEST(Observe(k).skipped == "not reconciled yet");
  k.creation_timestamp = "2026-12-07T10:00:00Z";
  k.creation_time_ms = 1796637600000;
  const ObservedStatus s = Only(Observe(k, SourcesAt("main@sha1:" + kNewer)));
  BOOST_TEST(s.commit_sha == kNewer);
  BOOST_TEST(s.state == StatusState::kPending);
  BOOST_TEST(s.rule == "K3");
  BOOST_TEST(s.time == "2026-12-07T10:00:00Z");
  BOOST_TEST(DescriptionOf(s) == "progressing");
}

BOOST_AUTO_TEST_CASE(routine_reconcile_of_the_applied_revision_changes_nothing) {
  FluxObject k = Sample("01-kustomization-ready.json");
  k.last_attempted_revision = k.last_applied_revision;
  ConditionOf(k, "Ready") = {
      "Ready", "Unknown", "Progressing", "Reconciliation in progress", "2026-12-07T10:00:00Z", 1796637600000};
  const auto o = Observe(k, SourcesAt(k.last_applied_revision));
  BOOST_TEST(o.statuses.empty());
  BOOST_TEST(o.skipped.starts_with("no change ("));
}

BOOST_AUTO_TEST_CASE(reconciling_a_new_revision_is_pending_on_it) {
  FluxObject k = Sample("01-kustomization-ready.json");
  k.last_attempted_revision = "main@sha1:" + kNewer;
  ConditionOf(k, "Ready") = {
      "Ready", "Unknown", "Progressing", "Reconciliation in progress", "2026-12-07T10:00:00Z", 1796637600000};
  const ObservedStatus s = Only(Observe(k));
  BOOST_TEST(s.commit_sha == kNewer);
  BOOST_TEST(s.state == StatusState::kPending);
  BOOST_TEST(s.rule == "K8");
  BOOST_TEST(DescriptionOf(s) == "progressing");
}

BOOST_AUTO_TEST_CASE(new_generation_not_reconciled_keeps_success_and_makes_the_new_source_pending) {
  FluxObject k = Sample("01-kustomization-ready.json");
  k.generation = 2;
  k.observed_generation = 1;
  const auto o = Observe(k, SourcesAt("main@sha1:" + kNewer));
  BOOST_REQUIRE_EQUAL(o.statuses.size(), 2u);
  BOOST_TEST(o.statuses[0].commit_sha == kSample01);
  BOOST_TEST(o.statuses[0].state == StatusState::kSuccess);
  BOOST_TEST(o.statuses[0].rule == "K10");
  BOOST_TEST(o.statuses[1].commit_sha == kNewer);
  BOOST_TEST(o.statuses[1].state == StatusState::kPending);
  BOOST_TEST(o.statuses[1].rule == "K10");
}

BOOST_AUTO_TEST_CASE(waiting_for_dependencies_is_pending_on_a_new_source_revision_only) {
  FluxObject k = Sample("01-kustomization-ready.json");
  ConditionOf(k, "Ready") = {"Ready",
                             "False",
                             "DependencyNotReady",
                             "dependency 'flux-system/infra' is not ready",
                             "2026-12-07T10:00:00Z",
                             1796637600000};
  const ObservedStatus s = Only(Observe(k, SourcesAt("main@sha1:" + kNewer)));
  BOOST_TEST(s.commit_sha == kNewer);
  BOOST_TEST(s.state == StatusState::kPending);
  BOOST_TEST(s.rule == "K5");
  BOOST_TEST(DescriptionOf(s) == "dependency not ready");
  BOOST_TEST(Observe(k, SourcesAt(k.last_applied_revision)).skipped.starts_with("no change ("));

  ConditionOf(k, "Ready").reason = "HealthCheckCanceled";
  const ObservedStatus canceled = Only(Observe(k, SourcesAt("main@sha1:" + kNewer)));
  BOOST_TEST(canceled.state == StatusState::kPending);
  BOOST_TEST(DescriptionOf(canceled) == "progressing");  // a reason the event path reads as pending
}

BOOST_AUTO_TEST_CASE(artifact_failure_caused_by_the_source_changes_nothing) {
  FluxObject k = Sample("01-kustomization-ready.json");
  ConditionOf(k, "Ready") = {
      "Ready",      "False", "ArtifactFailed", "Source artifact not found, retrying in 30s", "2026-12-07T10:00:00Z",
      1796637600000};
  BOOST_TEST(Observe(k).skipped == "no change (source not ready: Source artifact not found, retrying in 30s)");

  ConditionOf(k, "Ready").message = "gitrepositories.source.toolkit.fluxcd.io \"flux-system\" not found";
  SourceIndex listed_without_it;
  listed_without_it.MarkListed("GitRepository");
  BOOST_TEST(Observe(k, listed_without_it).skipped.starts_with("no change (source not ready: "));
  // Without the GitRepository LIST nothing says the source is missing: the failure is reported.
  BOOST_TEST(Only(Observe(k)).state == StatusState::kFailure);
}

BOOST_AUTO_TEST_CASE(stalled_fails_the_attempted_commit) {
  FluxObject k = Sample("02-kustomization-failed-new-revision.json");
  k.conditions.push_back(
      {"Stalled", "True", "InvalidCELExpression", "invalid CEL expression", "2020-09-17T07:26:48Z", 1600327608000});
  ConditionOf(k, "Ready").reason = "InvalidCELExpression";
  const ObservedStatus s = Only(Observe(k));
  BOOST_TEST(s.commit_sha == kAttempted);
  BOOST_TEST(s.state == StatusState::kFailure);
  BOOST_TEST(s.rule == "K4");
}

BOOST_AUTO_TEST_CASE(oci_source_reports_the_origin_revision_and_a_digest_alone_no_commit) {
  FluxObject k = Sample("01-kustomization-ready.json");
  k.source_ref = core::ObjectRef{"OCIRepository", "default", "podinfo"};
  k.last_applied_revision = "latest@sha256:" + kSha256Commit;
  BOOST_TEST(Observe(k).skipped == "no commit: revision 'latest@sha256:" + kSha256Commit + "' names no Git commit");
  k.last_applied_origin_revision = "6.1.8/b3b00fe35424a45d373bf4c7214178bc36fd7872";
  BOOST_TEST(Only(Observe(k)).commit_sha == "b3b00fe35424a45d373bf4c7214178bc36fd7872");
  BOOST_TEST(Only(Observe(k)).state == StatusState::kSuccess);
}

BOOST_AUTO_TEST_CASE(sha256_git_repository_gives_a_64_hex_commit) {
  FluxObject k = Sample("01-kustomization-ready.json");
  k.last_applied_revision = "main@sha256:" + kSha256Commit;
  const ObservedStatus s = Only(Observe(k));
  BOOST_TEST(s.commit_sha == kSha256Commit);
  BOOST_TEST(s.state == StatusState::kSuccess);
}

BOOST_AUTO_TEST_CASE(legacy_revision_forms_name_their_commit) {
  FluxObject k = Sample("01-kustomization-ready.json");
  for (const std::string& rev : {kNewer, "main/" + kNewer, "env/dev/" + kNewer, "sha1:" + kNewer}) {
    k.last_applied_revision = rev;
    BOOST_TEST(Only(Observe(k)).commit_sha == kNewer, rev);
  }
}

BOOST_AUTO_TEST_CASE(commit_annotation_names_the_current_attempt_only) {
  FluxObject k = Sample("02-kustomization-failed-new-revision.json");
  k.annotations["event.toolkit.fluxcd.io/commit"] = kNewer;
  const auto o = Observe(k);
  BOOST_REQUIRE_EQUAL(o.statuses.size(), 2u);
  BOOST_TEST(o.statuses[0].commit_sha == kNewer);  // the failing attempt
  BOOST_TEST(o.statuses[0].state == StatusState::kFailure);
  BOOST_TEST(o.statuses[1].commit_sha == kApplied);  // the older applied revision keeps its own
  BOOST_TEST(o.statuses[1].state == StatusState::kSuccess);
}

BOOST_AUTO_TEST_SUITE_END()
