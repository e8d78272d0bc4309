// A full disk (PRAGMA max_page_count via EventWriter::LimitPages): 503 with Retry-After, nothing
// half-written, /readyz says so, and the service recovers without a restart.
#include <chrono>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "tests/service/service_support.h"
#include "tests/support/manual_clock.h"

namespace st = fluxstatus::service_testing;
using st::Answer;
using st::Client;
using st::InProcessService;

namespace {

std::string BigEvent(int n) {
  st::EventSpec e;
  e.name = "big-" + std::to_string(n);
  e.severity = "error";
  e.reason = "ReconciliationFailed";
  e.timestamp = st::TimestampPlus(n);
  e.revision = "main@sha1:" + st::Sha(static_cast<std::uint64_t>(n) + 5000);
  e.message = "event " + std::to_string(n) + ": " + std::string(6000, static_cast<char>('a' + n % 26));
  return st::EventJson(e);
}

// Whether `done` turns true within 5 s (asked every 10 ms).
bool Eventually(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

bool Stored(SQLite::Database& db, const std::string& body) {
  SQLite::Statement q(db, "SELECT count(*) FROM events WHERE body = ?");
  q.bind(1, body);
  q.executeStep();
  return q.getColumn(0).getInt64() == 1;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(full_disk)

BOOST_AUTO_TEST_CASE(answers_503_keeps_nothing_partial_and_recovers_when_database_full) {
  InProcessService svc;
  Client client;
  const std::string url = svc.Url("/hook/disk");
  std::vector<std::string> acked;
  std::vector<std::string> refused;
  int n = 0;
  for (; n < 3; ++n) {
    const std::string body = BigEvent(n);
    BOOST_TEST_REQUIRE(client.Post(url, body).status == 202);
    acked.push_back(body);
  }
  const std::int64_t pages = st::QueryInt(*st::OpenReader(svc.db_path()), "PRAGMA page_count");
  BOOST_TEST_MESSAGE("page_count before the limit: " << pages);
  svc.writer().LimitPages(pages + 12);

  Answer first_503;
  for (int attempt = 0; attempt < 200 && first_503.status == 0; ++attempt, ++n) {
    const std::string body = BigEvent(n);
    const Answer a = client.Post(url, body);
    if (a.status == 202) {
      acked.push_back(body);
    } else {
      refused.push_back(body);
      first_503 = a;
    }
  }
  BOOST_TEST_REQUIRE(first_503.status == 503, "never refused: " << first_503.status << " " << first_503.body);
  BOOST_TEST(first_503.Header("retry-after").has_value());
  const auto err = st::ErrorOf(first_503.body);
  BOOST_TEST_REQUIRE(err.has_value(), first_503.body);
  BOOST_TEST(err->find("full") != std::string::npos, *err);

  // Still full: refused again, and not ready.
  for (int i = 0; i < 3; ++i, ++n) {
    const std::string body = BigEvent(n);
    const Answer a = client.Post(url, body);
    BOOST_TEST(a.status == 503, a.body);
    BOOST_TEST(a.Header("retry-after").has_value());
    (a.status == 202 ? acked : refused).push_back(body);
  }
  const Answer not_ready = client.Get(svc.Url("/readyz"));
  BOOST_TEST(not_ready.status == 503, not_ready.body);
  BOOST_TEST(not_ready.Header("retry-after").has_value());
  BOOST_TEST(client.Get(svc.Url("/healthz")).status == 200);  // alive, only not ready

  {
    auto db = st::OpenReader(svc.db_path());
    BOOST_TEST(st::QueryText(*db, "PRAGMA integrity_check") == "ok");
    BOOST_TEST(st::QueryInt(*db, "SELECT count(*) FROM events") == static_cast<std::int64_t>(acked.size()));
    for (const auto& body : acked) BOOST_TEST(Stored(*db, body), "a 202'd event is missing");
    for (const auto& body : refused) BOOST_TEST(!Stored(*db, body), "a 503'd event was stored");
    // Every stored event has its status: nothing folded without its log row or vice versa.
    BOOST_TEST(st::QueryInt(*db, "SELECT count(*) FROM current_status WHERE route = 'disk'") ==
               static_cast<std::int64_t>(acked.size()));
    BOOST_TEST(st::QueryInt(*db,
                            "SELECT count(*) FROM current_status c LEFT JOIN events e ON e.id = c.event_id "
                            "WHERE e.id IS NULL") == 0);
  }

  // Room again: no restart needed.
  svc.writer().LimitPages(1000000);
  const std::string retry = refused.front();  // what Flux would resend after the 503
  const Answer again = client.Post(url, retry);
  BOOST_TEST(again.status == 202, again.body);
  const auto acc = st::ParseAccepted(again.body);
  BOOST_TEST((acc && !acc->duplicate), again.body);
  const Answer fresh = client.Post(url, BigEvent(n++));
  BOOST_TEST(fresh.status == 202, fresh.body);
  BOOST_TEST(client.Get(svc.Url("/readyz")).status == 200);
  auto db = st::OpenReader(svc.db_path());
  BOOST_TEST(Stored(*db, retry));
  BOOST_TEST(st::QueryText(*db, "PRAGMA integrity_check") == "ok");
  BOOST_TEST(st::QueryInt(*db, "SELECT count(*) FROM events") == static_cast<std::int64_t>(acked.size()) + 2);
}

BOOST_AUTO_TEST_CASE(stores_exactly_the_acknowledged_events_when_concurrent_clients_fill_the_disk) {
  InProcessService svc;
  const std::string url = svc.Url("/hook/disk");
  {
    Client client;
    BOOST_TEST_REQUIRE(client.Post(url, BigEvent(0)).status == 202);
  }
  const std::int64_t pages = st::QueryInt(*st::OpenReader(svc.db_path()), "PRAGMA page_count");
  // Room for one whole group commit of every thread's event (each takes about 6 pages: the body,
  // the message, and the status and its history with the 6 KB text), so what fits does not
  // depend on how the writer happens to group them; the 240 events need far more.
  svc.writer().LimitPages(pages + 80);

  constexpr int kThreads = 6;
  constexpr int kPerThread = 40;
  std::mutex mu;
  std::set<std::string> acked = {BigEvent(0)};
  std::vector<std::string> refused;
  std::vector<std::string> odd;
  std::set<std::string> reasons;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Client client;
      for (int i = 0; i < kPerThread; ++i) {
        const std::string body = BigEvent(1 + t * kPerThread + i);
        const Answer a = client.Post(url, body);
        const auto acc = a.status == 202 ? st::ParseAccepted(a.body) : std::nullopt;
        std::lock_guard lock(mu);
        if (acc && acc->id && *acc->id > 0 && !acc->duplicate)
          acked.insert(body);
        else if (a.status == 503 && a.Header("retry-after")) {
          refused.push_back(body);
          reasons.insert(st::ErrorOf(a.body).value_or(a.body));
        } else
          odd.push_back(std::to_string(a.status) + " " + a.body);
      }
    });
  }
  for (auto& th : threads) th.join();
  BOOST_TEST_MESSAGE(acked.size() << " acknowledged, " << refused.size() << " refused");
  for (const auto& r : reasons) BOOST_TEST_MESSAGE("503: " << r);
  BOOST_TEST(odd.empty(), odd.size() << " odd answers, first: " << (odd.empty() ? "" : odd.front()));
  BOOST_TEST(refused.size() > 0u, "the disk never filled");
  BOOST_TEST(acked.size() > 1u, "nothing fitted before the disk filled");

