// The real `fluxstatus serve` binary as a child process: graceful SIGTERM under load, and
// secrets that never reach its logs.
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "tests/service/service_support.h"
#include "tests/support/temp_dir.h"

namespace st = fluxstatus::service_testing;
using st::Answer;
using st::Client;

namespace {

std::string LoadEvent(int t, int i) {
  st::EventSpec e;
  e.namespace_ = "sigterm";
  e.name = "app-" + std::to_string(t);
  e.timestamp = st::TimestampPlus(i);
  e.revision = "main@sha1:" + st::Sha(static_cast<std::uint64_t>(t) + 7000);
  e.message = "thread " + std::to_string(t) + " event " + std::to_string(i);
  return st::EventJson(e);
}

std::string Describe(const std::optional<int>& status) {
  if (!status) return "still running";
  if (WIFEXITED(*status)) return "exit " + std::to_string(WEXITSTATUS(*status));
  if (WIFSIGNALED(*status)) return "killed by signal " + std::to_string(WTERMSIG(*status));
  return "status " + std::to_string(*status);
}

// Keep-alive clients posting distinct events while the service gets SIGTERM: what each was
// answered, before and after `terminating` is set.
struct SigtermLoad {
  struct Acked {
    std::int64_t id;
    std::string body;
  };
  std::mutex mu;
  std::vector<Acked> acked;
  std::vector<std::string> failures;
  std::atomic<int> ack_count{0};
  std::atomic<int> refused_503{0};
  std::atomic<bool> terminating{false};

  // One client thread (`t`): posts until the service is gone, 20000 events or `deadline`.
  void Post(const std::string& url, int t, std::chrono::steady_clock::time_point deadline) {
    Client client;
    int errors_after_term = 0;
    for (int i = 0; i < 20000 && std::chrono::steady_clock::now() < deadline; ++i) {
      const std::string body = LoadEvent(t, i);
      const bool before = !terminating.load();
      const Answer a = client.Post(url, body, {}, std::chrono::seconds(15));
      if (!a.answered()) {
        if (before && !terminating.load()) {
          std::lock_guard lock(mu);
          failures.push_back("connection error before SIGTERM: curl " + std::to_string(a.code));
          return;
        }
        if (++errors_after_term >= 3) return;  // the service is gone
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        continue;
      }
      Record(a, body);
    }
  }

