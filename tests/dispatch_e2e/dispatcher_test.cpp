// The dispatcher wired in-process against the fake Git host: only the newest desired state is
// sent, duplicates send nothing, uncertain sends are listed before re-posting, every call is a
// delivery_attempts row, and sync_state tells pending/synced/failed/skipped.
#include <algorithm>
#include <boost/test/unit_test.hpp>

#include "tests/dispatch_e2e/e2e_support.h"

namespace fluxstatus::dispatch_e2e {
namespace {

const std::string kApps = "kustomization/apps";
}  // namespace

BOOST_AUTO_TEST_SUITE(Dispatcher)

BOOST_AUTO_TEST_CASE(only_the_newest_state_is_sent_when_states_are_superseded_before_sending) {
  FakeGitHost host;
  InProcess svc(host, {{"gh", HostKind::kGitHub}});
  const std::string sha = Sha(1);
  // Three states arrive while nothing is dispatching: only the last may reach the host.
  svc.Submit("gh", Progressing(sha, 0));
  svc.Submit("gh", Failed(sha, 1));
  svc.Submit("gh", Succeeded(sha, 2));
  svc.StartDispatcher();
  BOOST_TEST_REQUIRE(WaitAllSynced(svc.db_path(), 1));
  BOOST_TEST(HostStates(host, HostKind::kGitHub, "acme/app", sha, kApps) == std::vector<std::string>{"success"});
  BOOST_TEST(CountRequests(host, "POST") == 1);
  BOOST_TEST(QueryInt(svc.db_path(), "SELECT count(*) FROM status_history") == 3);
  BOOST_TEST(Outcomes(svc.db_path(), sha, kApps) == std::vector<std::string>{"delivered"});
}

BOOST_AUTO_TEST_CASE(states_that_arrive_while_a_send_is_in_flight_collapse_to_the_newest) {
  FakeGitHost host;
  InProcess svc(host, {{"gh", HostKind::kGitHub}});
  svc.StartDispatcher();
  const std::string sha = Sha(2);
  host.SetDelay(std::chrono::milliseconds(500));
  svc.Submit("gh", Progressing(sha, 0));
  BOOST_TEST_REQUIRE(WaitUntil([&] { return CountRequests(host, "POST") == 1; }));
  // While "pending" is on its way, failure and then success arrive: failure is never sent.
  svc.Submit("gh", Failed(sha, 1));
  svc.Submit("gh", Succeeded(sha, 2));
  host.SetDelay(std::chrono::milliseconds(0));
  BOOST_TEST_REQUIRE(WaitUntil([&] {
    return SyncState(svc.db_path(), sha, kApps) == "synced" &&
           HostStates(host, HostKind::kGitHub, "acme/app", sha, kApps).size() == 2;
  }));
  BOOST_TEST(HostStates(host, HostKind::kGitHub, "acme/app", sha, kApps) ==
             (std::vector<std::string>{"pending", "success"}));
  BOOST_TEST(CountRequests(host, "POST") == 2);
  BOOST_TEST(QueryRows(svc.db_path(), "SELECT state FROM delivery_attempts ORDER BY id") ==
             (std::vector<Row>{{"pending"}, {"success"}}));
}

BOOST_AUTO_TEST_CASE(nothing_is_sent_when_an_event_is_a_duplicate_or_repeats_the_state) {
  FakeGitHost host;
  InProcess svc(host, {{"gh", HostKind::kGitHub}});
  svc.StartDispatcher();
  const std::string sha = Sha(3);
  svc.Submit("gh", Succeeded(sha, 0));
  BOOST_TEST_REQUIRE(WaitAllSynced(svc.db_path(), 1));
  const auto duplicate = svc.Submit("gh", Succeeded(sha, 0));
  BOOST_TEST(duplicate.duplicate);
  svc.Submit("gh", Succeeded(sha, 30));  // a later reconciliation saying the same thing
  // A second key on the same host is the barrier: once it is synced, the workers have had
  // every chance to (wrongly) send the first key again.
  svc.Submit("gh", Succeeded(sha, 31, "infra"));
  BOOST_TEST_REQUIRE(WaitAllSynced(svc.db_path(), 2));
  BOOST_TEST(HostStates(host, HostKind::kGitHub, "acme/app", sha, kApps) == std::vector<std::string>{"success"});
  BOOST_TEST(CountRequests(host, "POST") == 2);
  BOOST_TEST(Outcomes(svc.db_path(), sha, kApps) == std::vector<std::string>{"delivered"});
}

BOOST_AUTO_TEST_CASE(the_host_is_listed_before_reposting_when_a_send_timed_out_after_reaching_it) {
  FakeGitHost host;
  InProcessOptions options;
  options.transport_timeout = std::chrono::milliseconds(300);
  options.max_attempts = 10;
  InProcess svc(host, {{"gh", HostKind::kGitHub}}, options);
  svc.StartDispatcher();
  const std::string sha = Sha(4);
  host.SetDelay(std::chrono::milliseconds(1500));  // applied at once, answered after the timeout
  svc.Submit("gh", Succeeded(sha, 0));
  BOOST_TEST_REQUIRE(WaitUntil([&] {
    return QueryInt(svc.db_path(), "SELECT count(*) FROM delivery_attempts WHERE outcome = 'uncertain'") >= 1;
  }));
  host.SetDelay(std::chrono::milliseconds(0));
  BOOST_TEST_REQUIRE(WaitAllSynced(svc.db_path(), 1));
  BOOST_TEST(CountRequests(host, "POST") == 1);  // never posted twice
  BOOST_TEST(CountRequests(host, "GET") >= 1);
  BOOST_TEST(HostStates(host, HostKind::kGitHub, "acme/app", sha, kApps) == std::vector<std::string>{"success"});
  const auto outcomes = Outcomes(svc.db_path(), sha, kApps);
  BOOST_TEST_REQUIRE(!outcomes.empty());
  BOOST_TEST(outcomes.front() == "uncertain");
  BOOST_TEST(outcomes.back() == "already_on_host");
  BOOST_TEST(QueryInt(svc.db_path(), "SELECT count(*) FROM delivery_attempts") ==
             static_cast<std::int64_t>(host.Requests().size()));
  BOOST_TEST(QueryInt(svc.db_path(), "SELECT in_flight FROM commit_statuses") == 0);
}

BOOST_AUTO_TEST_CASE(the_host_is_listed_first_when_a_send_was_recorded_but_not_its_answer) {
  FakeGitHost host;
  InProcess svc(host, {{"gh", HostKind::kGitHub}});
  const std::string on_host = Sha(5), missing = Sha(6);
  svc.Submit("gh", Succeeded(on_host, 0));
  svc.Submit("gh", Failed(missing, 0));
  // Both sends were marked in flight; one reached the host, the other never left.
  svc.RecordForCurrentState("gh", on_host, kApps, store::DeliveryRecord::Result::kSending);
  svc.RecordForCurrentState("gh", missing, kApps, store::DeliveryRecord::Result::kSending);
  svc.PostDirectly("gh", on_host, kApps);
  BOOST_TEST(QueryInt(svc.db_path(), "SELECT count(*) FROM commit_statuses WHERE in_flight = 1") == 2);
  host.ClearRequests();
  svc.StartDispatcher();
  BOOST_TEST_REQUIRE(WaitAllSynced(svc.db_path(), 2));
  BOOST_TEST(CountRequests(host, "POST", on_host) == 0);
  BOOST_TEST(CountRequests(host, "GET", on_host) == 1);
  BOOST_TEST(CountRequests(host, "GET", missing) == 1);
  BOOST_TEST(CountRequests(host, "POST", missing) == 1);
  BOOST_TEST(HostStates(host, HostKind::kGitHub, "acme/app", on_host, kApps) == std::vector<std::string>{"success"});
  BOOST_TEST(HostStates(host, HostKind::kGitHub, "acme/app", missing, kApps) == std::vector<std::string>{"failure"});
  BOOST_TEST(Outcomes(svc.db_path(), on_host, kApps) == std::vector<std::string>{"already_on_host"});
  BOOST_TEST(Outcomes(svc.db_path(), missing, kApps) == (std::vector<std::string>{"listed", "delivered"}),
             QueryRows(svc.db_path(),
                       "SELECT group_concat(outcome || ' ' || ifnull(http_status, '-'), ', ')"
                       " FROM delivery_attempts WHERE commit_sha = '" +
                           missing + "'")[0][0]);
}

BOOST_AUTO_TEST_CASE(every_page_listed_is_a_delivery_attempts_row_when_the_host_pages_its_statuses) {
  FakeGitHost host;
  InProcess svc(host, {{"gh", HostKind::kGitHub}});
  const std::string sha = Sha(10);
  svc.Submit("gh", Succeeded(sha, 0));
  svc.RecordForCurrentState("gh", sha, kApps, store::DeliveryRecord::Result::kSending);
  svc.PostDirectly("gh", sha, kApps);
  // 100 newer statuses of other contexts push ours onto the second page of 100.
  for (int i = 0; i < 100; ++i) {
    const Reply r = HttpPost(host.BaseUrl() + "/api/v3/repos/acme/app/statuses/" + sha,
                             R"({"state":"success","context":"other/)" + std::to_string(i) + "\"}");
    BOOST_TEST_REQUIRE(r.status == 201);
  }
  host.ClearRequests();
  svc.StartDispatcher();
  BOOST_TEST_REQUIRE(WaitAllSynced(svc.db_path(), 1));
  BOOST_TEST(Outcomes(svc.db_path(), sha, kApps) == (std::vector<std::string>{"listed", "already_on_host"}));
  BOOST_TEST(CountRequests(host, "GET") == 2);
  BOOST_TEST(CountRequests(host, "POST") == 0);
  BOOST_TEST(QueryInt(svc.db_path(), "SELECT count(*) FROM delivery_attempts") ==
             static_cast<std::int64_t>(host.Requests().size()));
}

