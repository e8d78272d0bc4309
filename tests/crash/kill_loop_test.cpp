// Crash safety (issue 5, item 3): `kill -9` of `serve` at any moment loses no acknowledged event,
// leaves no key stuck, and after the restart posts at most one duplicate status per key that was
// in flight. The route is a GitHub App reporting check runs too (issue 16): no kill leads to a
// PATCH of a completed run or to a second run showing what the run before it shows, and the
// newest run of each key shows its state. Each round loads the real binary with concurrent keep-alive clients, SIGKILLs
// it at a random moment, checks the crashed database, restarts it on the same file and checks again. Every 4th round
// kills it once more while it recovers. The seed is printed; FLUXSTATUS_CRASH_SEED=N replays a run,
// FLUXSTATUS_CRASH_ROUNDS=N soaks.
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "tests/crash/crash_support.h"
#include "tests/support/check_run_rules.h"
#include "tests/support/fake_git_host.h"
#include "tests/support/files.h"
#include "tests/support/temp_dir.h"

namespace fluxstatus::crash {
namespace {

using testing::BrokenRunRule;
using testing::FakeGitHost;
using testing::FakeStatus;
using testing::HostKind;
using testing::Shown;
using testing::ShownFor;

// The explicit bounds of the test: rounds, load, and how long any one wait may take. A round
// takes about 2-4 s on a busy 2-core machine; CTest's TIMEOUT (tests/crash/CMakeLists.txt) is
// the hard stop.
constexpr int kRounds = 20;
constexpr int kClients = 4;
constexpr std::chrono::milliseconds kMaxKillDelay{800};  // after the load starts
constexpr std::chrono::milliseconds kRequestTimeout{5000};
constexpr std::chrono::seconds kDrainTimeout{30};
constexpr std::chrono::seconds kTimeBudget{120};  // reported; a slower run still passes
// Every 4th round kills the restarted service once more, within this delay, while it recovers.
constexpr int kKillInRecoveryEvery = 4;
constexpr std::chrono::milliseconds kMaxRecoveryKillDelay{300};
// Events touch kShas x kNames status keys, so keys get new states round after round.
constexpr int kShas = 6;
constexpr int kNames = 4;

const char* const kReasons[] = {"Progressing", "ReconciliationSucceeded", "HealthCheckFailed"};

using Key = std::tuple<std::string, std::string, std::string, std::string>;  // route, repo, sha, context

std::uint64_t SeedFromEnvironment() {
  if (const char* s = std::getenv("FLUXSTATUS_CRASH_SEED")) return std::strtoull(s, nullptr, 10);
  return std::random_device{}();
}

int RoundsFromEnvironment() {
  if (const char* s = std::getenv("FLUXSTATUS_CRASH_ROUNDS")) return std::max(kRounds, std::atoi(s));
  return kRounds;
}

// The route as GitHub App 4242 (installation 9001 on `host`), reporting statuses and check runs.
std::string Config(const std::filesystem::path& dir, FakeGitHost& host) {
  const auto keys = testing::MakeGitHubAppKeys();
  host.SetGitHubApp("4242", keys.public_pem, "ghs_crash-token", std::time(nullptr) + 24 * 3600);
  host.InstallGitHubApp("acme", /*organization=*/true, 9001);
  testing::WriteFile(dir / "app.pem", keys.private_pem);
  return "routes:\n"
         "  - name: gh\n"
         "    provider: github\n"
         "    address: " +
         host.Address(HostKind::kGitHub, "acme/app") + "\n" +
         "    github_app_id: \"4242\"\n    github_installation_id: \"9001\"\n    github_private_key_file: " +
         (dir / "app.pem").string() + "\n    report: [status, check]\n" +
         "dispatch:\n  workers: 2\n  max_attempts: 1000\n  initial_backoff: 20ms\n  max_backoff: 200ms\n";
}

// What the clients of one round were answered 202 for: id -> body.
struct Acked {
  std::mutex mu;
  std::map<std::int64_t, std::string> events;
  std::vector<std::string> surprises;  // answers that are neither 202 nor 503 (Boost.Test asserts on one thread only)
  std::atomic<int> unanswered{0};
};

// Posts distinct events until `stop`, each client on its own keep-alive connection.
void Load(const std::string& url, std::uint64_t seed, int client, int round, std::atomic<std::int64_t>& clock,
          const std::atomic<bool>& stop, Acked& acked) {
  Client http;
  std::mt19937_64 rng(seed ^ (static_cast<std::uint64_t>(round) << 20) ^ static_cast<std::uint64_t>(client));
  for (int n = 0; !stop; ++n) {
    const std::string body = EventJson(
        "app-" + std::to_string(rng() % kNames), kReasons[rng() % 3], Sha(static_cast<int>(rng() % kShas)), clock++,
        "round " + std::to_string(round) + " client " + std::to_string(client) + " event " + std::to_string(n));
    const Answer a = http.Post(url, body, kRequestTimeout);
    const auto id = a.answered && a.status == 202 ? AcceptedId(a.body) : std::nullopt;
    if (id) {
      std::lock_guard lock(acked.mu);
      acked.events.emplace(*id, body);
    } else if (!a.answered) {
      ++acked.unanswered;  // the kill cut it: it may or may not be in the log
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    } else if (a.status != 503) {
      std::lock_guard lock(acked.mu);
      acked.surprises.push_back(std::to_string(a.status) + " " + a.body);
    }
  }
}

// Consecutive identical (state, description) on the host for one context: POSTs that repeated
// what the host already showed.
int Duplicates(const std::vector<FakeStatus>& statuses, const std::string& context) {
  int dups = 0;
  const FakeStatus* previous = nullptr;
  for (const auto& s : statuses) {
    if (s.context != context) continue;
    if (previous && previous->state == s.state && previous->description == s.description) ++dups;
    previous = &s;
  }
  return dups;
}

// The kill loop's state across rounds: the fake host, the service on its database, and what
// the rounds saw (acknowledged events, keys in flight at a kill, counts for the summary).
class KillLoop {
 public:
  KillLoop(std::uint64_t seed, int rounds) : seed_(seed), rounds_(rounds), rng_(seed) {
    testing::WriteFile(config_, Config(dir_.path(), host_));
    serve_ = std::make_unique<ServeProcess>(dir_.path(), config_, db_);
  }

