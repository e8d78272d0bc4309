// RunCheckRunStep against the stateful fake GitHub on loopback, through the real libcurl
// transport: the check runs a user sees on the commit after each step, and what the step
// records. Steps are chained as the store chains them: each record is applied to the row's
// sync columns with core::ApplyDelivery.
#include <ostream>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "core/rfc3339.h"
#include "core/sync_state.h"
#include "dispatch/check_run_step.h"
#include "dispatch/github_check_runs.h"
#include "dispatch/http_transport.h"
#include "tests/support/fake_git_host.h"

namespace fluxstatus::core {
// For Boost.Test's messages.
inline std::ostream& operator<<(std::ostream& os, DeliveryResult r) { return os << static_cast<int>(r); }
}  // namespace fluxstatus::core

using namespace fluxstatus;
using namespace fluxstatus::dispatch;
using fluxstatus::testing::FakeCheckRun;
using fluxstatus::testing::FakeGitHost;
using fluxstatus::testing::HostKind;
using Result = store::DeliveryRecord::Result;

namespace {

constexpr const char* kSha = "89abcdef0123456789abcdef0123456789abcdef";
constexpr const char* kApps = "kustomization/apps/eu";
constexpr std::int64_t kNowMs = 1'764'000'000'000;  // 2025-11-24T16:00:00Z
const std::string kInstallationToken = "ghs_install";
const std::string kFailure =
    "health check failed after 5m0.031s: timeout waiting for: [Deployment/apps/podinfo status: 'InProgress', "
    "StatefulSet/db/pg status: 'Failed', ClusterRole/podinfo-reader status: 'NotFound']\n"
    "Deployment/apps/podinfo: failed to pull image \"ghcr.io/stefanprodan/podinfo:6.9.9\": not found";

// A GitHub with the App 4242 (installation token kInstallationToken) and a PAT it also takes.
struct Host {
  Host() : fake(FakeGitHost::Options{"ghp_pat", "", 1, 0}) {
    fake.SetGitHubApp("4242", "", kInstallationToken, 4102444800);
  }
  std::vector<FakeCheckRun> Runs() const { return fake.GitHubCheckRuns("o/r", kSha, kApps); }
  FakeGitHost fake;
};

// One check-run row (route r1, context kApps) and the step's surroundings: the real transport,
// the kSending records the step persists, a fixed clock, the key's history as the store has it.
struct Harness {
  explicit Harness(Host& h) : host(h), provider("r1", h.fake.Address(HostKind::kGitHub, "o/r"), "4242") {
    row.sink = core::Sink::kCheckRun;
    row.key = {"r1", "o/r", kSha, kApps};
    env.credentials.token = kInstallationToken;
    env.send = [this](const HttpCall& c) { return transport.Send(c); };
    env.persist_sending = [this](const store::DeliveryRecord& r) {
      row.sync = core::ApplyDelivery(row.sync, row.fold, r);  // as the store would
      return true;
    };
    env.now_ms = [] { return kNowMs; };
  }

  // A new event moves the key to `state` at `at_s` seconds after kNowMs, as the live writer would.
  void Want(core::StatusState state, std::string reason, std::string message, int at_s) {
    row.fold.state = state;
    row.fold.description = reason + ": " + message.substr(0, 40);
    row.fold.event_time_ms = kNowMs + at_s * 1000;
    ++row.fold.event_id;
    row.sync.sync_state = store::SyncState::kPending;
    event = store::EventFacts{"Kustomization",
                              "flux-system",
                              "apps",
                              std::move(reason),
                              std::move(message),
                              core::FormatRfc3339Millis(row.fold.event_time_ms),
                              "main@sha1:" + std::string(kSha)};
    history.push_back(
        {row.key, std::string(core::ToString(state)), row.fold.description, event->event_time, "", row.fold.event_id});
  }

  StepResult Step() {
    const DesiredCheckRun d = DesiredCheckRunOf(row, event, history, "eu");
    StepResult r = RunCheckRunStep(row, provider, d, env);
    row.sync = core::ApplyDelivery(row.sync, row.fold, r.record);
    return r;
  }