  auto db = st::OpenReader(svc.db_path());
  BOOST_TEST(st::QueryText(*db, "PRAGMA integrity_check") == "ok");
  std::set<std::string> stored;
  {
    SQLite::Statement q(*db, "SELECT body FROM events");
    while (q.executeStep()) stored.insert(q.getColumn(0).getString());
  }
  // What is stored is exactly what was acknowledged: no 202 lost, no 503 kept.
  BOOST_TEST(stored.size() == acked.size());
  BOOST_TEST((stored == acked));
  for (const auto& body : refused) BOOST_TEST(stored.count(body) == 0u, "a 503'd event was stored");
}

// Kubernetes stops sending traffic to an unready pod, so no event would ever prove the disk has
// room again: the writer's probe write re-tests by itself. Readiness stays failed while the disk
// is full (no flapping back into the Service), and comes back once there is room.
BOOST_AUTO_TEST_CASE(readyz_stays_unready_while_full_and_recovers_without_traffic) {
  fluxstatus::testing::ManualClock clock;
  constexpr auto kProbeEvery = std::chrono::milliseconds(100);
  st::InProcessOptions options;
  options.writer.probe_every = kProbeEvery;
  options.clock = &clock;
  InProcessService svc(std::move(options));
  // The writer probes on its own loop turn once the clock has passed probe_every.
  const auto next_probe = [&] {
    const auto probes = svc.writer().probes();
    clock.Advance(kProbeEvery);
    return Eventually([&] { return svc.writer().probes() > probes; });
  };
  Client client;
  const std::string url = svc.Url("/hook/disk");
  BOOST_TEST_REQUIRE(client.Post(url, BigEvent(0)).status == 202);
  const std::int64_t pages = st::QueryInt(*st::OpenReader(svc.db_path()), "PRAGMA page_count");
  svc.writer().LimitPages(pages + 2);
  int status = 202;
  for (int n = 1; n < 200 && status == 202; ++n) status = client.Post(url, BigEvent(n)).status;
  BOOST_TEST_REQUIRE(status == 503);
  BOOST_TEST(client.Get(svc.Url("/readyz")).status == 503);
  for (int i = 0; i < 3; ++i) BOOST_TEST_REQUIRE(next_probe());  // several probes, all refused
  const auto still = client.Get(svc.Url("/readyz"));
  BOOST_TEST(still.status == 503);
  BOOST_TEST(still.body.find("database is full") != std::string::npos, still.body);

  svc.writer().LimitPages(pages + 1000);                     // room again (an operator grew the volume)
  BOOST_TEST(client.Get(svc.Url("/readyz")).status == 503);  // no probe has found it yet
  BOOST_TEST_REQUIRE(next_probe());
  BOOST_TEST(client.Get(svc.Url("/readyz")).status == 200);
  BOOST_TEST(client.Post(url, BigEvent(500)).status == 202);
}

BOOST_AUTO_TEST_SUITE_END()