  // One round: load, kill, check the crashed file, restart (and kill again while it recovers
  // every kKillInRecoveryEvery rounds), drain, check the host.
  void Round(int round) {
    // Half the rounds answer slowly (applied at once, answered later), so kills land mid-send.
    host_.SetDelay(std::chrono::milliseconds(round % 2 == 0 ? 0 : 10 + rng_() % 40));
    const Acked& acked = LoadAndKill(round);
    CheckCrashed(acked);
    all_acked_.insert(acked.events.begin(), acked.events.end());
    serve_ = std::make_unique<ServeProcess>(dir_.path(), config_, db_);
    if (round % kKillInRecoveryEvery == kKillInRecoveryEvery - 1) {
      // Again while it recovers: listing and resending what the first kill left in flight.
      std::this_thread::sleep_for(std::chrono::milliseconds(rng_() % (kMaxRecoveryKillDelay.count() + 1)));
      serve_->Kill();
      serve_.reset();
      CheckCrashed(*acked_);
      serve_ = std::make_unique<ServeProcess>(dir_.path(), config_, db_);
    }
    RequireDrained();
    CheckHost(round);
    CheckCheckRuns();
  }

  // Every event ever acknowledged is still there, and a clean stop leaves a consistent file.
  void Finish() {
    const auto stopped = serve_->Terminate();
    BOOST_TEST((stopped && WIFEXITED(*stopped) && WEXITSTATUS(*stopped) == 0), serve_->Output());
    serve_.reset();
    const auto logged = Logged();
    std::int64_t missing = 0;
    for (const auto& [id, body] : all_acked_) {
      const auto it = logged.find(id);
      if (it == logged.end() || it->second != body) ++missing;
    }
    BOOST_TEST(missing == 0);
    const CliRun check = RunCli(dir_.path(), config_, db_, {"rebuild", "--check"});
    BOOST_TEST(check.exit_code == 0, check.out << check.err);
  }