 private:
  void Record(const Answer& a, const std::string& body) {
    if (a.status == 202) {
      const auto acc = st::ParseAccepted(a.body);
      std::lock_guard lock(mu);
      if (!acc || !acc->id || acc->duplicate) {
        failures.push_back("odd 202: " + a.body);
      } else {
        acked.push_back({*acc->id, body});
        ++ack_count;
      }
    } else if (a.status == 503 && terminating.load()) {
      ++refused_503;
    } else {
      std::lock_guard lock(mu);
      failures.push_back("status " + std::to_string(a.status) + (terminating ? " after" : " before") +
                         " SIGTERM: " + a.body);
    }
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(binary)

BOOST_AUTO_TEST_CASE(exits_0_and_keeps_every_acknowledged_event_when_sigterm_arrives_under_load) {
  fluxstatus::testing::TempDir dir;
  st::ServiceProcess proc(dir.path(), "routes:\n  - name: load\n");
  BOOST_TEST_REQUIRE(proc.WaitHealthy(std::chrono::seconds(20)), proc.Output());

  constexpr int kThreads = 8;
  SigtermLoad load;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  const std::string url = proc.Url("/hook/load");
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back([&, t] { load.Post(url, t, deadline); });

  for (int i = 0; i < 3000 && load.ack_count.load() < 400 && std::chrono::steady_clock::now() < deadline; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const int acks_at_term = load.ack_count.load();
  load.terminating = true;
  const auto term_at = std::chrono::steady_clock::now();
  proc.Signal(SIGTERM);
  const std::optional<int> status = proc.WaitExit(std::chrono::seconds(10));
  const double exit_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - term_at).count();
  for (auto& th : threads) th.join();
  const auto& acked = load.acked;
  const auto& failures = load.failures;
  BOOST_TEST_MESSAGE(acks_at_term << " acknowledged at SIGTERM, " << acked.size() << " in total, "
                                  << load.refused_503.load() << " answered 503; exited after " << exit_seconds << " s");

  BOOST_TEST_REQUIRE(status.has_value(), "still running 10 s after SIGTERM");
  BOOST_TEST(Describe(status) == "exit 0", proc.Output().substr(0, 4000));
  BOOST_TEST(exit_seconds < 10.0);
  BOOST_TEST(acks_at_term >= 400, "load never built up");
  BOOST_TEST(failures.empty(), failures.size() << " failures, first: " << (failures.empty() ? "" : failures.front()));

  // After shutdown: no answer at all.
  Client late;
  const Answer after = late.Post(url, LoadEvent(99, 1), {}, std::chrono::seconds(3));
  BOOST_TEST(!after.answered(), "answered " << after.status << " after exit");

  // Every 202 is in the database, byte for byte, under its id.
  auto db = st::OpenReader(proc.db_path());
  BOOST_TEST(st::QueryText(*db, "PRAGMA integrity_check") == "ok");
  std::size_t missing = 0;
  for (const auto& a : acked) {
    if (st::QueryBytes(*db, "SELECT body FROM events WHERE id = ?", a.id) != a.body) ++missing;
  }
  BOOST_TEST(missing == 0u, missing << " of " << acked.size() << " acknowledged events are not in the database");
  BOOST_TEST(st::QueryInt(*db, "SELECT count(*) FROM events") >= static_cast<std::int64_t>(acked.size()));
  const std::string output = proc.Output();
  BOOST_TEST(output.find("shutting down") != std::string::npos, output.substr(0, 2000));
  BOOST_TEST(output.find("ERROR: AddressSanitizer") == std::string::npos, output.substr(0, 4000));
  BOOST_TEST(output.find("runtime error:") == std::string::npos, output.substr(0, 4000));
}

BOOST_AUTO_TEST_CASE(never_writes_secrets_to_logs_when_requests_are_good_or_bad) {
  fluxstatus::testing::TempDir dir;
  const std::string hmac_key = "hmac-S3CRET-4f9a1c77e0";
  const std::string token = "bearer-S3CRET-7d2e8b55a1";
  st::WriteFile(dir.File("hmac-key"), hmac_key + "\n");          // as hand-written files are
  st::WriteFile(dir.File("bearer-token"), "  " + token + "\n");  // trimmed when read
  const std::string config =
      "max_body_bytes: 4096\nroutes:\n"
      "  - name: signed\n    hmac_key_file: " +
      dir.File("hmac-key") +
      "\n"
      "  - name: tokened\n    bearer_token_file: " +
      dir.File("bearer-token") + "\n";
  st::ServiceProcess proc(dir.path(), config, {"--log-level", "debug"});
  BOOST_TEST_REQUIRE(proc.WaitHealthy(std::chrono::seconds(20)), proc.Output());

  Client client;
  int n = 0;
  auto event = [&n] {
    st::EventSpec e;
    e.message = "secrets " + std::to_string(++n);
    e.revision = "main@sha1:" + st::Sha(static_cast<std::uint64_t>(n) + 8000);
    return st::EventJson(e);
  };
  const std::string signed_url = proc.Url("/hook/signed");
  const std::string tokened_url = proc.Url("/hook/tokened");
  std::string body = event();
  // The key file ends with "\n"; Flux signs with the key without it.
  BOOST_TEST(client.Post(signed_url, body, {"X-Signature: " + st::Signature(hmac_key, body)}).status == 202);
  body = event();
  BOOST_TEST(client.Post(signed_url, body, {"X-Signature: " + st::Signature(hmac_key + "\n", body)}).status == 202);
  body = event();
  BOOST_TEST(client.Post(signed_url, body, {"X-Signature: " + st::Signature("wrong", body)}).status == 401);
  BOOST_TEST(client.Post(signed_url, event()).status == 401);
  BOOST_TEST(client.Post(signed_url, event(), {"X-Signature: sha256=" + hmac_key}).status == 401);
  BOOST_TEST(client.Post(signed_url, event(), {"X-Signature: " + hmac_key}).status == 401);
  const std::string invalid = R"({"involvedObject":{"kind":"Kustomization"}})";
  BOOST_TEST(client.Post(signed_url, invalid, {"X-Signature: " + st::Signature(hmac_key, invalid)}).status == 400);

  BOOST_TEST(client.Post(tokened_url, event(), {"Authorization: Bearer " + token}).status == 202);
  BOOST_TEST(client.Post(tokened_url, event(), {"Authorization: Bearer " + token + "x"}).status == 401);
  BOOST_TEST(client.Post(tokened_url, event(), {"Authorization: Bearer " + hmac_key}).status == 401);
  BOOST_TEST(client.Post(tokened_url, event(), {"Authorization: Basic " + token}).status == 401);
  BOOST_TEST(client.Post(tokened_url, invalid, {"Authorization: Bearer " + token}).status == 400);
  BOOST_TEST(client.Post(tokened_url, std::string(5000, '{'), {"Authorization: Bearer " + token}).status == 413);

  const Answer metrics = client.Get(proc.Url("/metrics"));
  BOOST_TEST(metrics.status == 200);
  BOOST_TEST(metrics.body.find("fluxstatus_writer_queue_depth") != std::string::npos);
  BOOST_TEST(metrics.body.find(R"(fluxstatus_events_accepted_total{route="signed"} 2)") != std::string::npos,
             metrics.body);
  BOOST_TEST(metrics.body.find(hmac_key) == std::string::npos);
  BOOST_TEST(metrics.body.find(token) == std::string::npos);

  proc.Signal(SIGTERM);
  const auto status = proc.WaitExit(std::chrono::seconds(10));
  BOOST_TEST(Describe(status) == "exit 0");

  const std::string output = proc.Output();
  // The logs were captured (so the absence below means something)...
  BOOST_TEST(output.find("event accepted") != std::string::npos, output);
  BOOST_TEST(output.find("request rejected") != std::string::npos, output);
  // ...and hold neither secret, nor a recognisable part of one.
  BOOST_TEST(output.find(hmac_key) == std::string::npos, output);
  BOOST_TEST(output.find(token) == std::string::npos, output);
  BOOST_TEST(output.find("S3CRET") == std::string::npos, output);
  // The signatures the clients computed are not logged either.
  BOOST_TEST(output.find(st::Signature(hmac_key, body).substr(7)) == std::string::npos);
  auto db = st::OpenReader(proc.db_path());
  BOOST_TEST(st::QueryInt(*db, "SELECT count(*) FROM events") == 3);
  BOOST_TEST(st::QueryInt(*db, "SELECT count(*) FROM rejected_events") == 3);  // 400, 400, 413
}

BOOST_AUTO_TEST_SUITE_END()