BOOST_AUTO_TEST_CASE(every_call_to_the_host_is_a_delivery_attempts_row) {
  FakeGitHost host;
  InProcess svc(host, {{"gh", HostKind::kGitHub}});
  const std::string sha = Sha(7);
  host.FailNext(2, 502);
  svc.StartDispatcher();
  svc.Submit("gh", Succeeded(sha, 0));
  BOOST_TEST_REQUIRE(WaitAllSynced(svc.db_path(), 1));
  const auto rows = QueryRows(svc.db_path(),
                              "SELECT route, repo, commit_sha, context, state, http_status, outcome, error IS NOT NULL"
                              " AND error != '', duration_ms >= 0 FROM delivery_attempts ORDER BY id");
  BOOST_TEST_REQUIRE(rows.size() == host.Requests().size());
  BOOST_TEST(rows == (std::vector<Row>{{"gh", "acme/app", sha, kApps, "success", "502", "retry", "1", "1"},
                                       {"gh", "acme/app", sha, kApps, "success", "502", "retry", "1", "1"},
                                       {"gh", "acme/app", sha, kApps, "success", "201", "delivered", "0", "1"}}));
  const auto times = AttemptTimesMs(svc.db_path(), sha, kApps);
  BOOST_TEST(std::is_sorted(times.begin(), times.end()));
  BOOST_TEST(
      QueryRows(svc.db_path(), "SELECT sync_state, attempts, last_error, synced_at IS NOT NULL FROM current_status") ==
      (std::vector<Row>{{"synced", "2", testing::kNullText, "1"}}));
}

