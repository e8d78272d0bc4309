// When a dispatch step cannot be recorded (the writer refuses or cannot commit), the backoff
// the record would have stored is kept in memory, so the key is not due again at every poll,
// and the warning that repeats is written once, then summarised with its count.
#include <boost/test/unit_test.hpp>

#include <SQLiteCpp/Database.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <mutex>
#include <thread>

#include "tests/dispatch_e2e/e2e_support.h"
#include "tests/dispatch_e2e/log_lines.h"
#include "tests/support/manual_clock.h"

namespace fluxstatus::dispatch_e2e {
namespace {

const std::string kApps = "kustomization/apps";

// Keeps every line spdlog's default logger writes while it is installed.
class LineSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::vector<std::string> Lines() {
    std::lock_guard lock(mutex_);
    return lines_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    lines_.emplace_back(msg.payload.data(), msg.payload.size());
  }
  void flush_() override {}

 private:
  std::vector<std::string> lines_;
};

// Installs a LineSink as the default logger for its lifetime.
class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()), sink_(std::make_shared<LineSink>()) {
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("captured", sink_));
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;

  // Lines whose "msg" starts with `msg_prefix`.
  std::vector<std::map<std::string, std::string>> With(const std::string& msg_prefix) const {
    std::vector<std::map<std::string, std::string>> out;
    for (const auto& line : sink_->Lines()) {
      auto fields = LogFieldsOf(line);
      if (fields["msg"].rfind(msg_prefix, 0) == 0) out.push_back(std::move(fields));
    }
    return out;
  }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  std::shared_ptr<LineSink> sink_;
};
// Waits until the scheduler has turned `n` more times: with the clock standing still, each
// turn decides as the last one did, so what has not happened by then does not happen.
bool WaitPolls(InProcess& svc, int n) {
  const auto polls = svc.dispatcher().polls();
  return WaitUntil([&] { return svc.dispatcher().polls() >= polls + n; });
}

}  // namespace

BOOST_AUTO_TEST_SUITE(FailedRecord)

BOOST_AUTO_TEST_CASE(a_key_whose_step_cannot_be_recorded_waits_its_backoff_not_the_next_poll) {
  FakeGitHost host;
  testing::ManualClock clock;
  InProcessOptions options;
  options.workers = 1;
  options.initial_backoff = std::chrono::milliseconds(400);
  options.max_backoff = std::chrono::milliseconds(1000);
  options.clock = &clock;
  InProcess svc(host, {{"gh", HostKind::kGitHub}}, options);
  const std::string sha = Sha(80);
  svc.Submit("gh", Succeeded(sha, 0));
  svc.RecordForCurrentState("gh", sha, kApps, store::DeliveryRecord::Result::kSending);
  svc.StopWriter();
  svc.StartDispatcher();
  // Each step lists the host (one GET), then cannot record the send. Polled every 20 ms that
  // was a GET per poll; with the backoff kept, the next step waits for it (0.3 s to 1 s).
  BOOST_TEST_REQUIRE(WaitUntil([&] { return svc.dispatcher().steps() == 1; }));
  BOOST_TEST_REQUIRE(WaitPolls(svc, 5));
  BOOST_TEST(CountRequests(host, "GET") == 1);
  clock.Advance(std::chrono::milliseconds(100));
  BOOST_TEST_REQUIRE(WaitPolls(svc, 5));
  BOOST_TEST(CountRequests(host, "GET") == 1);    // still within the backoff
  clock.Advance(std::chrono::milliseconds(900));  // max_backoff has passed
  BOOST_TEST_REQUIRE(WaitUntil([&] { return svc.dispatcher().steps() == 2; }));
  BOOST_TEST(CountRequests(host, "GET") == 2);
  BOOST_TEST_REQUIRE(WaitPolls(svc, 5));
  BOOST_TEST(CountRequests(host, "GET") == 2);  // the next backoff has begun
  BOOST_TEST(CountRequests(host, "POST") == 0);
}

BOOST_AUTO_TEST_CASE(a_send_whose_record_misses_the_record_wait_is_not_made_and_the_key_is_retried) {
  FakeGitHost host;
  InProcessOptions options;
  options.workers = 1;
  options.record_wait = std::chrono::milliseconds(300);
  InProcess svc(host, {{"gh", HostKind::kGitHub}}, options);
  const std::string sha = Sha(82);
  svc.Submit("gh", Succeeded(sha, 0));
  {
    // A `sqlite3` shell holds the write lock: the writer's commit waits (5 s busy timeout).
    SQLite::Database other(svc.db_path(), SQLite::OPEN_READWRITE);
    other.exec("BEGIN IMMEDIATE");
    svc.StartDispatcher();
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    BOOST_TEST(host.Requests().empty());  // in flight was not recorded in time: no send
    other.exec("ROLLBACK");
  }
  BOOST_TEST_REQUIRE(WaitAllSynced(svc.db_path(), 1));
  BOOST_TEST(CountRequests(host, "POST") == 1);
  // Each step that gave up counted as an attempt once its records landed (after the lock), and
  // left the key not in flight: no send was made.
  BOOST_TEST(QueryInt(svc.db_path(), "SELECT attempts FROM commit_statuses") >= 1);
  BOOST_TEST(QueryInt(svc.db_path(), "SELECT in_flight FROM commit_statuses") == 0);
  BOOST_TEST(Outcomes(svc.db_path(), sha, kApps) == std::vector<std::string>{"delivered"});
}

BOOST_AUTO_TEST_CASE(a_warning_repeating_every_poll_is_written_once_then_with_its_count) {
  FakeGitHost host;
  testing::ManualClock clock;
  InProcessOptions options;
  options.workers = 1;
  options.initial_backoff = std::chrono::milliseconds(20);
  options.max_backoff = std::chrono::milliseconds(20);
  options.log_repeats_every = std::chrono::milliseconds(700);
  options.clock = &clock;
  InProcess svc(host, {{"gh", HostKind::kGitHub}}, options);
  svc.Submit("gh", Succeeded(Sha(81), 0));
  svc.StopWriter();
  const CapturedLog log;
  svc.StartDispatcher();
  // One try, then one more each time the clock passes the 20 ms backoff: six repeats.
  BOOST_TEST_REQUIRE(WaitUntil([&] { return svc.dispatcher().steps() == 1; }));
  for (int step = 2; step <= 7; ++step) {
    clock.Advance(std::chrono::milliseconds(25));
    BOOST_TEST_REQUIRE(WaitUntil([&] { return svc.dispatcher().steps() == step; }));
  }
  BOOST_TEST(log.With("could not record the send before making it").size() == 1u);  // not one per try
  clock.Advance(std::chrono::milliseconds(700));  // the window has passed: the summary is due
  const auto summarised = [&] { return log.With("could not record the send before making it").size() >= 2u; };
  BOOST_TEST_REQUIRE(WaitUntil(summarised));
  BOOST_TEST_REQUIRE(WaitPolls(svc, 3));
  auto lines = log.With("could not record the send before making it");
  BOOST_TEST_REQUIRE(lines.size() == 2u);  // the first, then one summary for the window
  BOOST_TEST(lines[0].count("repeated") == 0u);
  BOOST_TEST(lines[1]["msg"].find(" (repeated ") != std::string::npos, lines[1]["msg"]);
  BOOST_TEST(std::stoi(lines[1]["repeated"]) == 6);
  BOOST_TEST(lines[1]["commit"] == Sha(81));  // the latest fields come with the count
  BOOST_TEST(log.With("could not record a dispatch step").size() <= 3u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fluxstatus::dispatch_e2e
