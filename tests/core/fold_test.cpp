// DeriveStatus and Fold: the pure state machine (what an event asks for; whether it wins).
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <optional>
#include <ostream>
#include <string>
#include <variant>
#include <vector>

#include "core/flux_json.h"
#include "core/fold.h"
#include "core/revision.h"
#include "core/rfc3339.h"
#include "core/route_profile.h"
#include "tests/core/test_support.h"

namespace bdata = boost::unit_test::data;
namespace core = fluxstatus::core;
using core::CommitRef;
using core::Derivation;
using core::FluxEvent;
using core::FoldOutcome;
using core::FoldResult;
using core::KeyState;
using core::NoCommit;
using core::NoStatusChange;
using core::RouteProfile;
using core::StatusCandidate;
using core::StatusState;
using core::testing::kSha1;
using core::testing::MakeEvent;
using core::testing::ParseOrFail;

namespace {

RouteProfile Route() {
  RouteProfile route;
  route.name = "contoso2";
  route.repo = "simonjaeger/contoso2";
  route.has_provider = true;
  return route;
}

CommitRef CommitOf(const std::string& sha) {
  CommitRef ref;
  ref.sha = sha;
  ref.revision = "main@sha1:" + sha;
  return ref;
}

FluxEvent EventWith(std::string severity, std::string reason, std::string message = "") {
  FluxEvent ev = MakeEvent("Kustomization", "kustomize.toolkit.fluxcd.io/v1",
                           {{"revision", "main@sha1:" + kSha1}, {"env", "production"}});
  ev.severity = std::move(severity);
  ev.reason = std::move(reason);
  ev.message = std::move(message);
  return ev;
}

// The candidate DeriveStatus returns; a test failure (and a stop) when it returns anything else.
StatusCandidate CandidateOf(const Derivation& d) {
  const auto* c = std::get_if<StatusCandidate>(&d);
  BOOST_TEST_REQUIRE(c != nullptr, "DeriveStatus did not return a StatusCandidate (index " << d.index() << ")");
  return *c;
}

StatusCandidate Candidate(StatusState state, std::string description, std::string url = "") {
  StatusCandidate c;
  c.key = {"contoso2", "simonjaeger/contoso2", kSha1, "kustomization/contoso2"};
  c.state = state;
  c.description = std::move(description);
  c.target_url = std::move(url);
  return c;
}

struct StateCase {
  std::string severity;
  std::string reason;
  StatusState state;
};

std::ostream& operator<<(std::ostream& os, const StateCase& c) {
  return os << c.severity << "/" << (c.reason.empty() ? "<empty>" : c.reason);
}

const std::vector<StateCase> kStateCases = {
    {"error", "HealthCheckFailed", StatusState::kFailure},
    {"error", "ReconciliationFailed", StatusState::kFailure},
    {"error", "Progressing", StatusState::kFailure},
    {"error", "error", StatusState::kFailure},
    {"info", "Progressing", StatusState::kPending},
    {"info", "ProgressingWithRetry", StatusState::kPending},
    {"info", "DependencyNotReady", StatusState::kPending},
    {"info", "ReconciliationSucceeded", StatusState::kSuccess},
    {"info", "NewArtifact", StatusState::kSuccess},
    {"info", "UpgradeSucceeded", StatusState::kSuccess},
    {"info", "HealthCheckCanceled", StatusState::kSuccess},
    {"info", "info", StatusState::kSuccess},
    {"info", "", StatusState::kSuccess},
    {"info", "progressing", StatusState::kSuccess},
};

// Compact copies of ../shared/samples/events/04 and 12: same commit and context; 12 is older.
constexpr std::string_view kSample04HealthCheckFailed =
    R"({"involvedObject":{"kind":"Kustomization","namespace":"flux-system","name":"contoso2",)"
    R"("uid":"5d0f6f5e-1c2b-4d3a-9e8f-7a6b5c4d3e2f","apiVersion":"kustomize.toolkit.fluxcd.io/v1",)"
    R"("resourceVersion":"123456"},"severity":"error","timestamp":"2026-11-24T10:02:14Z",)"
    R"("message":"timeout waiting for: [Deployment/default/web status: 'InProgress']\nfailed to pull )"
    R"(image \"ghcr.io/contoso/web:does-not-exist\"","reason":"HealthCheckFailed",)"
    R"("reportingController":"kustomize-controller","reportingInstance":"kustomize-controller-7d9f8b6c5-x2k4p",)"
    R"("metadata":{"revision":"main@sha1:8c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d"}})";
