// ObserveObject on GitRepository, OCIRepository and Bucket (flux-objects.md §3 table S, §4
// samples 04-05). Observe also checks the resync event of every status.
#include <boost/test/unit_test.hpp>

#include <string>

#include "core/object_status.h"
#include "tests/core/flux_object_support.h"

namespace core = fluxstatus::core;
using core::FluxObject;
using core::ObservedStatus;
using core::StatusState;
using core::testing::ConditionOf;
using core::testing::DescriptionOf;
using core::testing::Observe;
using core::testing::Sample;

namespace {

const std::string kSample04 = "132f4e719209eb10b9485302f8593fc0e680f4fc";
const std::string kNewer = "c7918bd9173053b2d28e0b96d9492f9e3aec130d";
const std::string kSha256Commit = "79b5e44af55c0ce009ebd62e9048c650edc13e6515cf7fa71221cf0dbbd3bef9";
constexpr std::int64_t kLater = 1796637600000;  // 2026-12-07T10:00:00Z

ObservedStatus Only(const core::Observation& o) {
  BOOST_REQUIRE_EQUAL(o.statuses.size(), 1u);
  return o.statuses.front();
}

// Sample 04 after source-controller saw `revision` upstream: ArtifactOutdated=True beside a
// Ready of `ready_status`/`reason`.
FluxObject GitRepositorySeeing(const std::string& revision, const std::string& ready_status, const std::string& reason,
                               const std::string& message) {
  FluxObject git = Sample("04-gitrepository-ready.json");
  ConditionOf(git, "Ready") = {"Ready", ready_status, reason, message, "2026-12-07T10:00:00Z", kLater};
  git.conditions.push_back({"ArtifactOutdated", "True", "NewRevision", "new upstream revision '" + revision + "'",
                            "2026-12-07T10:00:00Z", kLater});
  return git;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ObserveSource)

BOOST_AUTO_TEST_CASE(sample_04_stored_artifact_is_success_of_its_commit) {
  const ObservedStatus s = Only(Observe(Sample("04-gitrepository-ready.json")));
  BOOST_TEST(s.commit_sha == kSample04);
  BOOST_TEST(s.state == StatusState::kSuccess);
  BOOST_TEST(s.rule == "S8");
  BOOST_TEST(DescriptionOf(s) == "succeeded");
  BOOST_TEST(s.object.api_version == "source.toolkit.fluxcd.io/v1");
}

BOOST_AUTO_TEST_CASE(sample_05_oci_artifact_reports_its_origin_revision) {
  const ObservedStatus s = Only(Observe(Sample("05-ocirepository-origin-revision.json")));
  BOOST_TEST(s.commit_sha == "b3b00fe35424a45d373bf4c7214178bc36fd7872");
  BOOST_TEST(s.state == StatusState::kSuccess);
  BOOST_TEST(s.revision == "6.1.8/b3b00fe35424a45d373bf4c7214178bc36fd7872");
}

BOOST_AUTO_TEST_CASE(oci_digest_alone_and_bucket_name_no_commit) {
  FluxObject oci = Sample("05-ocirepository-origin-revision.json");
  oci.artifact->metadata.clear();
  BOOST_TEST(Observe(oci).skipped ==
             "no commit: artifact revision "
             "'latest@sha256:3b6cdcc7adcc9a84d3214ee1c029543789d90b5ae69debe9efa3f66e982875de' names no Git commit");
  FluxObject bucket = Sample("04-gitrepository-ready.json");
  bucket.kind = "Bucket";
  bucket.artifact->revision = "sha256:" + kSha256Commit;
  BOOST_TEST(Observe(bucket).skipped.starts_with("no commit: "));
}

BOOST_AUTO_TEST_CASE(sha256_git_repository_gives_a_64_hex_commit) {
  FluxObject git = Sample("04-gitrepository-ready.json");
  git.artifact->revision = "main@sha256:" + kSha256Commit;
  BOOST_TEST(Only(Observe(git)).commit_sha == kSha256Commit);
}

BOOST_AUTO_TEST_CASE(new_upstream_revision_that_failed_is_failure_of_that_revision) {
  const FluxObject git = GitRepositorySeeing("master@sha1:" + kNewer, "False", "StorageOperationFailed",
                                             "failed to archive: disk full\nmore detail");
  const ObservedStatus s = Only(Observe(git));
  BOOST_TEST(s.commit_sha == kNewer);
  BOOST_TEST(s.state == StatusState::kFailure);
  BOOST_TEST(s.rule == "S4");
  BOOST_TEST(DescriptionOf(s) == "storage operation failed: failed to archive: disk full");
}

BOOST_AUTO_TEST_CASE(new_upstream_revision_being_built_is_pending) {
  const FluxObject git = GitRepositorySeeing("master@sha1:" + kNewer, "Unknown", "Progressing",
                                             "building artifact: new upstream revision 'master@sha1:" + kNewer + "'");
  const ObservedStatus s = Only(Observe(git));
  BOOST_TEST(s.commit_sha == kNewer);
  BOOST_TEST(s.state == StatusState::kPending);
  BOOST_TEST(s.rule == "S7");
  BOOST_TEST(DescriptionOf(s) == "progressing");
}

BOOST_AUTO_TEST_CASE(routine_recheck_without_a_new_revision_changes_nothing) {
  FluxObject git = Sample("04-gitrepository-ready.json");
  ConditionOf(git, "Ready") = {"Ready", "Unknown", "Progressing", "reconciliation in progress", "2026-12-07T10:00:00Z",
                               kLater};
  BOOST_TEST(Observe(git).skipped.starts_with("no change ("));
}

BOOST_AUTO_TEST_CASE(failed_signature_verification_fails_the_named_commit) {
  FluxObject git = Sample("04-gitrepository-ready.json");
  const std::string message = "signature verification of commit '" + kNewer + "' failed: unable to verify";
  ConditionOf(git, "Ready") = {"Ready", "False", "InvalidCommitSignature", message, "2026-12-07T10:00:00Z", kLater};
  git.conditions.push_back(
      {"SourceVerified", "False", "InvalidCommitSignature", message, "2026-12-07T10:00:00Z", kLater});
  const ObservedStatus s = Only(Observe(git));
  BOOST_TEST(s.commit_sha == kNewer);
  BOOST_TEST(s.state == StatusState::kFailure);
  BOOST_TEST(s.rule == "S5");
  BOOST_TEST(DescriptionOf(s) == "invalid commit signature: " + message);
}

BOOST_AUTO_TEST_CASE(fetch_failure_names_no_revision_and_changes_nothing) {
  FluxObject git = Sample("04-gitrepository-ready.json");
  ConditionOf(git, "Ready") = {
      "Ready", "False", "GitOperationFailed", "failed to checkout: auth required", "2026-12-07T10:00:00Z", kLater};
  BOOST_TEST(Observe(git).skipped == "no change (GitOperationFailed: failed to checkout: auth required)");
}

BOOST_AUTO_TEST_CASE(suspended_deleted_and_unreconciled_sources_are_skipped) {
  FluxObject git = Sample("04-gitrepository-ready.json");
  git.suspended = true;
  BOOST_TEST(Observe(git).skipped == "suspended");
  git.suspended = false;
  git.deleting = true;
  BOOST_TEST(Observe(git).skipped == "being deleted");
  git.deleting = false;
  git.conditions.clear();
  BOOST_TEST(Observe(git).skipped == "not reconciled yet");
}

BOOST_AUTO_TEST_CASE(helm_charts_are_not_observed_themselves) {
  FluxObject chart = Sample("04-gitrepository-ready.json");
  chart.kind = "HelmChart";
  BOOST_TEST(Observe(chart).skipped == "not observed: HelmChart");
}

BOOST_AUTO_TEST_SUITE_END()