  std::size_t acked() const { return all_acked_.size(); }
  std::int64_t unanswered() const { return unanswered_; }
  std::int64_t kills_with_keys_in_flight() const { return kills_with_keys_in_flight_; }
  std::int64_t kills_with_runs_in_flight() const { return kills_with_runs_in_flight_; }
  std::int64_t duplicates() const { return duplicates_; }
  std::size_t host_requests() const { return host_.Requests().size(); }
  std::size_t check_runs() const { return check_runs_; }

 private:
  // Concurrent clients post until a random moment, when the service is SIGKILLed.
  const Acked& LoadAndKill(int round) {
    const auto kill_after = std::chrono::milliseconds(rng_() % (kMaxKillDelay.count() + 1));
    acked_ = std::make_unique<Acked>();
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back(Load, serve_->Url("/hook/gh"), seed_, c, round, std::ref(clock_), std::cref(stop),
                           std::ref(*acked_));
    }
    std::this_thread::sleep_for(kill_after);
    serve_->Kill();
    stop = true;
    for (auto& t : clients) t.join();
    serve_.reset();
    unanswered_ += acked_->unanswered;
    BOOST_TEST_REQUIRE(acked_->surprises.empty(), acked_->surprises.size()
                                                      << " answers other than 202 and 503, first: "
                                                      << (acked_->surprises.empty() ? "" : acked_->surprises.front()));
    return *acked_;
  }

  std::map<std::int64_t, std::string> Logged() const {
    std::map<std::int64_t, std::string> logged;
    for (const auto& r : QueryRows(db_, "SELECT id, body FROM events")) logged.emplace(std::stoll(r[0]), r[1]);
    return logged;
  }

  // The crashed file, before anything opens it for writing again: what was acknowledged is
  // there and the derived tables equal a fresh fold.
  void CheckCrashed(const Acked& acked) {
    const auto in_flight =
        QueryRows(db_, "SELECT route, repo, commit_sha, context FROM commit_statuses WHERE in_flight = 1");
    for (const auto& r : in_flight) ++in_flight_at_kill_[Key{r[0], r[1], r[2], r[3]}];
    if (!in_flight.empty()) ++kills_with_keys_in_flight_;
    if (QueryInt(db_, "SELECT count(*) FROM sink_targets WHERE sink = 'check' AND in_flight = 1") > 0) {
      ++kills_with_runs_in_flight_;
    }
    const auto logged = Logged();
    for (const auto& [id, body] : acked.events) {
      const auto it = logged.find(id);
      BOOST_TEST_REQUIRE((it != logged.end() && it->second == body),
                         "acknowledged event " << id << " is not in the events view after the kill");
    }
    const CliRun check = RunCli(dir_.path(), config_, db_, {"rebuild", "--check"});
    BOOST_TEST_REQUIRE(check.exit_code == 0, "rebuild --check after the kill:\n" << check.out << check.err);
  }

  // Every key drains to synced, none stays in flight.
  void RequireDrained() {
    // Statuses and check runs alike.
    const char* const kUnsettled =
        "FROM (SELECT commit_sha, context, sync_state, in_flight, last_error FROM commit_statuses UNION ALL "
        "SELECT commit_sha, context, sync_state, in_flight, last_error FROM sink_targets) "
        "WHERE sync_state <> 'synced' OR in_flight <> 0";
    const bool drained =
        WaitUntil([&] { return QueryInt(db_, std::string("SELECT count(*) ") + kUnsettled) == 0; }, kDrainTimeout);
    const std::string output = serve_->Output();
    BOOST_TEST_REQUIRE(drained, "keys not synced after the restart: "
                                    << QueryRows(db_, std::string("SELECT count(*) || ' not synced, e.g. ' || "
                                                                  "coalesce(max(commit_sha || ' ' || context || ' ' || "
                                                                  "sync_state || ' in_flight=' || in_flight || ' ' || "
                                                                  "coalesce(last_error, '')), '') ") +
                                                          kUnsettled)[0][0]
                                    << "\n"
                                    << output.substr(output.size() > 4000 ? output.size() - 4000 : 0));
  }

