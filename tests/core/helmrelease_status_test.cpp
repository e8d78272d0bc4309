// ObserveObject on HelmReleases (flux-objects.md §3 table H, §2.7 rules 1-4, §4 sample 06): a
// release names a chart version, and only some versions lead to a commit.
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
using core::testing::Observe;
using core::testing::Sample;

namespace {

const std::string kCommit = "4e5cbb7b97d0c6a1fb8d94d42e1b5b4a2f3c9d10";
const std::string kOciDigest = "sha256:3b6cdcc7adcc9a84d3214ee1c029543789d90b5ae69debe9efa3f66e982875de";
constexpr std::int64_t kLater = 1796637600000;  // 2026-12-07T10:00:00Z

ObservedStatus Only(const core::Observation& o) {
  BOOST_REQUIRE_EQUAL(o.statuses.size(), 1u);
  return o.statuses.front();
}

// The HelmChart helm-controller made for a release whose chart comes from the GitRepository
// flux-system/podinfo, parsed from a LIST page like the ones resync reads.
FluxObject HelmChart(const std::string& strategy, const std::string& chart_version) {
  const std::string page =
      R"({"apiVersion":"source.toolkit.fluxcd.io/v1","kind":"HelmChartList","metadata":{},"items":[)"
      R"({"metadata":{"name":"default-podinfo","namespace":"flux-system"},"spec":{"chart":"./charts/podinfo",)"
      R"("reconcileStrategy":")" +
      strategy +
      R"(","sourceRef":{"kind":"GitRepository","name":"podinfo"}},"status":{)"
      R"("observedSourceArtifactRevision":"main@sha1:)" +
      kCommit + R"(","artifact":{"revision":")" + chart_version + R"("}}}]})";
  auto result = core::ParseObjectList(page);
  if (auto* err = std::get_if<core::ParseError>(&result)) BOOST_FAIL(err->message);
  return std::get<core::ObjectListPage>(result).items.at(0);
}

// Sample 06 with its chart built from Git: chart.spec.sourceRef GitRepository flux-system/podinfo.
FluxObject ReleaseFromGit(const std::string& version) {
  FluxObject hr = Sample("06-helmrelease-history.json");
  hr.chart_source_ref = core::ObjectRef{"GitRepository", "flux-system", "podinfo"};
  hr.helm_chart = "flux-system/default-podinfo";
  hr.last_attempted_revision = version;
  hr.releases.at(0).chart_version = version;
  return hr;
}

// A HelmRelease taking its chart from sample 05's OCIRepository, parsed from a LIST page.
FluxObject ReleaseFromOci(const std::string& digest) {
  const std::string page =
      R"({"kind":"HelmReleaseList","apiVersion":"helm.toolkit.fluxcd.io/v2","items":[{"metadata":{"name":"podinfo",)"
      R"("namespace":"default","generation":1},"spec":{"chartRef":{"kind":"OCIRepository","name":"podinfo"}},)"
      R"("status":{"observedGeneration":1,"lastAttemptedRevision":"6.1.8+3b6cdcc7adcc",)"
      R"("lastAttemptedRevisionDigest":")" +
      digest + R"(","history":[{"chartName":"podinfo","chartVersion":"6.1.8+3b6cdcc7adcc","ociDigest":")" + digest +
      R"(","status":"deployed","version":2}],"conditions":[{"type":"Ready","status":"True",)"
      R"("reason":"UpgradeSucceeded","message":"Helm upgrade succeeded","lastTransitionTime":"2026-12-07T10:00:00Z"}]}}]})";
  auto result = core::ParseObjectList(page);
  if (auto* err = std::get_if<core::ParseError>(&result)) BOOST_FAIL(err->message);
  return std::get<core::ObjectListPage>(result).items.at(0);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ObserveHelmRelease)

BOOST_AUTO_TEST_CASE(sample_06_chart_from_a_helm_repository_has_no_commit) {
  const auto o = Observe(Sample("06-helmrelease-history.json"));
  BOOST_TEST(o.statuses.empty());
  BOOST_TEST(o.skipped == "no commit: chart version '6.5.3' comes from a HelmRepository");
}

BOOST_AUTO_TEST_CASE(commit_annotation_gives_the_release_its_commit) {
  FluxObject hr = Sample("06-helmrelease-history.json");
  hr.annotations["event.toolkit.fluxcd.io/commit"] = kCommit;
  const ObservedStatus s = Only(Observe(hr));
  BOOST_TEST(s.commit_sha == kCommit);
  BOOST_TEST(s.state == StatusState::kSuccess);
  BOOST_TEST(s.rule == "H8");
  BOOST_TEST(s.object.kind == "HelmRelease");
  BOOST_TEST(DescriptionOf(s) == "test succeeded");
}

BOOST_AUTO_TEST_CASE(retries_exceeded_is_failure_of_the_attempted_chart) {
  FluxObject hr = Sample("06-helmrelease-history.json");
  hr.annotations["event.toolkit.fluxcd.io/commit"] = kCommit;
  ConditionOf(hr, "Ready") = {
      "Ready",      "False", "TestFailed", "Helm test failed for release default/podinfo.v1", "2023-12-04T14:18:47Z",
      1701699527000};
  hr.conditions.push_back({"Stalled", "True", "RetriesExceeded", "Failed to install after 1 attempt(s)",
                           "2023-12-04T14:18:47Z", 1701699527000});
  const ObservedStatus s = Only(Observe(hr));
  BOOST_TEST(s.state == StatusState::kFailure);
  BOOST_TEST(s.rule == "H4");
  BOOST_TEST(DescriptionOf(s) == "test failed: Helm test failed for release default/podinfo.v1");
}