constexpr std::string_view kSample12OlderSuccess =
    R"({"involvedObject":{"kind":"Kustomization","namespace":"flux-system","name":"contoso2",)"
    R"("uid":"5d0f6f5e-1c2b-4d3a-9e8f-7a6b5c4d3e2f","apiVersion":"kustomize.toolkit.fluxcd.io/v1",)"
    R"("resourceVersion":"123456"},"severity":"info","timestamp":"2026-11-24T10:01:00Z",)"
    R"("message":"Reconciliation finished in 1.9s, next run in 30s","reason":"ReconciliationSucceeded",)"
    R"("reportingController":"kustomize-controller","reportingInstance":"kustomize-controller-7d9f8b6c5-x2k4p",)"
    R"("metadata":{"revision":"main@sha1:8c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d"}})";

}  // namespace

BOOST_AUTO_TEST_SUITE(DeriveStatus)

BOOST_DATA_TEST_CASE(maps_severity_and_reason_to_state_when_event_names_a_commit, bdata::make(kStateCases), c) {
  const StatusCandidate cand =
      CandidateOf(core::DeriveStatus(EventWith(c.severity, c.reason), CommitOf(kSha1), Route()));
  BOOST_TEST(cand.state == c.state);
}

BOOST_AUTO_TEST_CASE(returns_no_status_change_when_severity_is_trace) {
  const Derivation d = core::DeriveStatus(EventWith("trace", "ArtifactUpToDate"), CommitOf(kSha1), Route());
  const auto* no_change = std::get_if<NoStatusChange>(&d);
  BOOST_TEST_REQUIRE(no_change != nullptr);
  BOOST_TEST(!no_change->why.empty());
}

BOOST_AUTO_TEST_CASE(returns_no_status_change_when_trace_event_has_no_commit) {
  FluxEvent ev = EventWith("trace", "ArtifactUpToDate");
  ev.metadata.clear();
  const Derivation d = core::DeriveStatus(ev, core::ResolveCommit(ev), Route());
  BOOST_TEST(std::holds_alternative<NoStatusChange>(d));
}

BOOST_AUTO_TEST_CASE(returns_no_commit_with_reason_when_event_has_no_revision) {
  FluxEvent ev = EventWith("error", "ReconciliationFailed", "kustomization path not found");
  ev.metadata.clear();
  const Derivation d = core::DeriveStatus(ev, core::ResolveCommit(ev), Route());
  const auto* no_commit = std::get_if<NoCommit>(&d);
  BOOST_TEST_REQUIRE(no_commit != nullptr);
  BOOST_TEST(no_commit->why == "the event has no revision metadata");
}

BOOST_AUTO_TEST_CASE(returns_no_commit_with_reason_when_revision_is_a_chart_version) {
  FluxEvent ev = MakeEvent("HelmRelease", "helm.toolkit.fluxcd.io/v2", {{"revision", "6.7.1"}});
  const Derivation d = core::DeriveStatus(ev, core::ResolveCommit(ev), Route());
  const auto* no_commit = std::get_if<NoCommit>(&d);
  BOOST_TEST_REQUIRE(no_commit != nullptr);
  BOOST_TEST(no_commit->why == "revision '6.7.1' names no Git commit");
}

BOOST_AUTO_TEST_CASE(fills_key_and_description_when_route_has_defaults) {
  const StatusCandidate c = CandidateOf(core::DeriveStatus(
      EventWith("info", "ReconciliationSucceeded", "Reconciliation finished"), CommitOf(kSha1), Route()));
  BOOST_TEST(c.key.route == "contoso2");
  BOOST_TEST(c.key.repo == "simonjaeger/contoso2");
  BOOST_TEST(c.key.commit_sha == kSha1);
  BOOST_TEST(c.key.context == "kustomization/contoso2");
  BOOST_TEST(c.state == StatusState::kSuccess);
  BOOST_TEST(c.description == "reconciliation succeeded");
  BOOST_TEST(c.target_url.empty());
}

BOOST_AUTO_TEST_CASE(uses_the_resolved_sha_when_commit_ref_differs_from_metadata) {
  const std::string other = "c7918bd9173053b2d28e0b96d9492f9e3aec130d";
  const StatusCandidate c =
      CandidateOf(core::DeriveStatus(EventWith("info", "ReconciliationSucceeded"), CommitOf(other), Route()));
  BOOST_TEST(c.key.commit_sha == other);
}

BOOST_AUTO_TEST_CASE(adds_first_message_line_to_description_when_failure) {
  const StatusCandidate c = CandidateOf(
      core::DeriveStatus(EventWith("error", "HealthCheckFailed", "timeout waiting for: [Deployment/default/web]\nmore"),
                         CommitOf(kSha1), Route()));
  BOOST_TEST(c.description == "health check failed: timeout waiting for: [Deployment/default/web]");
}

BOOST_AUTO_TEST_CASE(appends_cluster_to_context_when_route_has_cluster) {
  RouteProfile route = Route();
  route.cluster = "prod";
  const StatusCandidate c =
      CandidateOf(core::DeriveStatus(EventWith("info", "ReconciliationSucceeded"), CommitOf(kSha1), route));
  BOOST_TEST(c.key.context == "kustomization/contoso2/prod");
}

