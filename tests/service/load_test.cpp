// Many concurrent keep-alive clients: every acknowledged event is in the log exactly once, the
// fold ends where the newest event says, and a rebuild agrees with the live fold.
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "tests/service/service_fixtures.h"
#include "tests/service/service_support.h"

namespace st = fluxstatus::service_testing;
using st::Answer;
using st::Client;
using st::InProcessService;

namespace {

constexpr int kClients = 16;
constexpr int kEventsPerClient = 500;

// Client c owns one commit and one object (kustomization/app-c); its event k happens at
// 10:00:00 + k s. Sent in a scrambled order, so the newest event (k = 499) arrives mid-way.
st::EventSpec LoadEvent(int c, int k) {
  st::EventSpec e;
  e.namespace_ = "load";
  e.name = "app-" + std::to_string(c);
  e.timestamp = st::TimestampPlus(k);
  e.revision = "main@sha1:" + st::Sha(static_cast<std::uint64_t>(c) + 1000);
  e.message = "client " + std::to_string(c) + " event " + std::to_string(k);
  const bool last = k == kEventsPerClient - 1;
  const bool fail = last ? c % 2 == 0 : k % 3 == 0;
  e.severity = fail ? "error" : "info";
  e.reason = fail ? "HealthCheckFailed" : (!last && k % 3 == 1 ? "Progressing" : "ReconciliationSucceeded");
  return e;
}

int KAt(int c, int i) { return (i * 7 + c * 31) % kEventsPerClient; }  // a permutation of 0..499

// The clients of the test: each posts its events in a scrambled order; what they were answered.
struct ConcurrentClients {
  std::mutex mu;
  std::vector<std::int64_t> acked;        // every id answered 202
  std::map<int, std::int64_t> newest_id;  // client -> id of its k = 499 event
  std::vector<std::string> failures;

  // Client `c`'s thread.
  void Post(const std::string& url, int c, std::chrono::steady_clock::time_point deadline) {
    Client client;
    std::vector<std::int64_t> mine;
    for (int i = 0; i < kEventsPerClient; ++i) {
      if (std::chrono::steady_clock::now() > deadline) {
        std::lock_guard lock(mu);
        failures.push_back("client " + std::to_string(c) + " ran out of time at " + std::to_string(i));
        break;
      }
      const int k = KAt(c, i);
      const Answer a = client.Post(url, st::EventJson(LoadEvent(c, k)));
      const auto acc = a.status == 202 ? st::ParseAccepted(a.body) : std::nullopt;
      if (!acc || !acc->id || acc->duplicate) {
        std::lock_guard lock(mu);
        failures.push_back("client " + std::to_string(c) + " event " + std::to_string(k) + ": curl " +
                           std::to_string(a.code) + " status " + std::to_string(a.status) + " " + a.body);
        continue;
      }
      mine.push_back(*acc->id);
      if (k == kEventsPerClient - 1) {
        std::lock_guard lock(mu);
        newest_id[c] = *acc->id;
      }
    }
    std::lock_guard lock(mu);
    acked.insert(acked.end(), mine.begin(), mine.end());
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(load)

BOOST_AUTO_TEST_CASE(stores_every_acknowledged_event_once_and_folds_newest_when_16_clients_post_concurrently) {
  InProcessService svc;  // open routes, full durability: one fsync per group commit
  const std::string url = svc.Url("/hook/load");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(100);
  const auto started = std::chrono::steady_clock::now();
  ConcurrentClients load;
  std::vector<std::thread> threads;
  for (int c = 0; c < kClients; ++c) threads.emplace_back([&, c] { load.Post(url, c, deadline); });
  for (auto& t : threads) t.join();
  const auto& acked = load.acked;
  const auto& failures = load.failures;
  auto& newest_id = load.newest_id;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  BOOST_TEST_MESSAGE(kClients * kEventsPerClient << " events in " << seconds << " s, " << svc.writer().commits()
                                                 << " commits");

  BOOST_TEST(failures.empty(), failures.size() << " failures, first: " << (failures.empty() ? "" : failures.front()));
  BOOST_TEST(acked.size() == static_cast<std::size_t>(kClients * kEventsPerClient));
  const std::set<std::int64_t> acked_set(acked.begin(), acked.end());
  BOOST_TEST(acked_set.size() == acked.size(), "an id was answered to two different events");
  // Group commit really grouped (fewer transactions than events).
  BOOST_TEST(svc.writer().commits() < static_cast<std::int64_t>(acked.size()));

  auto db = st::OpenReader(svc.db_path());
  std::set<std::int64_t> stored;
  {
    SQLite::Statement q(*db, "SELECT id FROM events");
    while (q.executeStep()) stored.insert(q.getColumn(0).getInt64());
  }
  BOOST_TEST(st::QueryInt(*db, "SELECT count(*) FROM events") == kClients * kEventsPerClient);
  BOOST_TEST(st::QueryInt(*db, "SELECT count(DISTINCT body) FROM events") == kClients * kEventsPerClient);
  BOOST_TEST((stored == acked_set));

  // The fold: one status per client's commit, set by its newest event.
  BOOST_TEST(st::QueryInt(*db, "SELECT count(*) FROM current_status WHERE route = 'load'") == kClients);
  for (int c = 0; c < kClients; ++c) {
    BOOST_TEST_CONTEXT("client " << c) {
      SQLite::Statement q(*db,
                          "SELECT state, event_id, event_time, sync_state FROM current_status "
                          "WHERE route = 'load' AND commit_sha = ? AND context = ?");
      q.bind(1, st::Sha(static_cast<std::uint64_t>(c) + 1000));
      q.bind(2, "kustomization/app-" + std::to_string(c));
      BOOST_TEST_REQUIRE(q.executeStep());
      BOOST_TEST(q.getColumn(0).getString() == (c % 2 == 0 ? "failure" : "success"));
      BOOST_TEST(q.getColumn(1).getInt64() == newest_id[c]);
      BOOST_TEST(q.getColumn(2).getString().rfind("2026-11-24T10:08:19", 0) == 0u, q.getColumn(2).getString());
      BOOST_TEST(q.getColumn(3).getString() == "skipped");
    }
  }
  db.reset();
  svc.Stop();

  // `fluxstatus rebuild --check` (no config in that directory: the same open routes).
  const st::CliResult check = st::RunCli(svc.dir().path(), {"--db", svc.db_path(), "rebuild", "--check"});
  BOOST_TEST(check.exit_code == 0, check.out);
  BOOST_TEST(check.out.find("match") != std::string::npos, check.out);
}

BOOST_AUTO_TEST_SUITE_END()
