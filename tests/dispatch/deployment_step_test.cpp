// RunDeploymentStep against the stateful fake Git host on loopback, through the real libcurl
// transport: what a user sees on the host (deployments, their statuses, environments) after
// each step, and what the step records. Steps are chained as the store chains them: each
// record is applied to the row's sync columns with core::ApplyDelivery.
#include <ostream>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "core/deployment_fold.h"
#include "core/sync_state.h"
#include "dispatch/deployment_step.h"
#include "dispatch/github_deployments.h"
#include "dispatch/gitlab_deployments.h"
#include "dispatch/http_transport.h"
#include "tests/support/fake_git_host.h"

namespace fluxstatus::core {
// For Boost.Test's messages.
inline std::ostream& operator<<(std::ostream& os, SyncState s) { return os << ToString(s); }
inline std::ostream& operator<<(std::ostream& os, DeliveryResult r) { return os << static_cast<int>(r); }
}  // namespace fluxstatus::core

using namespace fluxstatus;
using namespace fluxstatus::dispatch;
using fluxstatus::testing::FakeGitHost;
using fluxstatus::testing::HostKind;
using Result = store::DeliveryRecord::Result;

namespace {

constexpr const char* kSha = "89abcdef0123456789abcdef0123456789abcdef";
constexpr std::int64_t kNowMs = 1'700'000'000'000;

// One deployment row (route r1, environment prod-eu) and the step's surroundings: the real
// transport, the kSending records the step persists, a fixed clock.
struct Harness {
  explicit Harness(const DeploymentProvider& p, std::string repo) : provider(p) {
    row.sink = core::Sink::kDeployment;
    row.key = {"r1", std::move(repo), kSha, core::DeploymentContext("prod-eu")};
    env.send = [this](const HttpCall& c) { return transport.Send(c); };
    env.persist_sending = [this](const store::DeliveryRecord& r) {
      sending.push_back(r);
      row.sync = core::ApplyDelivery(row.sync, row.fold, r);  // as the store would
      return true;
    };
    env.now_ms = [] { return kNowMs; };
  }

  // The fold moves the row to `state` (a new event), as the live writer would.
  void Want(core::StatusState state, std::string description = "1/1 ready") {
    row.fold.state = state;
    row.fold.description = std::move(description);
    ++row.fold.event_id;
    row.sync.sync_state = store::SyncState::kPending;
  }

  // One step; its record is applied to the row.
  StepResult Step() {
    core::DeploymentSpec spec;
    spec.environment = "prod-eu";
    spec.environment_url = environment_url;
    const DesiredDeployment d = DesiredDeploymentOf(row, spec, "eu", "main@sha1:" + std::string(kSha));
    StepResult r = RunDeploymentStep(row, provider, d, env);
    row.sync = core::ApplyDelivery(row.sync, row.fold, r.record);
    return r;
  }