BOOST_AUTO_TEST_CASE(renders_custom_context_when_route_has_template) {
  RouteProfile route = Route();
  route.context_template = "{namespace}/{kind}/{name}/{metadata.env}";
  const StatusCandidate c =
      CandidateOf(core::DeriveStatus(EventWith("info", "ReconciliationSucceeded"), CommitOf(kSha1), route));
  BOOST_TEST(c.key.context == "flux-system/kustomization/contoso2/production");
}

BOOST_AUTO_TEST_CASE(renders_target_url_when_route_has_template) {
  RouteProfile route = Route();
  route.cluster = "prod-eu-1";
  route.target_url_template = "https://flux.example.com/{cluster}/{namespace}/{kind}/{name}";
  const StatusCandidate c =
      CandidateOf(core::DeriveStatus(EventWith("info", "ReconciliationSucceeded"), CommitOf(kSha1), route));
  BOOST_TEST(c.target_url == "https://flux.example.com/prod-eu-1/flux-system/kustomization/contoso2");
}

BOOST_AUTO_TEST_SUITE_END()

// When the event with this id was received (the fold keeps it as the state's updated_at).
std::string ReceivedAt(std::int64_t event_id) { return core::FormatRfc3339Millis(1795514400000 + event_id * 1000); }

BOOST_AUTO_TEST_SUITE(Fold)

BOOST_AUTO_TEST_CASE(creates_state_when_key_has_none) {
  const FoldResult r =
      core::Fold(std::nullopt, Candidate(StatusState::kSuccess, "ok", "https://u"), 7, 1000, ReceivedAt(7));
  BOOST_TEST(r.outcome == FoldOutcome::kCreated);
  BOOST_TEST(r.Changed());
  BOOST_TEST(r.next == (KeyState{StatusState::kSuccess, "ok", "https://u", 7, 1000, ReceivedAt(7)}));
}

BOOST_AUTO_TEST_CASE(refreshes_and_moves_event_id_when_newer_event_says_the_same) {
  const KeyState current{StatusState::kSuccess, "ok", "", 7, 1000, ReceivedAt(7)};
  const FoldResult r = core::Fold(current, Candidate(StatusState::kSuccess, "ok"), 9, 2000, ReceivedAt(9));
  BOOST_TEST(r.outcome == FoldOutcome::kRefreshed);
  BOOST_TEST(!r.Changed());
  BOOST_TEST(r.next == (KeyState{StatusState::kSuccess, "ok", "", 9, 2000, ReceivedAt(9)}));
}

BOOST_AUTO_TEST_CASE(refreshes_when_same_time_and_later_id_says_the_same) {
  const KeyState current{StatusState::kSuccess, "ok", "", 7, 1000, ReceivedAt(7)};
  const FoldResult r = core::Fold(current, Candidate(StatusState::kSuccess, "ok"), 8, 1000, ReceivedAt(8));
  BOOST_TEST(r.outcome == FoldOutcome::kRefreshed);
  BOOST_TEST(r.next.event_id == 8);
}

BOOST_AUTO_TEST_CASE(changes_when_newer_event_has_another_state) {
  const KeyState current{StatusState::kPending, "progressing", "", 7, 1000, ReceivedAt(7)};
  const FoldResult r =
      core::Fold(current, Candidate(StatusState::kFailure, "health check failed: timeout"), 9, 2000, ReceivedAt(9));
  BOOST_TEST(r.outcome == FoldOutcome::kChanged);
  BOOST_TEST(r.Changed());
  BOOST_TEST(r.next == (KeyState{StatusState::kFailure, "health check failed: timeout", "", 9, 2000, ReceivedAt(9)}));
}

BOOST_AUTO_TEST_CASE(changes_when_only_description_differs) {
  const KeyState current{StatusState::kFailure, "build failed: a", "", 7, 1000, ReceivedAt(7)};
  const FoldResult r = core::Fold(current, Candidate(StatusState::kFailure, "build failed: b"), 9, 2000, ReceivedAt(9));
  BOOST_TEST(r.outcome == FoldOutcome::kChanged);
  BOOST_TEST(r.next.description == "build failed: b");
}

BOOST_AUTO_TEST_CASE(changes_when_only_target_url_differs) {
  const KeyState current{StatusState::kSuccess, "ok", "https://a", 7, 1000, ReceivedAt(7)};
  const FoldResult r = core::Fold(current, Candidate(StatusState::kSuccess, "ok", "https://b"), 9, 2000, ReceivedAt(9));
  BOOST_TEST(r.outcome == FoldOutcome::kChanged);
  BOOST_TEST(r.next.target_url == "https://b");
}

