// ResyncEvent and FluxEventBody: the event a resync appends must read back, through the event
// path, as the status the object asked for, under the context a real Flux event gives.
#include <boost/test/unit_test.hpp>

#include <string>

#include "core/resync_event.h"
#include "core/resync_verdict.h"
#include "tests/core/flux_object_support.h"

namespace core = fluxstatus::core;
using core::ObservedStatus;
using core::StatusState;
using core::testing::CheckResyncContract;
using core::testing::DerivedFrom;
using core::testing::DescriptionOf;
using core::testing::kApplied;
using core::testing::kAttempted;
using core::testing::Observe;
using core::testing::ParseOrFail;
using core::testing::Sample;

namespace {

// Sample 02's failing commit, as ObserveObject gives it.
ObservedStatus Sample02Failure() { return Observe(Sample("02-kustomization-failed-new-revision.json")).statuses.at(0); }

}  // namespace

BOOST_AUTO_TEST_SUITE(ResyncEvent)

BOOST_AUTO_TEST_CASE(body_has_fluxs_wire_shape) {
  const std::string body = core::FluxEventBody(core::ResyncEvent(Sample02Failure()));
  BOOST_TEST(body ==
             R"({"involvedObject":{"kind":"Kustomization","namespace":"default","name":"backend",)"
             R"("apiVersion":"kustomize.toolkit.fluxcd.io/v1"},"severity":"error","timestamp":"2020-09-17T07:26:48Z",)"
             R"("message":"The Service 'backend' is invalid: spec.type: Unsupported value: 'Ingress'",)"
             R"("reason":"ValidationFailed","metadata":{"commit":")" +
                 kAttempted + R"(","revision":"master@sha1:)" + kAttempted +
                 R"("},"reportingController":"fluxstatus-resync"})");
}

BOOST_AUTO_TEST_CASE(context_is_the_one_a_real_flux_event_of_the_object_gives) {
  // What kustomize-controller sends for the same object (flux-events.md), through the notification-controller.
  const core::FluxEvent real = ParseOrFail(
      R"({"involvedObject":{"kind":"Kustomization","namespace":"default","name":"backend",)"
      R"("uid":"44786c6a-a31c-474a-aa3c-2f55a52aefd9","apiVersion":"kustomize.toolkit.fluxcd.io/v1"},)"
      R"("severity":"error","timestamp":"2020-09-17T07:26:48Z","message":"The Service 'backend' is invalid",)"
      R"("reason":"ValidationFailed","metadata":{"revision":"master@sha1:)" +
      kAttempted + R"("},"reportingController":"kustomize-controller"})");
  const core::StatusCandidate from_flux = DerivedFrom(real);
  const core::StatusCandidate from_resync = DerivedFrom(core::ResyncEvent(Sample02Failure()));
  BOOST_TEST(from_resync.key.context == "kustomization/backend");
  BOOST_TEST(from_resync.key.context == from_flux.key.context);
  BOOST_TEST(from_resync.key.commit_sha == from_flux.key.commit_sha);
  BOOST_TEST(from_resync.state == from_flux.state);
}

BOOST_AUTO_TEST_CASE(event_annotations_reach_metadata_templates_as_the_controllers_events_do) {
  // kustomize-controller copies `event.toolkit.fluxcd.io/<key>` annotations into every event's
  // metadata as <key>: a route whose context uses {metadata.env} must get the same key from resync.
  core::FluxObject object = Sample("02-kustomization-failed-new-revision.json");
  object.annotations["event.toolkit.fluxcd.io/env"] = "prod";
  object.annotations["kustomize.toolkit.fluxcd.io/unrelated"] = "x";
  const ObservedStatus s = Observe(object).statuses.at(0);
  const core::FluxEvent e = core::ResyncEvent(s);
  core::RouteProfile route;
  route.name = "prod";
  route.context_template = "{kind}/{name}/{metadata.env}";
  const auto derived = core::DeriveStatus(e, core::ResolveCommit(e), route);
  BOOST_REQUIRE(std::holds_alternative<core::StatusCandidate>(derived));
  BOOST_TEST(std::get<core::StatusCandidate>(derived).key.context == "kustomization/backend/prod");
  BOOST_TEST(e.metadata.count("unrelated") == 0u);
  BOOST_TEST(e.metadata.at("commit") == kAttempted);  // the derived commit wins over any annotation
}