  Host& host;
  GitHubCheckRuns provider;
  CurlTransport transport{TransportOptions{}};
  store::StatusRow row;
  StepEnvironment env;
  std::optional<store::EventFacts> event;
  std::vector<store::ChangeRow> history;
};

std::vector<std::string> Outcomes(const StepResult& r) {
  std::vector<std::string> out;
  for (const auto& a : r.record.attempts) out.push_back(a.outcome);
  return out;
}

// "in_progress", or "completed/failure": what a run shows at one moment.
std::string Shown(const testing::FakeCheckRunState& s) {
  return s.status == "completed" ? "completed/" + s.conclusion : s.status;
}
std::vector<std::string> Phases(const FakeCheckRun& run) {
  std::vector<std::string> out;
  for (const auto& s : run.history) out.push_back(Shown(s));
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(CheckRunStep)

BOOST_AUTO_TEST_CASE(progressing_failed_fixed_is_one_run_moved_in_place_then_a_new_one_in_three_calls) {
  Host host;
  Harness h(host);
  h.Want(core::StatusState::kPending, "Progressing", "Deployment/apps/podinfo configured", 0);
  auto r = h.Step();
  BOOST_TEST(r.record.result == Result::kSynced, r.record.error);
  BOOST_TEST((Outcomes(r) == std::vector<std::string>{"created"}));  // never sent: no lookup
  h.Want(core::StatusState::kFailure, "HealthCheckFailed", kFailure, 300);
  r = h.Step();
  BOOST_TEST(r.record.result == Result::kSynced, r.record.error);
  BOOST_TEST((Outcomes(r) == std::vector<std::string>{"delivered"}));  // the PATCH of the run in progress
  h.Want(core::StatusState::kSuccess, "ReconciliationSucceeded", "Applied revision: main@sha1:89abcdef", 600);
  r = h.Step();
  BOOST_TEST(r.record.result == Result::kSynced, r.record.error);
  BOOST_TEST((Outcomes(r) == std::vector<std::string>{"created"}));  // completed: a new run

  const auto runs = host.Runs();
  BOOST_TEST_REQUIRE(runs.size() == 2u);
  BOOST_TEST((Phases(runs[0]) == std::vector<std::string>{"in_progress", "completed/failure"}));
  BOOST_TEST(runs[0].started_at == "2025-11-24T16:00:00Z");
  BOOST_TEST(runs[0].completed_at == "2025-11-24T16:05:00Z");
  BOOST_TEST(runs[0].output.title == "health check failed");
  BOOST_TEST(runs[0].output.text.find("failed to pull image") != std::string::npos);  // the second line
  for (const char* name : {"| podinfo |", "| pg |", "| podinfo-reader |"}) {
    BOOST_TEST(runs[0].output.summary.find(name) != std::string::npos, name);
  }
  BOOST_TEST(Shown(runs[1]) == "completed/success");
  BOOST_TEST(runs[1].external_id == runs[0].external_id);
  BOOST_TEST(h.row.sync.host_object_id.value_or("") == std::to_string(runs[1].id));
  BOOST_TEST(host.fake.GitHubCheckRunPatchesAfterCompletion() == 0);
}

BOOST_AUTO_TEST_CASE(a_repeated_failure_in_new_words_neither_patches_the_completed_run_nor_makes_a_new_one) {
  Host host;
  Harness h(host);
  h.Want(core::StatusState::kFailure, "HealthCheckFailed", kFailure, 0);
  BOOST_TEST(h.Step().record.result == Result::kSynced);
  host.fake.ClearRequests();
  h.Want(core::StatusState::kFailure, "HealthCheckFailed", "health check failed after 5m0.044s: " + kFailure, 60);
  const auto r = h.Step();
  BOOST_TEST(r.record.result == Result::kSynced);
  BOOST_TEST(r.calls == 0);
  BOOST_TEST(host.Runs().size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_create_whose_answer_was_lost_is_found_by_its_external_id_and_not_made_twice) {
  Host host;
  Harness h(host);
  h.Want(core::StatusState::kPending, "Progressing", "Deployment/apps/podinfo configured", 0);
  host.fake.DropConnectionAfterNextPosts(1);
  auto r = h.Step();
  BOOST_TEST(r.record.result == Result::kRetry);
  BOOST_TEST(h.row.sync.in_flight);
  BOOST_TEST_REQUIRE(host.Runs().size() == 1u);  // it reached GitHub
  host.fake.AwaitListening();

  r = h.Step();
  BOOST_TEST(r.record.result == Result::kSynced, r.record.error);
  // Found, and PATCHed: a run in progress is not taken as showing the row by its title alone.
  BOOST_TEST((Outcomes(r) == std::vector<std::string>{"found", "delivered"}));
  BOOST_TEST(host.Runs().size() == 1u);
  BOOST_TEST(h.row.sync.host_object_id.value_or("") == std::to_string(host.Runs()[0].id));

  h.Want(core::StatusState::kSuccess, "ReconciliationSucceeded", "Applied revision: main@sha1:89abcdef", 60);
  r = h.Step();
  BOOST_TEST((Outcomes(r) == std::vector<std::string>{"delivered"}));  // the found run, moved in place
  BOOST_TEST(host.Runs().size() == 1u);
  BOOST_TEST(Shown(host.Runs()[0]) == "completed/success");
}

BOOST_AUTO_TEST_CASE(a_stored_run_another_app_made_is_left_alone_and_the_key_gets_its_own) {
  Host host;
  FakeCheckRun foreign;
  foreign.name = kApps;
  foreign.status = "in_progress";
  foreign.head_sha = kSha;
  foreign.app_id = "15368";  // e.g. github-actions, or the App the route used before
  foreign = host.fake.AddGitHubCheckRun("o/r", foreign);
  Harness h(host);
  h.Want(core::StatusState::kPending, "Progressing", "Deployment/apps/podinfo configured", 0);
  h.row.sync.host_object_id = std::to_string(foreign.id);
  h.row.sync.synced_state = "pending";
  h.row.sync.synced_description = "older words";
  const auto r = h.Step();
  BOOST_TEST(r.record.result == Result::kSynced, r.record.error);
  BOOST_TEST((Outcomes(r) == std::vector<std::string>{"failed", "created"}));  // 403 Invalid app_id, then ours
  const auto runs = host.Runs();
  BOOST_TEST_REQUIRE(runs.size() == 2u);
  BOOST_TEST(runs[1].app_id == "4242");
  BOOST_TEST(h.row.sync.host_object_id.value_or("") == std::to_string(runs[1].id));
}

// The review's cases: GitHub (or a proxy) applies a write and answers 502; a PATCH meets the
// rate limit. Neither may leave a run behind while the key gets a second one.
BOOST_AUTO_TEST_CASE(a_create_answered_502_after_it_was_applied_is_found_not_made_again) {
  Host host;
  Harness h(host);
  h.Want(core::StatusState::kPending, "Progressing", "Deployment/apps/podinfo configured", 0);
  host.fake.DropConnectionAfterNextPosts(1);  // applied, never answered: the same as a 502 after it
  auto r = h.Step();
  host.fake.AwaitListening();
  BOOST_TEST_REQUIRE(host.Runs().size() == 1u);
  h.Want(core::StatusState::kFailure, "HealthCheckFailed", kFailure, 60);
  host.fake.FailNext(1, 502);  // the lookup meets a 502 too: still no create
  r = h.Step();
  BOOST_TEST(r.record.result == Result::kRetry);
  BOOST_TEST(h.row.sync.in_flight);
  r = h.Step();
  BOOST_TEST(r.record.result == Result::kSynced, r.record.error);
  BOOST_TEST((Outcomes(r) == std::vector<std::string>{"found", "delivered"}));
  const auto runs = host.Runs();
  BOOST_TEST_REQUIRE(runs.size() == 1u);
  BOOST_TEST((Phases(runs[0]) == std::vector<std::string>{"in_progress", "completed/failure"}));
}

BOOST_AUTO_TEST_CASE(a_rate_limited_patch_keeps_the_run_and_moves_it_once_the_limit_ends) {
  Host host;
  Harness h(host);
  h.Want(core::StatusState::kPending, "Progressing", "Deployment/apps/podinfo configured", 0);
  BOOST_TEST_REQUIRE(h.Step().record.result == Result::kSynced);
  h.Want(core::StatusState::kFailure, "HealthCheckFailed", kFailure, 60);
  host.fake.FailNext(1, 403, {{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", "1764000100"}},
                     R"({"message":"API rate limit exceeded"})");
  auto r = h.Step();
  BOOST_TEST(r.record.result == Result::kRetry, r.record.error);
  BOOST_TEST(r.pause_host_until_ms.has_value());
  BOOST_TEST((Outcomes(r) == std::vector<std::string>{"retry"}));  // no create beside the run
  r = h.Step();
  BOOST_TEST(r.record.result == Result::kSynced, r.record.error);
  const auto runs = host.Runs();
  BOOST_TEST_REQUIRE(runs.size() == 1u);
  BOOST_TEST((Phases(runs[0]) == std::vector<std::string>{"in_progress", "completed/failure"}));
  BOOST_TEST(host.fake.GitHubCheckRunPatchesAfterCompletion() == 0);
}

BOOST_AUTO_TEST_CASE(a_5xx_is_retried_and_a_token_that_is_no_app_fails_naming_the_fix) {
  Host host;
  Harness h(host);
  h.Want(core::StatusState::kPending, "Progressing", "Deployment/apps/podinfo configured", 0);
  host.fake.FailNext(1, 502);
  auto r = h.Step();
  BOOST_TEST(r.record.result == Result::kRetry);
  BOOST_TEST(r.record.error.find("HTTP 502") == 0u, r.record.error);
  BOOST_TEST(host.Runs().empty());
  // A 502 may come after GitHub applied the create (a proxy's timeout): the key stays in flight,
  // so the next step looks for that run before it creates one.
  BOOST_TEST(h.row.sync.in_flight);

  h.env.credentials.token = "ghp_pat";
  r = h.Step();
  BOOST_TEST(r.record.result == Result::kFailed);
  BOOST_TEST(r.record.error.find("GitHub App") != std::string::npos, r.record.error);
  BOOST_TEST(host.Runs().empty());
}

BOOST_AUTO_TEST_SUITE_END()