  const DeploymentProvider& provider;
  CurlTransport transport{TransportOptions{}};
  store::StatusRow row;
  StepEnvironment env;
  std::vector<store::DeliveryRecord> sending;
  std::string environment_url;
};

std::vector<std::string> Outcomes(const StepResult& r) {
  std::vector<std::string> out;
  for (const auto& a : r.record.attempts) out.push_back(a.outcome);
  return out;
}

std::vector<std::string> States(const testing::FakeDeployment& d) {
  std::vector<std::string> out;
  for (const auto& s : d.statuses) out.push_back(s.state);
  return out;
}

int Posts(const FakeGitHost& host) {
  int n = 0;
  for (const auto& r : host.Requests()) n += r.method != "GET";
  return n;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(DeploymentStep)

BOOST_AUTO_TEST_CASE(github_creates_one_deployment_and_moves_it_in_progress_then_success) {
  FakeGitHost host;
  const GitHubDeployments gh("r1", host.Address(HostKind::kGitHub, "o/r"));
  Harness h(gh, "o/r");
  h.Want(core::StatusState::kPending);
  const auto first = h.Step();
  BOOST_TEST(first.record.result == Result::kSynced, first.record.error);
  BOOST_TEST((Outcomes(first) == std::vector<std::string>{"listed", "created", "delivered"}));
  auto deployments = host.GitHubDeployments("o/r");
  BOOST_TEST_REQUIRE(deployments.size() == 1u);
  const std::string id = std::to_string(deployments[0].id);
  BOOST_TEST(deployments[0].sha == kSha);
  BOOST_TEST(deployments[0].environment == "prod-eu");
  BOOST_TEST((States(deployments[0]) == std::vector<std::string>{"in_progress"}));
  // The create went out with auto_merge off (the fake answers 409 otherwise), after a kSending
  // record, the id was recorded at once after it, and the state post had its own record.
  BOOST_TEST_REQUIRE(h.sending.size() == 3u);
  BOOST_TEST(!h.sending[0].host_object_id.has_value());
  BOOST_TEST(h.sending[1].host_object_id.value_or("") == id);
  BOOST_TEST(h.sending[2].host_object_id.value_or("") == id);
  BOOST_TEST(h.row.sync.host_object_id.value_or("") == id);
  BOOST_TEST(h.row.sync.sync_state == store::SyncState::kSynced);

  h.Want(core::StatusState::kSuccess, "2/2 ready");
  host.ClearRequests();
  const auto second = h.Step();
  BOOST_TEST(second.record.result == Result::kSynced, second.record.error);
  BOOST_TEST((Outcomes(second) == std::vector<std::string>{"delivered"}));  // the stored id: no list, no create
  BOOST_TEST(host.Requests().size() == 1u);
  deployments = host.GitHubDeployments("o/r");
  BOOST_TEST_REQUIRE(deployments.size() == 1u);
  BOOST_TEST((States(deployments[0]) == std::vector<std::string>{"in_progress", "success"}));
  BOOST_TEST(deployments[0].statuses.back().description == "2/2 ready");
}

BOOST_AUTO_TEST_CASE(the_same_state_again_makes_no_call_even_with_new_words) {
  FakeGitHost host;
  const GitHubDeployments gh("r1", host.Address(HostKind::kGitHub, "o/r"));
  Harness h(gh, "o/r");
  h.Want(core::StatusState::kPending, "0/2 ready");
  BOOST_TEST_REQUIRE(h.Step().record.result == Result::kSynced);
  host.ClearRequests();
  h.Want(core::StatusState::kPending, "1/2 ready");
  const auto again = h.Step();
  BOOST_TEST(again.record.result == Result::kSynced);
  BOOST_TEST(again.calls == 0);
  BOOST_TEST(host.Requests().empty());
  BOOST_TEST(host.GitHubDeployments("o/r")[0].statuses.size() == 1u);
}

// The review's case: success is confirmed, an in_progress post reaches the host but its answer
// is lost, and by the next step the commit is wanted at success again. The host shows
// in_progress, so success must be posted again, not taken as confirmed.
BOOST_AUTO_TEST_CASE(a_state_post_whose_answer_was_lost_is_not_taken_as_the_old_confirmation) {
  FakeGitHost host;
  const GitHubDeployments gh("r1", host.Address(HostKind::kGitHub, "o/r"));
  Harness h(gh, "o/r");
  h.Want(core::StatusState::kSuccess);
  BOOST_TEST_REQUIRE(h.Step().record.result == Result::kSynced);
  h.Want(core::StatusState::kPending, "0/1 ready");
  host.DropConnectionAfterNextPosts(1);  // applied on the host, never answered
  const auto lost = h.Step();
  BOOST_TEST(lost.record.result == Result::kRetry);
  host.AwaitListening();
  BOOST_TEST_REQUIRE((States(host.GitHubDeployments("o/r")[0]) == std::vector<std::string>{"success", "in_progress"}));
  h.Want(core::StatusState::kSuccess);
  const auto again = h.Step();
  BOOST_TEST(again.record.result == Result::kSynced, again.record.error);
  BOOST_TEST(
      (States(host.GitHubDeployments("o/r")[0]) == std::vector<std::string>{"success", "in_progress", "success"}));
}

BOOST_AUTO_TEST_CASE(in_flight_without_an_id_finds_the_deployment_and_creates_none) {
  FakeGitHost host;
  const GitHubDeployments gh("r1", host.Address(HostKind::kGitHub, "o/r"));
  Harness h(gh, "o/r");
  h.Want(core::StatusState::kPending);
  BOOST_TEST_REQUIRE(h.Step().record.result == Result::kSynced);
  const std::string id = std::to_string(host.GitHubDeployments("o/r")[0].id);
  // A crash between the create and the record of its id: in flight, no id.
  h.row.sync.host_object_id.reset();
  h.row.sync.in_flight = true;
  h.Want(core::StatusState::kSuccess);
  const auto r = h.Step();
  BOOST_TEST(r.record.result == Result::kSynced, r.record.error);
  BOOST_TEST((Outcomes(r) == std::vector<std::string>{"found", "delivered"}));
  BOOST_TEST(r.record.host_object_id.value_or("") == id);
  const auto deployments = host.GitHubDeployments("o/r");
  BOOST_TEST(deployments.size() == 1u);
  BOOST_TEST((States(deployments[0]) == std::vector<std::string>{"in_progress", "success"}));
}

BOOST_AUTO_TEST_CASE(a_5xx_is_retried_later_and_a_422_fails_with_githubs_words) {
  FakeGitHost host;
  const GitHubDeployments gh("r1", host.Address(HostKind::kGitHub, "o/r"));
  Harness h(gh, "o/r");
  h.Want(core::StatusState::kPending);
  host.FailNext(1, 502);
  const auto retried = h.Step();
  BOOST_TEST(retried.record.result == Result::kRetry);
  BOOST_TEST(retried.record.next_attempt_ms.value_or(0) > kNowMs);
  BOOST_TEST(retried.record.error.rfind("HTTP 502", 0) == 0u, retried.record.error);
  BOOST_TEST(host.GitHubDeployments("o/r").empty());
  BOOST_TEST(h.row.sync.attempts == 1);

  BOOST_TEST_REQUIRE(h.Step().record.result == Result::kSynced);  // the retry goes through
  h.Want(core::StatusState::kFailure);
  host.FailNext(1, 422, {}, R"({"message":"Validation Failed","documentation_url":"https://docs.github.com"})");
  const auto failed = h.Step();
  BOOST_TEST(failed.record.result == Result::kFailed);
  BOOST_TEST(failed.record.error.rfind("HTTP 422", 0) == 0u, failed.record.error);
  BOOST_TEST(failed.record.error.find("Validation Failed") != std::string::npos, failed.record.error);
  BOOST_TEST(h.row.sync.sync_state == store::SyncState::kFailed);
  BOOST_TEST((States(host.GitHubDeployments("o/r")[0]) == std::vector<std::string>{"in_progress"}));
}

BOOST_AUTO_TEST_CASE(gitlab_creates_running_then_success_and_sets_the_external_url_once) {
  FakeGitHost host;
  const GitLabDeployments gl("r1", host.Address(HostKind::kGitLab, "acme/app"));
  Harness h(gl, "acme/app");
  h.environment_url = "https://eu.example/{commit}";
  h.Want(core::StatusState::kPending);
  const auto first = h.Step();
  BOOST_TEST(first.record.result == Result::kSynced, first.record.error);
  // Created running: no state PUT after the create; the environment's link set.
  BOOST_TEST((Outcomes(first) == std::vector<std::string>{"listed", "created", "listed", "delivered"}));
  auto deployments = host.GitLabDeployments("acme/app");
  BOOST_TEST_REQUIRE(deployments.size() == 1u);
  BOOST_TEST(deployments[0].status == "running");
  BOOST_TEST(deployments[0].ref == "main");  // the branch of the revision
  auto environments = host.GitLabEnvironments("acme/app");
  BOOST_TEST_REQUIRE(environments.size() == 1u);
  BOOST_TEST(environments[0].name == "prod-eu");
  BOOST_TEST(environments[0].external_url == "https://eu.example/" + std::string(kSha));

  h.Want(core::StatusState::kSuccess);
  host.ClearRequests();
  const auto second = h.Step();
  BOOST_TEST(second.record.result == Result::kSynced, second.record.error);
  BOOST_TEST((Outcomes(second) == std::vector<std::string>{"delivered"}));
  BOOST_TEST(Posts(host) == 1);  // the state PUT only: no environment call
  deployments = host.GitLabDeployments("acme/app");
  BOOST_TEST_REQUIRE(deployments.size() == 1u);
  BOOST_TEST(deployments[0].status == "success");
}

BOOST_AUTO_TEST_CASE(gitlab_in_progress_after_success_makes_a_new_deployment) {
  FakeGitHost host;
  const GitLabDeployments gl("r1", host.Address(HostKind::kGitLab, "acme/app"));
  Harness h(gl, "acme/app");
  h.Want(core::StatusState::kPending);
  BOOST_TEST_REQUIRE(h.Step().record.result == Result::kSynced);
  h.Want(core::StatusState::kSuccess);
  BOOST_TEST_REQUIRE(h.Step().record.result == Result::kSynced);
  const std::string old_id = h.row.sync.host_object_id.value_or("");

  h.Want(core::StatusState::kPending);  // a new reconciliation of the same commit
  const auto r = h.Step();
  BOOST_TEST(r.record.result == Result::kSynced, r.record.error);
  // GitLab refuses running after success: the finished one is forgotten, a new one created.
  BOOST_TEST((Outcomes(r) == std::vector<std::string>{"reconcile", "listed", "created"}));
  const auto deployments = host.GitLabDeployments("acme/app");
  BOOST_TEST_REQUIRE(deployments.size() == 2u);
  BOOST_TEST(deployments[0].status == "success");
  BOOST_TEST(deployments[1].status == "running");
  BOOST_TEST(h.row.sync.host_object_id.value_or("") == std::to_string(deployments[1].id));
  BOOST_TEST(h.row.sync.host_object_id.value_or("") != old_id);

  h.Want(core::StatusState::kSuccess);
  BOOST_TEST(h.Step().record.result == Result::kSynced);
  BOOST_TEST(host.GitLabDeployments("acme/app")[1].status == "success");
  BOOST_TEST(host.GitLabDeployments("acme/app").size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_stored_id_the_host_no_longer_has_is_forgotten_and_replaced) {
  FakeGitHost host;
  const GitHubDeployments gh("r1", host.Address(HostKind::kGitHub, "o/r"));
  Harness h(gh, "o/r");
  h.row.sync.host_object_id = "999999";
  h.row.sync.synced_state = "pending";
  h.Want(core::StatusState::kSuccess);
  const auto r = h.Step();
  BOOST_TEST(r.record.result == Result::kSynced, r.record.error);
  const auto deployments = host.GitHubDeployments("o/r");
  BOOST_TEST_REQUIRE(deployments.size() == 1u);
  BOOST_TEST((States(deployments[0]) == std::vector<std::string>{"success"}));
  BOOST_TEST(h.row.sync.host_object_id.value_or("") == std::to_string(deployments[0].id));
}

BOOST_AUTO_TEST_CASE(a_rate_limit_pauses_the_host_and_a_short_lease_stops_before_the_create) {
  FakeGitHost host;
  const GitHubDeployments gh("r1", host.Address(HostKind::kGitHub, "o/r"));
  Harness h(gh, "o/r");
  h.Want(core::StatusState::kPending);
  host.RateLimitNext(1, 30);
  const auto limited = h.Step();
  BOOST_TEST(limited.record.result == Result::kRetry);
  BOOST_TEST(limited.pause_host_until_ms.value_or(0) == kNowMs + 30'000);
  BOOST_TEST(limited.record.next_attempt_ms.value_or(0) >= kNowMs + 30'000);

  h.env.lease_covers = [](LeaseAction a) { return a != LeaseAction::kSend; };
  const auto short_lease = h.Step();
  BOOST_TEST(short_lease.lease_short);
  BOOST_TEST(short_lease.record.result == Result::kSending);
  BOOST_TEST((Outcomes(short_lease) == std::vector<std::string>{"listed"}));
  BOOST_TEST(h.sending.empty());  // nothing was about to be created
  BOOST_TEST(host.GitHubDeployments("o/r").empty());
}

BOOST_AUTO_TEST_SUITE_END()
