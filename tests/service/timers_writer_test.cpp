// The threads, SQLite connections and write-path timers of the real `fluxstatus serve` binary:
// what the process holds (counted from /proc), the 5 s busy timeout and the 10 s ack deadline
// under a foreign write lock, the writer's probe write, health.stall_after over an idle
// service, and the 7 s shutdown grace. Each timer fires between two requests; the next request
// is answered as usual and every event is stored once (docs/ARCHITECTURE.md, "Timers,
// connections and threads").
#include <csignal>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <sys/wait.h>

#include <boost/test/unit_test.hpp>

#include "tests/service/timers_support.h"
#include "tests/support/temp_dir.h"

namespace {

using namespace std::chrono_literals;
using fluxstatus::timers_testing::Clock;
using fluxstatus::timers_testing::Event;
using fluxstatus::timers_testing::MsSince;
using fluxstatus::timers_testing::TimesStored;
using fluxstatus::timers_testing::WriteLockHolder;
namespace st = fluxstatus::service_testing;
namespace tt = fluxstatus::timers_testing;

const std::string kConfig = "routes:\n  - name: app\n";

struct Timed {
  st::Answer answer;
  std::int64_t ms = 0;      // from the test's start to the answer (or the failure)
  std::int64_t waited = 0;  // from this request's own start
};

std::future<Timed> PostAsync(const std::string& url, const std::string& body, Clock::time_point start) {
  return std::async(std::launch::async, [url, body, start] {
    st::Client client;
    const auto own_start = Clock::now();
    st::Answer answer = client.Post(url, body, {}, 30s);
    return Timed{std::move(answer), MsSince(start), MsSince(own_start)};
  });
}

// Threads the sanitizer runtime adds to the process (ThreadSanitizer: its background thread).
#if defined(__SANITIZE_THREAD__)
constexpr std::size_t kRuntimeThreads = 1;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
constexpr std::size_t kRuntimeThreads = 1;
#else
constexpr std::size_t kRuntimeThreads = 0;
#endif
#else
constexpr std::size_t kRuntimeThreads = 0;
#endif

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

bool WaitReady(st::Client& client, const std::string& url, std::chrono::milliseconds timeout) {
  for (const auto deadline = Clock::now() + timeout; Clock::now() < deadline; std::this_thread::sleep_for(50ms)) {
    if (client.Get(url).status == 200) return true;
  }
  return false;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(writer_timers)

// The table's thread and connection rows, counted: if a change adds or drops one, the table
// in docs/ARCHITECTURE.md is out of date.
BOOST_AUTO_TEST_CASE(serve_holds_the_threads_and_database_connections_the_architecture_table_lists) {
  fluxstatus::testing::TempDir dir;
  st::ServiceProcess proc(dir.path(), kConfig + "dispatch:\n  workers: 3\n");
  BOOST_TEST_REQUIRE(proc.WaitHealthy(20s), proc.Output());
  const auto pid = tt::ServePid(proc.db_path());
  BOOST_TEST_REQUIRE(pid.has_value());
  st::Client client;
  for (int i = 1; i <= 20; ++i) BOOST_TEST_REQUIRE(client.Post(proc.Url("/hook/app"), Event(i)).status == 202);
  BOOST_TEST(client.Get(proc.Url("/readyz")).status == 200);
  BOOST_TEST(client.Get(proc.Url("/metrics")).status == 200);

  // main + 2 HTTP I/O + writer + ack deadlines + dispatch scheduler + 3 dispatch workers
  BOOST_TEST(tt::ThreadCount(*pid) == 9u + kRuntimeThreads);
  const tt::Connections held = tt::DatabaseConnections(*pid, proc.db_path());
  BOOST_TEST(held.read_write == 2);  // the writer's and the dispatch lease's
  BOOST_TEST(held.read_only == 4);   // the scheduler's and one per worker
}

BOOST_AUTO_TEST_CASE(requests_whose_commit_is_late_get_503_at_the_ack_deadline_and_their_resends_are_stored_once) {
  fluxstatus::testing::TempDir dir;
  st::ServiceProcess proc(dir.path(), kConfig);
  BOOST_TEST_REQUIRE(proc.WaitHealthy(20s), proc.Output());
  const std::string url = proc.Url("/hook/app");
  st::Client client;
  BOOST_TEST_REQUIRE(client.Post(url, Event(0)).status == 202);

  // Behind a foreign write lock each commit waits out the 5 s busy timeout and fails. With 210
  // senders at once there are three commits of at most 100 events in a row: the third is
  // still waiting for the lock when its requests reach their 10 s ack deadline.
  constexpr int kSenders = 210;
  auto lock = std::make_unique<WriteLockHolder>(proc.db_path());
  const auto start = Clock::now();
  std::vector<std::future<Timed>> sent;
  for (int i = 1; i <= kSenders; ++i) sent.push_back(PostAsync(url, Event(i), start));
  // Without the deadline the third commit's requests would wait for the lock itself.
  for (auto& f : sent) f.wait_until(start + 25s);
  lock->Release();
  int late = 0;
  int failed = 0;
  std::int64_t longest = 0;
  for (auto& f : sent) {
    const Timed t = f.get();
    BOOST_TEST(t.answer.status == 503, t.answer.body);
    BOOST_TEST(t.answer.Header("retry-after").has_value());
    longest = std::max(longest, t.waited);
    late += Contains(t.answer.body, "did not commit in time") ? 1 : 0;
    failed += Contains(t.answer.body, "database is locked") ? 1 : 0;
  }
  BOOST_TEST(late >= 1);
  BOOST_TEST(failed >= 1);
  BOOST_TEST(late + failed == kSenders);
  BOOST_TEST(longest <= 11500);  // the deadline (10 s), not the lock, ended every wait

  // The next request is answered as usual, at once.
  const auto next_from = Clock::now();
  BOOST_TEST(client.Post(url, Event(1000)).status == 202);
  BOOST_TEST(MsSince(next_from) < 2000);
  // Flux resends every 503. The third commit landed after its deadline: those resends are
  // duplicates; the rest are stored now. Each body is in the log once.
  int duplicates = 0;
  for (int i = 1; i <= kSenders; ++i) {
    const auto resent = client.Post(url, Event(i));
    BOOST_TEST_REQUIRE(resent.status == 202, resent.body);
    duplicates += st::ParseAccepted(resent.body)->duplicate ? 1 : 0;
  }
  BOOST_TEST_MESSAGE("committed after their deadline: " << duplicates << " of " << late);
  BOOST_TEST(duplicates >= 1);
  auto db = st::OpenReader(proc.db_path());
  BOOST_TEST(st::QueryInt(*db, "SELECT count(*) FROM events") == kSenders + 2);
  BOOST_TEST(st::QueryInt(*db, "SELECT count(DISTINCT body) FROM events") == kSenders + 2);
}

BOOST_AUTO_TEST_CASE(a_commit_waits_out_the_busy_timeout_and_the_probe_write_restores_readiness_without_traffic) {
  fluxstatus::testing::TempDir dir;
  st::ServiceProcess proc(dir.path(), kConfig);
  BOOST_TEST_REQUIRE(proc.WaitHealthy(20s), proc.Output());
  const std::string url = proc.Url("/hook/app");
  st::Client client;
  BOOST_TEST_REQUIRE(client.Post(url, Event(1)).status == 202);

  auto lock = std::make_unique<WriteLockHolder>(proc.db_path());
  const auto start = Clock::now();
  const auto refused = client.Post(url, Event(2));
  const auto waited = MsSince(start);
  BOOST_TEST(refused.status == 503);
  BOOST_TEST(Contains(refused.body, "locked"), refused.body);
  BOOST_TEST(waited >= 4500);  // SQLite's busy timeout (5 s) ran out first
  BOOST_TEST(waited <= 8000);
  const auto unready = client.Get(proc.Url("/readyz"));
  BOOST_TEST(unready.status == 503);
  BOOST_TEST(Contains(unready.body, "locked"), unready.body);

  lock->Release();
  // No event arrives now: only the writer's own probe write can find the database writable.
  const auto released = Clock::now();
  BOOST_TEST(WaitReady(client, proc.Url("/readyz"), 8s));
  BOOST_TEST(MsSince(released) <= 2500);  // probe_every is 1 s
  BOOST_TEST(client.Get(proc.Url("/healthz")).status == 200);
  BOOST_TEST(st::QueryInt(*st::OpenReader(proc.db_path()), "SELECT count(*) FROM events") ==
             1);  // probes leave no event

  const auto resent = client.Post(url, Event(2));  // Flux resends the 503
  BOOST_TEST(resent.status == 202);
  BOOST_TEST(!st::ParseAccepted(resent.body)->duplicate);
  BOOST_TEST(TimesStored(proc.db_path(), Event(2)) == 1);
}

BOOST_AUTO_TEST_CASE(an_idle_service_is_not_stuck_when_stall_after_passes_with_nothing_to_do) {
  fluxstatus::testing::TempDir dir;
  st::ServiceProcess proc(dir.path(), kConfig + "health:\n  stall_after: 1s\n");
  BOOST_TEST_REQUIRE(proc.WaitHealthy(20s), proc.Output());
  const std::string url = proc.Url("/hook/app");
  st::Client client;
  BOOST_TEST_REQUIRE(client.Post(url, Event(1)).status == 202);
  std::this_thread::sleep_for(2500ms);  // more than twice stall_after without a commit

  const auto live = client.Get(proc.Url("/healthz"));
  BOOST_TEST(live.status == 200, live.body);
  BOOST_TEST(client.Get(proc.Url("/readyz")).status == 200);
  const auto metrics = client.Get(proc.Url("/metrics")).body;
  BOOST_TEST(Contains(metrics, "fluxstatus_live 1"), metrics);
  const auto next_from = Clock::now();
  BOOST_TEST(client.Post(url, Event(2)).status == 202);
  BOOST_TEST(MsSince(next_from) < 2000);
  BOOST_TEST(!Contains(proc.Output(), "service is stuck"));
}

BOOST_AUTO_TEST_CASE(sigterm_answers_what_commits_within_the_grace_cuts_the_rest_and_the_resends_are_stored_once) {
  fluxstatus::testing::TempDir dir;
  const std::string url_path = "/hook/app";
  auto proc = std::make_unique<st::ServiceProcess>(dir.path(), kConfig);
  BOOST_TEST_REQUIRE(proc->WaitHealthy(20s), proc->Output());
  st::Client client;
  BOOST_TEST_REQUIRE(client.Post(proc->Url(url_path), Event(0)).status == 202);

  // The first request's commit waits out the busy timeout (5 s) and fails: answered 503 inside
  // the 7 s grace. The second waits behind it and is still unanswered when the grace ends.
  auto lock = std::make_unique<WriteLockHolder>(proc->db_path());
  const auto start = Clock::now();
  auto first = PostAsync(proc->Url(url_path), Event(1), start);
  std::this_thread::sleep_for(1s);  // taken into the first commit, which waits for the lock
  auto second = PostAsync(proc->Url(url_path), Event(2), start);
  std::this_thread::sleep_for(300ms);
  proc->Signal(SIGTERM);
  const Timed a = first.get();
  const Timed b = second.get();
  lock->Release();
  BOOST_TEST(a.answer.status == 503, a.answer.body);
  BOOST_TEST(a.ms < 7000);
  BOOST_TEST(!b.answer.answered(), b.answer.status << " " << b.answer.body);  // cut, no answer
  BOOST_TEST(b.ms >= 7500);  // the grace began with SIGTERM at ~1.3 s and lasts 7 s
  BOOST_TEST(b.ms <= 10500);
  const auto exit = proc->WaitExit(20s);
  BOOST_TEST_REQUIRE(exit.has_value(), proc->Output());
  BOOST_TEST((WIFEXITED(*exit) && WEXITSTATUS(*exit) == 0), proc->Output());

  // After the restart Flux resends both: each body is in the log once.
  proc = std::make_unique<st::ServiceProcess>(dir.path(), kConfig);
  BOOST_TEST_REQUIRE(proc->WaitHealthy(20s), proc->Output());
  BOOST_TEST(client.Post(proc->Url(url_path), Event(1)).status == 202);
  BOOST_TEST(client.Post(proc->Url(url_path), Event(2)).status == 202);
  BOOST_TEST(TimesStored(proc->db_path(), Event(1)) == 1);
  BOOST_TEST(TimesStored(proc->db_path(), Event(2)) == 1);
  BOOST_TEST(st::QueryInt(*st::OpenReader(proc->db_path()), "SELECT count(*) FROM events") == 3);
}

BOOST_AUTO_TEST_SUITE_END()
