// The dispatcher's timers in the real `fluxstatus serve` binary against the stateful fake Git
// host, each made to fire between two events: the retry backoff, a host's 429 Retry-After
// pause, the lease renewal, lease renewals failing under a long foreign write lock, the 15 s
// transport timeout and the 5 s connect timeout. After each, the next event reaches
// the host, newest state last (docs/ARCHITECTURE.md, "Timers, connections and threads").
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include <SQLiteCpp/Database.h>
#include <boost/test/unit_test.hpp>

#include "tests/dispatch_e2e/e2e_support.h"
#include "tests/support/files.h"

namespace fluxstatus::dispatch_e2e {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Strings = std::vector<std::string>;

const std::string kApps = "kustomization/apps";
const std::string kInfra = "kustomization/infra";

std::int64_t MsSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

void Accepted(const Reply& r) {
  BOOST_TEST_REQUIRE(r.answered, r.error);
  BOOST_TEST_REQUIRE(r.status == 202, "answer " << r.status << " " << r.body);
}

Strings OnHost(const FakeGitHost& host, const std::string& sha, const std::string& context = kApps) {
  return HostStates(host, HostKind::kGitHub, RepoFor(HostKind::kGitHub), sha, context);
}

std::size_t Count(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

// A listener whose accept queue is full: the kernel drops further SYNs, so a connect to it
// hangs until the client's connect timeout, as with a host behind a black-holing firewall.
class BlackHole {
 public:
  BlackHole() {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(listener_, 0) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
        ::connect(filler_, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
      throw std::runtime_error("cannot set up the black hole listener");
    }
    port_ = ntohs(addr.sin_port);
  }
  ~BlackHole() {
    ::close(filler_);
    ::close(listener_);
  }
  BlackHole(const BlackHole&) = delete;
  BlackHole& operator=(const BlackHole&) = delete;
  std::uint16_t port() const { return port_; }

 private:
  int listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
  int filler_ = ::socket(AF_INET, SOCK_STREAM, 0);
  std::uint16_t port_ = 0;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(DispatchTimers)

BOOST_AUTO_TEST_CASE(a_retry_waits_out_the_backoff_between_two_events_of_one_key_and_the_newest_wins) {
  FakeGitHost host;
  testing::TempDir dir;
  Serve serve(dir.path(), "routes:\n" + RouteYaml(dir.path(), host, "gh", HostKind::kGitHub) +
                              DispatchYaml(2, 10, "600ms", "600ms"));
  const std::string sha = Sha(60);
  host.FailNext(2, 503);
  Accepted(serve.Hook("gh", Progressing(sha, 0)));
  // No other event arrives: only the expired backoff, found by the scheduler's poll, sends it.
  BOOST_TEST_REQUIRE(WaitUntil([&] { return OnHost(host, sha) == Strings{"pending"}; }, 10s));
  BOOST_TEST_REQUIRE(WaitAllSynced(serve.db_path(), 1));  // the host shows it before it is recorded
  BOOST_TEST(Outcomes(serve.db_path(), sha, kApps) == (Strings{"retry", "retry", "delivered"}));
  const auto at = AttemptTimesMs(serve.db_path(), sha, kApps);
  BOOST_TEST_REQUIRE(at.size() == 3u);
  BOOST_TEST(at[1] - at[0] >= 290);  // at least half of initial_backoff (the jitter's floor)
  BOOST_TEST(at[2] - at[1] >= 290);

  Accepted(serve.Hook("gh", Succeeded(sha, 10)));
  BOOST_TEST_REQUIRE(WaitUntil([&] { return OnHost(host, sha) == Strings{"pending", "success"}; }, 10s));
  BOOST_TEST(WaitUntil([&] { return SyncState(serve.db_path(), sha, kApps) == "synced"; }));
  BOOST_TEST(CountRequests(host, "POST") == 4);  // two refused, two delivered
}

BOOST_AUTO_TEST_CASE(a_429_pauses_the_host_until_retry_after_and_what_arrived_meanwhile_is_sent_once_it_ends) {
  FakeGitHost host;
  testing::TempDir dir;
  Serve serve(dir.path(), "routes:\n" + RouteYaml(dir.path(), host, "gh", HostKind::kGitHub) + DispatchYaml());
  const std::string sha = Sha(61);
  host.RateLimitNext(1, 2);
  Accepted(serve.Hook("gh", Progressing(sha, 0, "apps")));
  BOOST_TEST_REQUIRE(WaitUntil([&] { return host.Requests().size() == 1u; }, 5s));
  const auto limited = Clock::now();
  Accepted(serve.Hook("gh", Progressing(sha, 0, "infra")));  // another key on the paused host
  std::this_thread::sleep_until(limited + 1500ms);
  BOOST_TEST(host.Requests().size() == 1u);  // nothing reaches the host during the pause

  BOOST_TEST_REQUIRE(WaitAllSynced(serve.db_path(), 2, 10s));
  const auto apps = AttemptTimesMs(serve.db_path(), sha, kApps);
  const auto infra = AttemptTimesMs(serve.db_path(), sha, kInfra);
  BOOST_TEST_REQUIRE(apps.size() == 2u);
  BOOST_TEST_REQUIRE(infra.size() == 1u);
  BOOST_TEST(apps[1] - apps[0] >= 1900);   // Retry-After: 2
  BOOST_TEST(infra[0] - apps[0] >= 1900);  // the whole host waited, not only the key

  const auto next_from = Clock::now();  // the pause is over: the next event goes out at once
  Accepted(serve.Hook("gh", Succeeded(sha, 10, "apps")));
  BOOST_TEST_REQUIRE(WaitUntil([&] { return OnHost(host, sha) == Strings{"pending", "success"}; }, 5s));
  BOOST_TEST(MsSince(next_from) < 2500);
  BOOST_TEST(OnHost(host, sha, kInfra) == Strings{"pending"});
}

BOOST_AUTO_TEST_CASE(the_lease_renews_between_a_resend_and_the_next_event_and_both_states_reach_the_host) {
  FakeGitHost host;
  testing::TempDir dir;
  Serve serve(dir.path(), "routes:\n" + RouteYaml(dir.path(), host, "gh", HostKind::kGitHub) + DispatchYaml());
  const std::string sha = Sha(62);
  Accepted(serve.Hook("gh", Progressing(sha, 0)));
  const Reply resend = serve.Hook("gh", Progressing(sha, 0));
  Accepted(resend);
  BOOST_TEST(resend.body.find("true") != std::string::npos, resend.body);  // "duplicate": true
  BOOST_TEST_REQUIRE(WaitAllSynced(serve.db_path(), 1));
  const std::string lease = "SELECT holder || ' ' || expires_at_ms FROM dispatch_lease";
  const std::string before = QueryText(serve.db_path(), lease);

  std::this_thread::sleep_for(6s);  // the renewal (every 5 s) passes with nothing to send
  const std::string after = QueryText(serve.db_path(), lease);
  const auto holder = [](const std::string& row) { return row.substr(0, row.rfind(' ')); };
  const auto expiry = [](const std::string& row) { return std::stoll(row.substr(row.rfind(' ') + 1)); };
  BOOST_TEST(holder(after) == holder(before));
  BOOST_TEST(expiry(after) >= expiry(before) + 4000, before << " -> " << after);

  Accepted(serve.Hook("gh", Succeeded(sha, 10)));
  BOOST_TEST_REQUIRE(WaitUntil([&] { return OnHost(host, sha) == Strings{"pending", "success"}; }, 5s));
  BOOST_TEST(WaitAllSynced(serve.db_path(), 1));
  BOOST_TEST(HttpGet(serve.Url("/readyz")).status == 200);
  BOOST_TEST(CountRequests(host, "POST") == 2);
  BOOST_TEST(serve.Stop() == 0);
}

BOOST_AUTO_TEST_CASE(lease_renewals_failing_under_a_long_foreign_write_lock_keep_the_lease_and_the_next_event_is_sent) {
  FakeGitHost host;
  testing::TempDir dir;
  Serve serve(dir.path(), "routes:\n" + RouteYaml(dir.path(), host, "gh", HostKind::kGitHub) + DispatchYaml());
  const std::string sha = Sha(63);
  Accepted(serve.Hook("gh", Progressing(sha, 0)));
  BOOST_TEST_REQUIRE(WaitAllSynced(serve.db_path(), 1));
  {
    // A `prune` or a `sqlite3` shell holding the write lock for 11 s: a renewal waits out the
    // busy timeout (5 s) and fails, twice; the lease stays valid (35 s from the last renewal),
    // and new sends would have started for the first 10 s of it (lease_budget.h).
    SQLite::Database other(serve.db_path(), SQLite::OPEN_READWRITE);
    other.exec("BEGIN IMMEDIATE");
    std::this_thread::sleep_for(11s);
    other.exec("ROLLBACK");
  }
  const auto released = Clock::now();
  Accepted(serve.Hook("gh", Succeeded(sha, 10)));
  BOOST_TEST_REQUIRE(WaitUntil([&] { return OnHost(host, sha) == Strings{"pending", "success"}; }, 10s));
  BOOST_TEST(MsSince(released) < 3000);  // renewed by a retry (every 0.5 s after a failure)
  const std::string log = serve.Output();
  BOOST_TEST(Count(log, "could not renew the dispatch lease") == 1u, log);  // then summarised with a count
  BOOST_TEST(Count(log, "dispatch lease lost") == 0u, log);
  BOOST_TEST(Count(log, "dispatch lease taken") == 1u, log);
  BOOST_TEST(CountRequests(host, "POST") == 2);
  BOOST_TEST(serve.Stop() == 0);
}

BOOST_AUTO_TEST_CASE(a_post_cut_by_the_15_s_transport_timeout_is_looked_up_before_the_next_send_and_posted_once) {
  FakeGitHost host;
  testing::TempDir dir;
  Serve serve(dir.path(), "routes:\n" + RouteYaml(dir.path(), host, "gh", HostKind::kGitHub) + DispatchYaml());
  const std::string sha = Sha(64);
  host.SetDelay(16s);  // the host applies the status, but answers after the client gave up
  Accepted(serve.Hook("gh", Progressing(sha, 0)));
  BOOST_TEST_REQUIRE(WaitUntil([&] { return CountRequests(host, "POST") == 1; }, 5s));
  host.SetDelay(0ms);
  BOOST_TEST_REQUIRE(WaitAllSynced(serve.db_path(), 1, 25s));
  BOOST_TEST(Outcomes(serve.db_path(), sha, kApps) == (Strings{"uncertain", "already_on_host"}));
  const auto cut_after = QueryInt(serve.db_path(), "SELECT duration_ms FROM delivery_attempts ORDER BY id LIMIT 1");
  BOOST_TEST(cut_after >= 14500);
  BOOST_TEST(cut_after < 16000);  // the transport's 15 s, not the host's answer
  BOOST_TEST(CountRequests(host, "POST") == 1);

  Accepted(serve.Hook("gh", Succeeded(sha, 10)));
  BOOST_TEST_REQUIRE(WaitUntil([&] { return OnHost(host, sha) == Strings{"pending", "success"}; }, 5s));
  BOOST_TEST(CountRequests(host, "POST") == 2);
}

BOOST_AUTO_TEST_CASE(a_host_that_never_accepts_ties_one_worker_for_the_5_s_connect_timeout_while_others_are_served) {
  FakeGitHost host;
  BlackHole hole;
  testing::TempDir dir;
  testing::WriteFile(dir.path() / "dead.token", "t0ken\n");
  const std::string dead =
      "  - name: dead\n    provider: github\n    address: http://127.0.0.1:" + std::to_string(hole.port()) +
      "/acme/dead\n    token_file: " + (dir.path() / "dead.token").string() + "\n";
  Serve serve(dir.path(), "routes:\n" + RouteYaml(dir.path(), host, "gh", HostKind::kGitHub) + dead + DispatchYaml());
  const std::string stuck = Sha(65), live = Sha(66);
  const auto start = Clock::now();
  Accepted(serve.Hook("dead", Progressing(stuck, 0)));
  std::this_thread::sleep_for(300ms);
  Accepted(serve.Hook("gh", Progressing(live, 0)));
  BOOST_TEST_REQUIRE(WaitUntil([&] { return SyncState(serve.db_path(), live, kApps) == "synced"; }, 4s));
  BOOST_TEST(MsSince(start) < 4500);  // while the other worker was still connecting

  const std::string attempts =
      "SELECT outcome, duration_ms, error FROM delivery_attempts WHERE route = 'dead' ORDER BY id";
  BOOST_TEST_REQUIRE(WaitUntil([&] { return !QueryRows(serve.db_path(), attempts).empty(); }, 10s));
  const Row first = QueryRows(serve.db_path(), attempts).front();
  BOOST_TEST(first[0] == "transport_error");  // never connected: certainly not sent
  BOOST_TEST(std::stoll(first[1]) >= 4500);
  BOOST_TEST(std::stoll(first[1]) < 6500);
  BOOST_TEST(first[2].find("Timeout was reached") != std::string::npos, first[2]);
  BOOST_TEST(SyncState(serve.db_path(), stuck, kApps) == "pending");  // retried, not failed

  Accepted(serve.Hook("gh", Succeeded(live, 10)));
  BOOST_TEST(WaitUntil([&] { return OnHost(host, live) == Strings{"pending", "success"}; }, 5s));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fluxstatus::dispatch_e2e