BOOST_AUTO_TEST_CASE(statuses_are_skipped_without_a_provider_and_events_without_a_commit_make_none) {
  FakeGitHost host;
  InProcess svc(host, {{"gh", HostKind::kGitHub}, {"logonly", HostKind::kGitHub, false}});
  svc.StartDispatcher();
  const std::string sha = Sha(8);
  svc.Submit("logonly", Succeeded(sha, 0));
  const auto no_commit = svc.Submit("gh", Succeeded("", 1));
  BOOST_TEST(!no_commit.fold.has_value());
  svc.Submit("gh", Succeeded(sha, 2, "barrier"));
  BOOST_TEST_REQUIRE(WaitUntil([&] { return SyncState(svc.db_path(), sha, "kustomization/barrier") == "synced"; }));
  BOOST_TEST(QueryRows(svc.db_path(), "SELECT route, sync_state FROM current_status ORDER BY route") ==
             (std::vector<Row>{{"gh", "synced"}, {"logonly", "skipped"}}));
  BOOST_TEST(QueryInt(svc.db_path(), "SELECT count(*) FROM events WHERE commit_sha IS NULL") == 1);
  BOOST_TEST(QueryInt(svc.db_path(), "SELECT count(*) FROM delivery_attempts WHERE route = 'logonly'") == 0);
  BOOST_TEST(CountRequests(host, "POST") == 1);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fluxstatus::dispatch_e2e