BOOST_AUTO_TEST_CASE(install_failure_is_failure_and_a_new_install_pending) {
  FluxObject hr = Sample("06-helmrelease-history.json");
  hr.annotations["event.toolkit.fluxcd.io/commit"] = kCommit;
  ConditionOf(hr, "Ready") = {"Ready", "False", "InstallFailed", "Helm install failed", "2026-12-07T10:00:00Z", kLater};
  BOOST_TEST(Only(Observe(hr)).rule == "H6");
  BOOST_TEST(Only(Observe(hr)).state == StatusState::kFailure);

  ConditionOf(hr, "Ready") = {"Ready", "Unknown", "Progressing", "Running 'upgrade' action", "2026-12-07T10:00:00Z",
                              kLater};
  // The attempted version is the deployed one: nothing new is being installed.
  BOOST_TEST(Observe(hr).skipped == "no change (Progressing, chart version '6.5.3' already deployed)");
  hr.last_attempted_revision = "6.5.4";
  const ObservedStatus pending = Only(Observe(hr));
  BOOST_TEST(pending.state == StatusState::kPending);
  BOOST_TEST(pending.rule == "H7");
}

BOOST_AUTO_TEST_CASE(oci_chart_ref_reports_the_artifacts_origin_when_the_digest_matches) {
  SourceIndex sources;
  sources.Add(Sample("05-ocirepository-origin-revision.json"));
  const ObservedStatus s = Only(Observe(ReleaseFromOci(kOciDigest), sources));
  BOOST_TEST(s.commit_sha == "b3b00fe35424a45d373bf4c7214178bc36fd7872");
  BOOST_TEST(s.state == StatusState::kSuccess);
  BOOST_TEST(DescriptionOf(s) == "upgrade succeeded");

  const std::string other = "sha256:0cc9a8446c95e8a9d0c6e3b7a3f4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6";
  BOOST_TEST(Observe(ReleaseFromOci(other), sources).skipped ==
             "no commit: chart version '6.1.8+3b6cdcc7adcc' is not OCIRepository 'default/podinfo''s current "
             "artifact");
}

BOOST_AUTO_TEST_CASE(helm_chart_with_revision_strategy_leads_to_the_commit) {
  SourceIndex sources;
  sources.Add(HelmChart("Revision", "6.0.3+4e5cbb7b97d0"));
  const ObservedStatus s = Only(Observe(ReleaseFromGit("6.0.3+4e5cbb7b97d0"), sources));
  BOOST_TEST(s.commit_sha == kCommit);
  BOOST_TEST(s.state == StatusState::kSuccess);
  // A version built from another commit is not this one.
  BOOST_TEST(Observe(ReleaseFromGit("6.0.3+aaaaaaaaaaaa"), sources).skipped.starts_with("no commit: chart version"));
}

BOOST_AUTO_TEST_CASE(helm_chart_with_chart_version_strategy_has_no_commit) {
  SourceIndex sources;
  sources.Add(HelmChart("ChartVersion", "6.0.3"));
  BOOST_TEST(Observe(ReleaseFromGit("6.0.3"), sources).skipped ==
             "no commit: HelmChart 'flux-system/default-podinfo' uses reconcileStrategy ChartVersion, so its version "
             "names no commit");
  BOOST_TEST(Observe(ReleaseFromGit("6.0.3")).skipped ==
             "no commit: the HelmChart of chart version '6.0.3' is not listed");
}

BOOST_AUTO_TEST_CASE(source_not_ready_is_pending_on_the_chart_the_source_offers) {
  SourceIndex sources;
  sources.Add(HelmChart("Revision", "6.0.3+4e5cbb7b97d0"));
  FluxObject hr = ReleaseFromGit("6.0.2+111111111111");
  ConditionOf(hr, "Ready") = {"Ready",
                              "False",
                              "SourceNotReady",
                              "HelmChart 'flux-system/default-podinfo' is not ready",
                              "2026-12-07T10:00:00Z",
                              kLater};
  const ObservedStatus s = Only(Observe(hr, sources));
  BOOST_TEST(s.commit_sha == kCommit);
  BOOST_TEST(s.state == StatusState::kPending);
  BOOST_TEST(s.rule == "H5");
  BOOST_TEST(DescriptionOf(s) == "progressing");
}

BOOST_AUTO_TEST_CASE(suspended_deleted_and_unreconciled_releases_are_skipped) {
  FluxObject hr = Sample("06-helmrelease-history.json");
  hr.suspended = true;
  BOOST_TEST(Observe(hr).skipped == "suspended");
  hr.suspended = false;
  hr.deleting = true;
  BOOST_TEST(Observe(hr).skipped == "being deleted");
  hr.deleting = false;
  hr.conditions.clear();
  BOOST_TEST(Observe(hr).skipped == "not reconciled yet");
}

BOOST_AUTO_TEST_SUITE_END()