BOOST_AUTO_TEST_CASE(ignores_event_as_stale_when_timestamp_is_older) {
  const KeyState current{StatusState::kFailure, "health check failed", "", 7, 2000, ReceivedAt(7)};
  // A larger id does not help an older event: event time decides first.
  const FoldResult r = core::Fold(current, Candidate(StatusState::kSuccess, "ok"), 12, 1999, ReceivedAt(12));
  BOOST_TEST(r.outcome == FoldOutcome::kStale);
  BOOST_TEST(!r.Changed());
  BOOST_TEST(r.next == current);
}

BOOST_AUTO_TEST_CASE(ignores_earlier_id_as_stale_when_timestamps_are_equal) {
  const KeyState current{StatusState::kFailure, "health check failed", "", 7, 2000, ReceivedAt(7)};
  const FoldResult r = core::Fold(current, Candidate(StatusState::kSuccess, "ok"), 6, 2000, ReceivedAt(6));
  BOOST_TEST(r.outcome == FoldOutcome::kStale);
  BOOST_TEST(r.next == current);
}

BOOST_AUTO_TEST_CASE(later_id_wins_when_timestamps_are_equal) {
  const KeyState current{StatusState::kFailure, "health check failed", "", 7, 2000, ReceivedAt(7)};
  const FoldResult r = core::Fold(current, Candidate(StatusState::kSuccess, "ok"), 8, 2000, ReceivedAt(8));
  BOOST_TEST(r.outcome == FoldOutcome::kChanged);
  BOOST_TEST(r.next == (KeyState{StatusState::kSuccess, "ok", "", 8, 2000, ReceivedAt(8)}));
}

BOOST_AUTO_TEST_CASE(keeps_newer_failure_when_older_success_arrives_after_it) {
  // samples/events/04 (failure, 10:02:14) is logged first, then 12 (success, 10:01:00).
  const RouteProfile route = Route();
  const FluxEvent failure = ParseOrFail(kSample04HealthCheckFailed);
  const FluxEvent older_success = ParseOrFail(kSample12OlderSuccess);
  const StatusCandidate c04 = CandidateOf(core::DeriveStatus(failure, core::ResolveCommit(failure), route));
  const StatusCandidate c12 = CandidateOf(core::DeriveStatus(older_success, core::ResolveCommit(older_success), route));
  BOOST_TEST_REQUIRE((c04.key == c12.key));  // same route, commit and context

  const FoldResult first = core::Fold(std::nullopt, c04, 4, failure.time_ms, ReceivedAt(4));
  BOOST_TEST(first.outcome == FoldOutcome::kCreated);
  const FoldResult second = core::Fold(first.next, c12, 12, older_success.time_ms, ReceivedAt(12));
  BOOST_TEST(second.outcome == FoldOutcome::kStale);
  BOOST_TEST(second.next.state == StatusState::kFailure);
  BOOST_TEST(second.next.description ==
             "health check failed: timeout waiting for: [Deployment/default/web status: 'InProgress']");
  BOOST_TEST(second.next.event_id == 4);
  BOOST_TEST(second.next.event_time_ms == 1795514534000);
}

BOOST_AUTO_TEST_CASE(reaches_same_final_state_when_candidates_arrive_in_any_order) {
  struct Arrival {
    StatusCandidate candidate;
    std::int64_t id;
    std::int64_t time_ms;
  };
  // Distinct (time, id): two share a time (the later id must win), one newer time has a smaller id.
  const std::array<Arrival, 5> arrivals = {{
      {Candidate(StatusState::kPending, "progressing"), 1, 1000},
      {Candidate(StatusState::kFailure, "health check failed: a"), 5, 3000},
      {Candidate(StatusState::kSuccess, "reconciliation succeeded"), 6, 3000},
      {Candidate(StatusState::kFailure, "build failed: b"), 2, 2000},
      {Candidate(StatusState::kSuccess, "reconciliation succeeded", "https://late"), 3, 2500},
  }};
  // The winner: greatest time (3000), then greatest id (6).
  const KeyState expected{StatusState::kSuccess, "reconciliation succeeded", "", 6, 3000, ReceivedAt(6)};

  std::array<int, 5> order = {0, 1, 2, 3, 4};
  int permutations = 0;
  do {
    std::optional<KeyState> state;
    for (int i : order) {
      state = core::Fold(state, arrivals[i].candidate, arrivals[i].id, arrivals[i].time_ms, ReceivedAt(arrivals[i].id))
                  .next;
    }
    ++permutations;
    BOOST_TEST_CONTEXT("order " << order[0] << order[1] << order[2] << order[3] << order[4]) {
      BOOST_TEST(*state == expected);
    }
  } while (std::next_permutation(order.begin(), order.end()));
  BOOST_TEST(permutations == 120);
}

BOOST_AUTO_TEST_SUITE_END()
