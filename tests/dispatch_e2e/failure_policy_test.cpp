// The failure policy end to end: what the dispatcher does with each kind of answer from the
// fake Git host (connection refused, 5xx, 429 + Retry-After, GitHub's exhausted budget, GitLab
// 409 and "cannot transition", other 4xx), as seen on the host and in the inspection views.
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <ctime>

#include "core/rfc3339.h"
#include "tests/dispatch_e2e/e2e_support.h"

namespace fluxstatus::dispatch_e2e {
namespace {

namespace bdata = boost::unit_test::data;

const std::string kApps = "kustomization/apps";

std::string HostKey(const FakeGitHost& host) { return "127.0.0.1:" + std::to_string(host.port()); }

struct Refusal {
  int status;
  std::string body;
  std::string expected_error;  // last_error
};

std::ostream& operator<<(std::ostream& os, const Refusal& r) { return os << "HTTP " << r.status; }

const Refusal kRefusals[] = {
    {401, R"({"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"})",
     "HTTP 401: the host refused route 'gh' credentials (or their permissions): Bad credentials; fix the token, "
     "then run `fluxstatus replay`"},
    {404, R"({"message":"Not Found","documentation_url":"https://docs.github.com/rest"})", "HTTP 404: Not Found"},
    {422,
     R"({"message":"Validation Failed","errors":[{"resource":"Status","code":"custom","field":"state",)"
     R"("message":"state is not included in the list"}]})",
     "HTTP 422: Validation Failed: state is not included in the list"},
};

}  // namespace

BOOST_AUTO_TEST_SUITE(FailurePolicy)

BOOST_AUTO_TEST_CASE(delivery_is_retried_with_backoff_when_the_host_refuses_connections) {
  FakeGitHost host;
  InProcessOptions options;
  options.max_attempts = 30;
  InProcess svc(host, {{"gh", HostKind::kGitHub}}, options);
  const std::string sha = Sha(20);
  host.SetDown(true);
  svc.StartDispatcher();
  svc.Submit("gh", Succeeded(sha, 0));
  BOOST_TEST_REQUIRE(WaitUntil([&] { return Outcomes(svc.db_path(), sha, kApps).size() >= 2; }));
  BOOST_TEST(SyncState(svc.db_path(), sha, kApps) == "pending");
  host.SetDown(false);
  BOOST_TEST_REQUIRE(WaitAllSynced(svc.db_path(), 1));
  const auto rows = QueryRows(svc.db_path(), "SELECT http_status, outcome FROM delivery_attempts ORDER BY id");
  BOOST_TEST_REQUIRE(rows.size() >= 3u);
  for (std::size_t i = 0; i + 1 < rows.size(); ++i) {
    BOOST_TEST(rows[i] == (Row{testing::kNullText, "transport_error"}));
  }
  BOOST_TEST(rows.back() == (Row{"201", "delivered"}));
  // Backoff: no two tries closer than half the initial backoff (the jitter's floor).
  const auto times = AttemptTimesMs(svc.db_path(), sha, kApps);
  for (std::size_t i = 1; i < times.size(); ++i) BOOST_TEST(times[i] - times[i - 1] >= 25);
  BOOST_TEST(HostStates(host, HostKind::kGitHub, "acme/app", sha, kApps) == std::vector<std::string>{"success"});
  BOOST_TEST(QueryText(svc.db_path(), "SELECT last_error FROM current_status") == testing::kNullText);
}

BOOST_DATA_TEST_CASE(the_next_try_waits_for_retry_after_when_the_host_asks_for_it, bdata::make({429, 503}), status) {
  FakeGitHost host;
  InProcess svc(host, {{"gh", HostKind::kGitHub}});
  const std::string sha = Sha(21);
  if (status == 429)
    host.RateLimitNext(1, 1);
  else
    host.FailNext(1, 503, {{"Retry-After", "1"}});
  svc.StartDispatcher();
  svc.Submit("gh", Succeeded(sha, 0));
  BOOST_TEST_REQUIRE(WaitAllSynced(svc.db_path(), 1));
  BOOST_TEST(QueryRows(svc.db_path(), "SELECT http_status, outcome FROM delivery_attempts ORDER BY id") ==
             (std::vector<Row>{{std::to_string(status), "retry"}, {"201", "delivered"}}));
  const auto times = AttemptTimesMs(svc.db_path(), sha, kApps);
  BOOST_TEST_REQUIRE(times.size() == 2u);
  BOOST_TEST(times[1] - times[0] >= 1000, "second try " << times[1] - times[0] << " ms after the first");
  BOOST_TEST(HostStates(host, HostKind::kGitHub, "acme/app", sha, kApps) == std::vector<std::string>{"success"});
}

BOOST_AUTO_TEST_CASE(no_call_reaches_the_host_before_reset_when_github_reports_its_budget_exhausted) {
  FakeGitHost host;
  InProcessOptions options;
  options.workers = 1;  // both keys queued together: the second must still wait for the reset
  InProcess svc(host, {{"gh", HostKind::kGitHub}}, options);
  const std::string a = Sha(22), b = Sha(23);
  svc.Submit("gh", Succeeded(a, 0));
  svc.Submit("gh", Succeeded(b, 0));
  const std::int64_t reset_s = static_cast<std::int64_t>(std::time(nullptr)) + 2;
  host.GitHubRateLimitNext(1, reset_s);
  svc.StartDispatcher();
  const std::string paused_gauge = "fluxstatus_dispatch_host_paused{host=\"" + HostKey(host) + "\"} ";
  BOOST_TEST_REQUIRE(WaitUntil([&] { return QueryInt(svc.db_path(), "SELECT count(*) FROM delivery_attempts") == 1; }));
  if (static_cast<std::int64_t>(std::time(nullptr)) < reset_s - 1) {  // still well inside the pause
    BOOST_TEST(svc.metrics().Render().find(paused_gauge + "1\n") != std::string::npos, svc.metrics().Render());
  }
  BOOST_TEST_REQUIRE(WaitAllSynced(svc.db_path(), 2, std::chrono::seconds(20)));
  BOOST_TEST(svc.metrics().Render().find(paused_gauge + "0\n") != std::string::npos, svc.metrics().Render());
  const auto rows =
      QueryRows(svc.db_path(), "SELECT http_status, outcome, attempted_at FROM delivery_attempts ORDER BY id");
  BOOST_TEST_REQUIRE(rows.size() == 3u);
  BOOST_TEST_REQUIRE(rows.size() == host.Requests().size());
  BOOST_TEST((rows[0][0] == "403" && rows[0][1] == "retry"));
  for (std::size_t i = 1; i < rows.size(); ++i) {
    BOOST_TEST(rows[i][1] == "delivered");
    const std::int64_t at = core::ParseRfc3339(rows[i][2]).value_or(0);
    BOOST_TEST(at >= reset_s * 1000, "call " << i << " at " << rows[i][2] << ", before the reset " << reset_s);
  }
  BOOST_TEST(svc.metrics().attempts(HostKey(host), "retry") == 1);
  BOOST_TEST(svc.metrics().attempts(HostKey(host), "delivered") == 2);
}

BOOST_AUTO_TEST_CASE(delivery_is_retried_when_gitlab_answers_409) {
  FakeGitHost host;
  InProcess svc(host, {{"gl", HostKind::kGitLab}});
  const std::string sha = Sha(24);
  host.FailNext(1, 409, {}, R"({"message":"409 Conflict: the commit status is being updated"})");
  svc.StartDispatcher();
  svc.Submit("gl", Failed(sha, 0));
  BOOST_TEST_REQUIRE(WaitAllSynced(svc.db_path(), 1));
  BOOST_TEST(QueryRows(svc.db_path(), "SELECT http_status, outcome FROM delivery_attempts ORDER BY id") ==
             (std::vector<Row>{{"409", "retry"}, {"201", "delivered"}}));
  BOOST_TEST(HostStates(host, HostKind::kGitLab, "acme/app", sha, kApps) == std::vector<std::string>{"failed"});
}

BOOST_AUTO_TEST_CASE(gitlab_cannot_transition_is_reconciled_by_listing_when_the_host_already_has_it) {
  FakeGitHost host;
  InProcess svc(host, {{"gl", HostKind::kGitLab}});
  const std::string sha = Sha(25);
  svc.Submit("gl", Progressing(sha, 0));
  svc.PostDirectly("gl", sha, kApps);  // the same pending job is already open on GitLab
  host.ClearRequests();
  svc.StartDispatcher();
  BOOST_TEST_REQUIRE(WaitAllSynced(svc.db_path(), 1));
  BOOST_TEST(QueryRows(svc.db_path(), "SELECT http_status, outcome FROM delivery_attempts ORDER BY id") ==
             (std::vector<Row>{{"400", "reconcile"}, {"200", "already_on_host"}}));
  BOOST_TEST(CountRequests(host, "POST") == 1);
  BOOST_TEST(CountRequests(host, "GET") == 1);
  BOOST_TEST(HostStates(host, HostKind::kGitLab, "acme/app", sha, kApps) == std::vector<std::string>{"pending"});
  BOOST_TEST(QueryText(svc.db_path(), "SELECT last_error FROM current_status") == testing::kNullText);
}

BOOST_AUTO_TEST_CASE(gitlab_cannot_transition_counts_as_synced_when_the_host_holds_the_same_state) {
  // GitLab cannot move pending -> pending; only the description differs, which no call can
  // change, so the key is synced after one listing instead of failing or re-posting.
  FakeGitHost host;
  InProcess svc(host, {{"gl", HostKind::kGitLab}});
  const std::string sha = Sha(26);
  svc.Submit("gl", Progressing(sha, 0));
  svc.PostDirectly("gl", sha, kApps, "a pending job someone else opened");
  host.ClearRequests();
  svc.StartDispatcher();
  BOOST_TEST_REQUIRE(WaitUntil([&] { return SyncState(svc.db_path(), sha, kApps) == "synced"; }));
  BOOST_TEST(Outcomes(svc.db_path(), sha, kApps) == (std::vector<std::string>{"reconcile", "already_on_host"}));
  BOOST_TEST(CountRequests(host, "POST") == 1);  // not blindly re-posted
}

BOOST_DATA_TEST_CASE(the_key_fails_at_once_with_the_host_text_when_the_host_refuses_it, bdata::make(kRefusals),
                     refusal) {
  FakeGitHost host;
  InProcess svc(host, {{"gh", HostKind::kGitHub}});
  const std::string sha = Sha(27);
  host.FailNext(1, refusal.status, {}, refusal.body);
  svc.StartDispatcher();
  svc.Submit("gh", Succeeded(sha, 0));
  BOOST_TEST_REQUIRE(WaitUntil([&] { return SyncState(svc.db_path(), sha, kApps) == "failed"; }));
  svc.Submit("gh", Succeeded(sha, 1, "barrier"));
  BOOST_TEST_REQUIRE(WaitUntil([&] { return SyncState(svc.db_path(), sha, "kustomization/barrier") == "synced"; }));
  BOOST_TEST(QueryRows(svc.db_path(), "SELECT http_status, outcome FROM delivery_attempts WHERE context = '" + kApps +
                                          "'") == (std::vector<Row>{{std::to_string(refusal.status), "failed"}}));
  const auto status =
      QueryRows(svc.db_path(), "SELECT attempts, last_error FROM current_status WHERE context = '" + kApps + "'");
  BOOST_TEST_REQUIRE(status.size() == 1u);
  BOOST_TEST(status[0][0] == "1");
  BOOST_TEST(status[0][1] == refusal.expected_error);
  BOOST_TEST(HostStates(host, HostKind::kGitHub, "acme/app", sha, kApps).empty());
  BOOST_TEST(CountRequests(host, "POST", sha) == 2);  // the refused one and the barrier
}

BOOST_AUTO_TEST_CASE(a_failed_key_is_sent_again_when_a_newer_event_for_it_arrives) {
  FakeGitHost host;
  InProcess svc(host, {{"gh", HostKind::kGitHub}});
  const std::string sha = Sha(28);
  host.FailNext(1, 422, {}, kRefusals[2].body);
  svc.StartDispatcher();
  svc.Submit("gh", Succeeded(sha, 0));
  BOOST_TEST_REQUIRE(WaitUntil([&] { return SyncState(svc.db_path(), sha, kApps) == "failed"; }));
  svc.Submit("gh", Succeeded(sha, 60));  // the next reconciliation: same state, newer event
  BOOST_TEST_REQUIRE(WaitAllSynced(svc.db_path(), 1));
  BOOST_TEST(Outcomes(svc.db_path(), sha, kApps) == (std::vector<std::string>{"failed", "delivered"}));
  BOOST_TEST(HostStates(host, HostKind::kGitHub, "acme/app", sha, kApps) == std::vector<std::string>{"success"});
  BOOST_TEST(QueryText(svc.db_path(), "SELECT last_error FROM current_status") == testing::kNullText);
}

BOOST_AUTO_TEST_CASE(the_key_fails_after_max_attempts_when_the_host_keeps_failing) {
  FakeGitHost host;
  InProcessOptions options;
  options.max_attempts = 3;
  InProcess svc(host, {{"gh", HostKind::kGitHub}}, options);
  const std::string sha = Sha(29);
  host.FailNext(3, 502, {}, R"({"message":"Server Error"})");
  svc.StartDispatcher();
  svc.Submit("gh", Succeeded(sha, 0));
  BOOST_TEST_REQUIRE(WaitUntil([&] { return SyncState(svc.db_path(), sha, kApps) == "failed"; }));
  BOOST_TEST(Outcomes(svc.db_path(), sha, kApps) == (std::vector<std::string>{"retry", "retry", "retry"}));
  const auto status = QueryRows(svc.db_path(), "SELECT attempts, last_error FROM current_status");
  BOOST_TEST(status[0][0] == "3");
  BOOST_TEST(status[0][1] == "gave up after 3 attempts: HTTP 502: Server Error");
  BOOST_TEST(host.Requests().size() == 3u);
}

// 0: the host is down (no HTTP status at all).
BOOST_DATA_TEST_CASE(a_key_waiting_for_its_retry_names_the_hosts_http_status_in_last_error, bdata::make({429, 503, 0}),
                     status) {
  FakeGitHost host;
  InProcessOptions options;
  options.max_attempts = 1000;
  InProcess svc(host, {{"gh", HostKind::kGitHub}}, options);
  const std::string sha = Sha(30);
  if (status == 0)
    host.SetDown(true);
  else
    host.FailNext(1000, status, {}, R"({"message":"Try again later"})");
  svc.StartDispatcher();
  svc.Submit("gh", Succeeded(sha, 0));
  BOOST_TEST_REQUIRE(WaitUntil([&] { return QueryInt(svc.db_path(), "SELECT attempts FROM current_status") >= 1; }));
  const auto row = QueryRows(svc.db_path(), "SELECT sync_state, last_error FROM current_status");
  BOOST_TEST_REQUIRE(row.size() == 1u);
  BOOST_TEST(row[0][0] == "pending");
  if (status == 0) {
    BOOST_TEST(row[0][1].find("HTTP") == std::string::npos, "last_error: " << row[0][1]);  // the transport's words
    BOOST_TEST(!row[0][1].empty());
  } else {
    BOOST_TEST(row[0][1] == "HTTP " + std::to_string(status) + ": Try again later");
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fluxstatus::dispatch_e2e