  // The host shows each key's current status, and repeated a status at most once per kill
  // that caught the key in flight.
  void CheckHost(int round) {
    for (const auto& r :
         QueryRows(db_, "SELECT route, repo, commit_sha, context, state, description FROM current_status")) {
      BOOST_TEST_CONTEXT(r[2] << " " << r[3]) {
        const auto statuses = host_.Statuses(HostKind::kGitHub, r[1], r[2]);
        const FakeStatus* newest = nullptr;
        for (const auto& s : statuses) {
          if (s.context == r[3]) newest = &s;
        }
        BOOST_TEST_REQUIRE(newest != nullptr, "the host has no status for the key");
        BOOST_TEST(newest->state == r[4]);
        BOOST_TEST(newest->description == r[5]);
        const auto allowed = in_flight_at_kill_.find(Key{r[0], r[1], r[2], r[3]});
        const int dups = Duplicates(statuses, r[3]);
        BOOST_TEST(dups <= (allowed == in_flight_at_kill_.end() ? 0 : allowed->second));
        if (round + 1 == rounds_) duplicates_ += dups;
      }
    }
  }

  // Each key's newest run shows its state; no run was PATCHed after completion or repeats the
  // run before it.
  void CheckCheckRuns() {
    check_runs_ = 0;
    for (const auto& r : QueryRows(db_, "SELECT repo, commit_sha, context, state FROM check_runs")) {
      BOOST_TEST_CONTEXT("check run " << r[1] << " " << r[2]) {
        const auto runs = host_.GitHubCheckRuns(r[0], r[1], r[2]);
        BOOST_TEST_REQUIRE(!runs.empty(), "the host has no check run for the key");
        BOOST_TEST(Shown(runs.back()) == ShownFor(r[3]));
        BOOST_TEST(BrokenRunRule(runs) == "");
        check_runs_ += runs.size();
      }
    }
    BOOST_TEST(host_.GitHubCheckRunPatchesAfterCompletion() == 0);
  }

  const std::uint64_t seed_;
  const int rounds_;
  std::mt19937_64 rng_;
  FakeGitHost host_;
  testing::TempDir dir_;
  const std::string config_ = dir_.File("fluxstatus.yaml");
  const std::string db_ = dir_.File("fluxstatus.db");
  std::unique_ptr<ServeProcess> serve_;
  std::unique_ptr<Acked> acked_;  // the current round's
  std::map<std::int64_t, std::string> all_acked_;
  std::map<Key, int> in_flight_at_kill_;  // rounds in which the key was in flight when killed
  std::atomic<std::int64_t> clock_{0};
  std::size_t check_runs_ = 0;
  std::int64_t kills_with_keys_in_flight_ = 0, kills_with_runs_in_flight_ = 0, unanswered_ = 0, duplicates_ = 0;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(crash_safety)

BOOST_AUTO_TEST_CASE(sigkill_at_random_moments_loses_no_acknowledged_event_and_leaves_no_key_stuck) {
  const std::uint64_t seed = SeedFromEnvironment();
  const int rounds = RoundsFromEnvironment();
  BOOST_TEST_MESSAGE("crash loop: seed " << seed << " (FLUXSTATUS_CRASH_SEED=" << seed << " replays it), " << rounds
                                         << " rounds");
  const auto started = std::chrono::steady_clock::now();
  KillLoop loop(seed, rounds);
  for (int round = 0; round < rounds; ++round) {
    BOOST_TEST_CONTEXT("seed " << seed << ", round " << round) { loop.Round(round); }
  }
  loop.Finish();

  const auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started);
  BOOST_TEST_MESSAGE("crash loop: " << rounds << " rounds in " << elapsed.count() << " s (budget "
                                    << kTimeBudget.count() << " s), " << loop.acked() << " events acknowledged, "
                                    << loop.unanswered() << " cut by a kill, " << loop.kills_with_keys_in_flight()
                                    << " kills caught keys in flight (" << loop.kills_with_runs_in_flight()
                                    << " check runs), " << loop.host_requests() << " requests to the host, "
                                    << loop.duplicates() << " repeated statuses, " << loop.check_runs()
                                    << " check runs");
  // At least some kills must land mid-dispatch, or the duplicate check tested nothing.
  BOOST_TEST(loop.kills_with_keys_in_flight() > 0);
  BOOST_TEST(loop.acked() > static_cast<std::size_t>(rounds));
  BOOST_TEST(loop.check_runs() > 0u);
  BOOST_TEST(loop.kills_with_runs_in_flight() > 0);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fluxstatus::crash