BOOST_AUTO_TEST_CASE(the_still_applied_success_only_fills_a_key_without_a_result) {
  // Sample 02: the new revision failed; the applied one's success is dated by that failure's
  // time, not its own, so it must not turn a stored failure of the applied commit into success.
  const auto statuses = Observe(Sample("02-kustomization-failed-new-revision.json")).statuses;
  BOOST_REQUIRE_EQUAL(statuses.size(), 2u);
  const ObservedStatus& applied = statuses.at(1);
  BOOST_TEST(applied.commit_sha == kApplied);
  BOOST_TEST(applied.fill_in);
  BOOST_TEST(!statuses.at(0).fill_in);
  core::KeyState stored;
  stored.state = StatusState::kFailure;
  stored.event_time_ms = applied.time_ms - 3600000;  // an hour older than the condition
  BOOST_TEST(
      (core::JudgeResync(applied.state, applied.time_ms, stored, applied.fill_in) == core::ResyncVerdict::kResultKept));
  stored.state = StatusState::kPending;
  BOOST_TEST(
      (core::JudgeResync(applied.state, applied.time_ms, stored, applied.fill_in) == core::ResyncVerdict::kAppend));
  BOOST_TEST((core::JudgeResync(applied.state, applied.time_ms, std::nullopt, applied.fill_in) ==
              core::ResyncVerdict::kAppend));
}

BOOST_AUTO_TEST_CASE(pending_keeps_a_progress_reason_and_replaces_any_other) {
  ObservedStatus s = Sample02Failure();
  s.state = StatusState::kPending;
  s.reason = "ProgressingWithRetry";
  BOOST_TEST(core::ResyncEvent(s).reason == "ProgressingWithRetry");
  BOOST_TEST(DescriptionOf(s) == "progressing with retry");
  s.reason = "HealthCheckCanceled";
  BOOST_TEST(core::ResyncEvent(s).reason == "Progressing");
  BOOST_TEST(core::ResyncEvent(s).severity == "info");
  CheckResyncContract(s);
}

BOOST_AUTO_TEST_CASE(success_never_reads_as_pending) {
  ObservedStatus s = Sample02Failure();
  s.state = StatusState::kSuccess;
  s.reason = "Progressing";
  BOOST_TEST(core::ResyncEvent(s).reason == "ReconciliationSucceeded");
  CheckResyncContract(s);
  s.reason = "UpgradeSucceeded";
  BOOST_TEST(DescriptionOf(s) == "upgrade succeeded");
}

BOOST_AUTO_TEST_CASE(multiline_unicode_message_round_trips_and_describes_its_first_line) {
  ObservedStatus s = Sample02Failure();
  s.message = "Helm install failed: «frontend» ✗ <.Values> & \"quotes\"\nLast Helm logs:\n\tline 2";
  s.reason = "InstallFailed";
  CheckResyncContract(s);
  BOOST_TEST(DescriptionOf(s) == "install failed: Helm install failed: «frontend» ✗ <.Values> & \"quotes\"");
}

BOOST_AUTO_TEST_CASE(sha256_commit_resolves_from_the_event) {
  ObservedStatus s = Sample02Failure();
  s.commit_sha = "79b5e44af55c0ce009ebd62e9048c650edc13e6515cf7fa71221cf0dbbd3bef9";
  s.revision = "main@sha256:" + s.commit_sha;
  CheckResyncContract(s);
}

BOOST_AUTO_TEST_CASE(different_states_of_one_commit_give_different_bodies) {
  const ObservedStatus failed = Sample02Failure();
  ObservedStatus applied = Observe(Sample("02-kustomization-failed-new-revision.json")).statuses.at(1);
  BOOST_TEST(applied.commit_sha == kApplied);
  applied.commit_sha = failed.commit_sha;
  applied.revision = failed.revision;
  BOOST_TEST(core::FluxEventBody(core::ResyncEvent(applied)) != core::FluxEventBody(core::ResyncEvent(failed)));
}

BOOST_AUTO_TEST_SUITE_END()
