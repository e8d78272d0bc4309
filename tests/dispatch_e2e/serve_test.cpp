// The real `fluxstatus serve` end to end: Flux events POSTed over HTTP, statuses appearing on
// the fake Git host (GitHub and GitLab, and each of the six hosts), an outage of the host, a
// crash between send and record, token rotation and the dispatch metrics.
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <set>

#include "tests/dispatch_e2e/e2e_support.h"
#include "tests/dispatch_e2e/serve_support.h"
#include "tests/support/files.h"

namespace fluxstatus::testing {
// For the data-driven case's log (found by ADL; internal to this file).
static std::ostream& operator<<(std::ostream& os, HostKind kind) { return os << dispatch_e2e::KindName(kind); }
}  // namespace fluxstatus::testing

namespace fluxstatus::dispatch_e2e {
namespace {

const HostKind kAllHosts[] = {HostKind::kGitHub,    HostKind::kGitLab,          HostKind::kGitea,
                              HostKind::kBitbucket, HostKind::kBitbucketServer, HostKind::kAzureDevOps};

namespace bdata = boost::unit_test::data;

const std::string kApps = "kustomization/apps";
const std::string kInfra = "kustomization/infra";

// Whether `sub` appears in `seq` in order (not necessarily contiguous).
bool InOrder(const std::vector<std::string>& sub, const std::vector<std::string>& seq) {
  std::size_t i = 0;
  for (const auto& s : seq) {
    if (i < sub.size() && sub[i] == s) ++i;
  }
  return i == sub.size();
}

// The key's status_history states, oldest first, in the host's spelling.
std::vector<std::string> History(const std::string& db_path, HostKind kind, const std::string& route,
                                 const std::string& sha, const std::string& context) {
  std::vector<std::string> out;
  for (const auto& r :
       QueryRows(db_path, "SELECT state FROM status_history WHERE route = '" + route + "' AND commit_sha = '" + sha +
                              "' AND context = '" + context + "' ORDER BY rowid")) {
    out.push_back(HostState(kind, r[0]));
  }
  return out;
}

std::string DesiredState(const std::string& db_path, const std::string& route, const std::string& sha,
                         const std::string& context) {
  return QueryText(db_path, "SELECT state FROM current_status WHERE route = '" + route + "' AND commit_sha = '" + sha +
                                "' AND context = '" + context + "'");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ServeCommand)

BOOST_AUTO_TEST_CASE(the_host_gets_one_post_per_state_change_and_none_for_duplicates) {
  FakeGitHost host(FakeGitHost::Options{"s3cret", "", 1});
  testing::TempDir dir;
  Serve serve(dir.path(), ServeConfig(RouteYaml(dir.path(), host, "gh", HostKind::kGitHub, "s3cret") +
                                      RouteYaml(dir.path(), host, "gl", HostKind::kGitLab, "s3cret")));
  const std::string sha = Sha(40);
  Accepted(serve.Hook("gh", Progressing(sha, 0)));
  Accepted(serve.Hook("gl", Progressing(sha, 0)));
  BOOST_TEST_REQUIRE(WaitAllSynced(serve.db_path(), 2));
  Accepted(serve.Hook("gh", Succeeded(sha, 10)));
  Accepted(serve.Hook("gl", Failed(sha, 10)));
  BOOST_TEST_REQUIRE(WaitUntil([&] {
    return DesiredState(serve.db_path(), "gh", sha, kApps) == "success" &&
           DesiredState(serve.db_path(), "gl", sha, kApps) == "failure" && WaitAllSynced(serve.db_path(), 2, {});
  }));

  // Flux resending the same event, a later reconciliation saying the same, an event without
  // a commit: none of them may reach the host.
  const Reply duplicate = serve.Hook("gh", Succeeded(sha, 10));
  Accepted(duplicate);
  std::string compact = duplicate.body;
  std::erase(compact, ' ');
  BOOST_TEST(compact.find("\"duplicate\":true") != std::string::npos, duplicate.body);
  Accepted(serve.Hook("gh", Succeeded(sha, 20)));
  Accepted(serve.Hook("gl", Failed(sha, 20)));
  Accepted(serve.Hook("gh", Succeeded("", 21)));
  Accepted(serve.Hook("gh", Succeeded(sha, 22, "barrier")));
  BOOST_TEST_REQUIRE(WaitAllSynced(serve.db_path(), 3));

  BOOST_TEST(HostStates(host, HostKind::kGitHub, "acme/app", sha, kApps) ==
             (std::vector<std::string>{"pending", "success"}));
  BOOST_TEST(HostStates(host, HostKind::kGitHub, "acme/app", sha, "kustomization/barrier") ==
             std::vector<std::string>{"success"});
  // GitLab moves its one job from pending to failed.
  BOOST_TEST(HostStates(host, HostKind::kGitLab, "acme/app", sha, kApps) == std::vector<std::string>{"failed"});
  BOOST_TEST(CountRequests(host, "POST", "/repos/acme/app/statuses/") == 3);
  BOOST_TEST(CountRequests(host, "POST", "/api/v4/projects/") == 2);
  BOOST_TEST(host.Requests().size() == 5u);
  BOOST_TEST(QueryRows(serve.db_path(),
                       "SELECT route, state, http_status, outcome FROM delivery_attempts ORDER BY route, id") ==
             (std::vector<Row>{{"gh", "pending", "201", "delivered"},
                               {"gh", "success", "201", "delivered"},
                               {"gh", "success", "201", "delivered"},
                               {"gl", "pending", "201", "delivered"},
                               {"gl", "failure", "201", "delivered"}}));
  BOOST_TEST(serve.Stop() == 0);
}

BOOST_AUTO_TEST_CASE(everything_is_delivered_newest_state_last_when_the_host_returns_after_an_outage) {
  FakeGitHost host;
  testing::TempDir dir;
  Serve serve(dir.path(), ServeConfig(RouteYaml(dir.path(), host, "gh", HostKind::kGitHub) +
                                          RouteYaml(dir.path(), host, "gl", HostKind::kGitLab),
                                      DispatchYaml(2, 1000, "50ms", "300ms")));
  const std::string s1 = Sha(41), s2 = Sha(42);
  Accepted(serve.Hook("gh", Progressing(s1, 0)));
  BOOST_TEST_REQUIRE(WaitAllSynced(serve.db_path(), 1));

  host.SetDown(true);
  Accepted(serve.Hook("gh", Succeeded(s1, 5)));
  Accepted(serve.Hook("gh", Failed(s1, 6, "infra")));
  Accepted(serve.Hook("gl", Progressing(s1, 1)));
  Accepted(serve.Hook("gl", Failed(s1, 5)));
  Accepted(serve.Hook("gl", Succeeded(s1, 9)));
  Accepted(serve.Hook("gl", Succeeded(s2, 2)));
  Accepted(serve.Hook("gh", Progressing(s2, 3)));
  Accepted(serve.Hook("gh", Succeeded(s2, 8)));
  // Dispatch keeps trying while the host is away.
  BOOST_TEST_REQUIRE(
      WaitUntil([&] {
        return QueryInt(serve.db_path(),
                        "SELECT count(DISTINCT commit_sha || route || context) FROM delivery_attempts"
                        " WHERE http_status IS NULL") >= 5;
      }),
      QueryRows(serve.db_path(),
                "SELECT group_concat(route || ' ' || context || ' ' || outcome, '; ') FROM delivery_attempts")[0][0]);
  BOOST_TEST(QueryInt(serve.db_path(), "SELECT count(*) FROM current_status WHERE sync_state = 'pending'") == 5);
  host.SetDown(false);
  BOOST_TEST_REQUIRE(WaitAllSynced(serve.db_path(), 5));

  struct Key {
    HostKind kind;
    std::string route, sha, context, newest;
  };
  const std::vector<Key> keys = {{HostKind::kGitHub, "gh", s1, kApps, "success"},
                                 {HostKind::kGitHub, "gh", s1, kInfra, "failure"},
                                 {HostKind::kGitLab, "gl", s1, kApps, "success"},
                                 {HostKind::kGitLab, "gl", s2, kApps, "success"},
                                 {HostKind::kGitHub, "gh", s2, kApps, "success"}};
  for (const auto& k : keys) {
    BOOST_TEST_CONTEXT(k.route << " " << k.sha << " " << k.context) {
      const auto on_host = HostStates(host, k.kind, "acme/app", k.sha, k.context);
      BOOST_TEST_REQUIRE(!on_host.empty());
      BOOST_TEST(on_host.back() == HostState(k.kind, k.newest));
      BOOST_TEST(InOrder(on_host, History(serve.db_path(), k.kind, k.route, k.sha, k.context)));
      // After the outage only the newest state went out: one delivered row for it.
      BOOST_TEST(
          QueryInt(serve.db_path(), "SELECT count(*) FROM delivery_attempts WHERE outcome = 'delivered' AND route = '" +
                                        k.route + "' AND commit_sha = '" + k.sha + "' AND context = '" + k.context +
                                        "' AND state = '" + k.newest + "'") == 1);
    }
  }
  BOOST_TEST(HostStates(host, HostKind::kGitHub, "acme/app", s1, kApps) ==
             (std::vector<std::string>{"pending", "success"}));
  BOOST_TEST(CountRequests(host, "POST") == 6);  // s1/apps pending before the outage + 5 newest states
  BOOST_TEST(serve.Stop() == 0);
}

BOOST_AUTO_TEST_CASE(a_send_cut_by_a_crash_is_checked_on_the_host_before_posting_again) {
  FakeGitHost host;
  testing::TempDir dir;
  const std::string config = ServeConfig(RouteYaml(dir.path(), host, "gh", HostKind::kGitHub));
  const std::string sha = Sha(43);
  {
    Serve serve(dir.path(), config);
    host.SetDelay(std::chrono::seconds(10));  // applied at once, answered long after the crash
    Accepted(serve.Hook("gh", Succeeded(sha, 0)));
    BOOST_TEST_REQUIRE(WaitUntil([&] { return CountRequests(host, "POST") == 1; }));
    BOOST_TEST(QueryInt(serve.db_path(), "SELECT in_flight FROM commit_statuses") == 1);
    serve.Stop(SIGKILL);
  }
  host.SetDelay(std::chrono::milliseconds(0));
  Serve restarted(dir.path(), config);
  BOOST_TEST_REQUIRE(WaitAllSynced(restarted.db_path(), 1));
  BOOST_TEST(CountRequests(host, "POST") == 1);
  BOOST_TEST(CountRequests(host, "GET") == 1);
  BOOST_TEST(HostStates(host, HostKind::kGitHub, "acme/app", sha, kApps) == std::vector<std::string>{"success"});
  BOOST_TEST(Outcomes(restarted.db_path(), sha, kApps) == std::vector<std::string>{"already_on_host"});
  BOOST_TEST(QueryInt(restarted.db_path(), "SELECT in_flight FROM commit_statuses") == 0);
}

BOOST_AUTO_TEST_CASE(a_post_the_host_drops_unanswered_is_listed_before_posting_again_and_lands_once) {
  FakeGitHost host;
  testing::TempDir dir;
  // One worker, so the second send goes out on the handle whose connection the first left open.
  Serve serve(dir.path(), ServeConfig(RouteYaml(dir.path(), host, "gh", HostKind::kGitHub), DispatchYaml(1)));
  const std::string first = Sha(48), dropped = Sha(49);
  Accepted(serve.Hook("gh", Succeeded(first, 0)));
  BOOST_TEST_REQUIRE(WaitAllSynced(serve.db_path(), 1));
  host.DropConnectionAfterNextPosts(1);  // read, applied, never answered
  Accepted(serve.Hook("gh", Succeeded(dropped, 0)));
  BOOST_TEST_REQUIRE(WaitAllSynced(serve.db_path(), 2));
  BOOST_TEST(HostStates(host, HostKind::kGitHub, "acme/app", dropped, kApps) == std::vector<std::string>{"success"});
  BOOST_TEST(CountRequests(host, "POST", dropped) == 1);
  BOOST_TEST(Outcomes(serve.db_path(), dropped, kApps) == (std::vector<std::string>{"uncertain", "already_on_host"}));
  BOOST_TEST(serve.Stop() == 0);
}

BOOST_DATA_TEST_CASE(each_host_gets_the_statuses_when_events_arrive, bdata::make(kAllHosts), kind) {
  FakeGitHost host(FakeGitHost::Options{"tok-" + KindName(kind), "", 1});
  testing::TempDir dir;
  Serve serve(dir.path(), ServeConfig(RouteYaml(dir.path(), host, "r", kind, "tok-" + KindName(kind))));
  const std::string sha = Sha(44), repo = RepoFor(kind);
  Accepted(serve.Hook("r", Progressing(sha, 0)));
  Accepted(serve.Hook("r", Failed(sha, 0, "infra")));
  BOOST_TEST_REQUIRE(WaitAllSynced(serve.db_path(), 2));
  Accepted(serve.Hook("r", Succeeded(sha, 10)));
  BOOST_TEST_REQUIRE(WaitUntil([&] {
    return DesiredState(serve.db_path(), "r", sha, kApps) == "success" && WaitAllSynced(serve.db_path(), 2, {});
  }));
  const auto apps = HostStates(host, kind, repo, sha, kApps);
  const auto infra = HostStates(host, kind, repo, sha, kInfra);
  // GitLab updates its open job, Bitbucket upserts by key; the others keep every status.
  const bool keeps_all = kind == HostKind::kGitHub || kind == HostKind::kGitea || kind == HostKind::kAzureDevOps;
  BOOST_TEST(apps == (keeps_all ? std::vector<std::string>{HostState(kind, "pending"), HostState(kind, "success")}
                                : std::vector<std::string>{HostState(kind, "success")}));
  BOOST_TEST(infra == std::vector<std::string>{HostState(kind, "failure")});
  BOOST_TEST(CountRequests(host, "POST") == 3);
  BOOST_TEST(host.Requests().size() == 3u);
  BOOST_TEST(QueryInt(serve.db_path(), "SELECT count(*) FROM delivery_attempts WHERE outcome = 'delivered'") == 3);
  BOOST_TEST(serve.Stop() == 0);
}

BOOST_AUTO_TEST_CASE(the_next_calls_carry_the_new_token_when_the_token_file_is_rewritten) {
  // The host has already switched to the new token; the file still holds the old one.
  FakeGitHost host(FakeGitHost::Options{"rotated-22", "", 1});
  testing::TempDir dir;
  Serve serve(dir.path(), ServeConfig(RouteYaml(dir.path(), host, "gh", HostKind::kGitHub, "old-1")));
  const std::string sha = Sha(45);
  Accepted(serve.Hook("gh", Succeeded(sha, 0)));
  BOOST_TEST_REQUIRE(WaitUntil([&] { return SyncState(serve.db_path(), sha, kApps) == "failed"; }));
  BOOST_TEST(QueryText(serve.db_path(), "SELECT last_error FROM current_status").find("Bad credentials") !=
             std::string::npos);

  // Rotate as Kubernetes does: a new file moved over the old name.
  testing::WriteFile(dir.path() / "gh.token.new", "rotated-22\n");
  std::filesystem::rename(dir.path() / "gh.token.new", dir.path() / "gh.token");
  Accepted(serve.Hook("gh", Succeeded(sha, 1, "infra")));
  Accepted(serve.Hook("gh", Succeeded(sha, 30)));  // the failed key's next event: sent again
  BOOST_TEST_REQUIRE(WaitAllSynced(serve.db_path(), 2));
  const auto requests = host.Requests();
  BOOST_TEST_REQUIRE(requests.size() == 3u);
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const std::string* auth = requests[i].Header("authorization");
    BOOST_TEST_REQUIRE(auth != nullptr);
    BOOST_TEST(*auth == (i == 0 ? "Bearer old-1" : "Bearer rotated-22"));
  }
  BOOST_TEST(HostStates(host, HostKind::kGitHub, "acme/app", sha, kApps) == std::vector<std::string>{"success"});
  BOOST_TEST(serve.Output().find("old-1") == std::string::npos);  // tokens never logged
  BOOST_TEST(serve.Output().find("rotated-22") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(metrics_count_attempts_by_host_and_outcome) {
  FakeGitHost host;
  testing::TempDir dir;
  Serve serve(dir.path(), ServeConfig(RouteYaml(dir.path(), host, "gh", HostKind::kGitHub)));
  host.FailNext(1, 502);
  Accepted(serve.Hook("gh", Succeeded(Sha(46), 0)));
  Accepted(serve.Hook("gh", Succeeded(Sha(47), 0)));
  BOOST_TEST_REQUIRE(WaitAllSynced(serve.db_path(), 2));
  const Reply metrics = HttpGet(serve.Url("/metrics"));
  BOOST_TEST_REQUIRE(metrics.status == 200);
  const std::string host_label = "host=\"127.0.0.1:" + std::to_string(host.port()) + "\"";
  BOOST_TEST(metrics.body.find("fluxstatus_dispatch_attempts_total{" + host_label + ",outcome=\"delivered\"} 2\n") !=
                 std::string::npos,
             metrics.body);
  BOOST_TEST(metrics.body.find("fluxstatus_dispatch_attempts_total{" + host_label + ",outcome=\"retry\"} 1\n") !=
                 std::string::npos,
             metrics.body);
  BOOST_TEST(metrics.body.find("fluxstatus_dispatch_pending 0\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_sample_events_become_their_newest_statuses_on_the_host) {
  FakeGitHost host;
  testing::TempDir dir;
  Serve serve(dir.path(), ServeConfig(RouteYaml(dir.path(), host, "contoso2", HostKind::kGitHub)));
  for (const auto& file : testing::SampleFiles("events")) {
    BOOST_TEST_CONTEXT(file.filename().string()) { Accepted(serve.Post("/hook/contoso2", testing::ReadFile(file))); }
  }
  const std::int64_t keys = QueryInt(serve.db_path(), "SELECT count(*) FROM current_status");
  BOOST_TEST_REQUIRE(keys >= 2);
  BOOST_TEST_REQUIRE(WaitAllSynced(serve.db_path(), keys));
  std::int64_t on_host = 0;
  for (const auto& row : QueryRows(serve.db_path(), "SELECT commit_sha, context, state FROM current_status")) {
    BOOST_TEST_CONTEXT(row[0] << " " << row[1]) {
      const auto states = HostStates(host, HostKind::kGitHub, "acme/app", row[0], row[1]);
      BOOST_TEST_REQUIRE(!states.empty());
      BOOST_TEST(states.back() == row[2]);
      BOOST_TEST(InOrder(states, History(serve.db_path(), HostKind::kGitHub, "contoso2", row[0], row[1])));
      on_host += static_cast<std::int64_t>(states.size());
    }
  }
  BOOST_TEST(CountRequests(host, "POST") == on_host);
  BOOST_TEST(QueryInt(serve.db_path(), "SELECT count(*) FROM delivery_attempts") == on_host);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fluxstatus::dispatch_e2e
