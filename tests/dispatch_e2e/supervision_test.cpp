// The dispatcher's threads are supervised: an exception (an SQLite error on a read connection)
// makes the scheduler or a worker back off, re-open its connection and carry on, and the key
// in hand is released, so every key is still delivered once the database reads again. And the
// health the probes read: Problem() names a thread failing on every try and due work that
// gets no delivery attempt, and clears once dispatch works again.
#include <boost/test/unit_test.hpp>

#include <SQLiteCpp/Database.h>

#include <optional>
#include <thread>

#include "tests/dispatch_e2e/e2e_support.h"

namespace fluxstatus::dispatch_e2e {
namespace {

const std::string kApps = "kustomization/apps";

// Writes to the database beside the service, as an operator's sqlite3 would.
void Exec(const std::string& db_path, const std::string& sql) {
  SQLite::Database db(db_path, SQLite::OPEN_READWRITE);
  db.setBusyTimeout(5000);
  db.exec("PRAGMA ignore_check_constraints = ON");  // what a damaged page would hold
  db.exec(sql);
}

std::string KeyWhere(const std::string& sha, const std::string& context = kApps) {
  return " WHERE commit_sha = '" + sha + "' AND context = '" + context + "'";
}

// A row every reader refuses ("commit_statuses holds an unknown state"); due at once, or not
// due for a day (so only a worker that already has the key in hand reads it).
void Corrupt(const std::string& db_path, const std::string& sha, bool due) {
  Exec(db_path, "UPDATE commit_statuses SET state = 'bogus', sync_state = 'pending', next_attempt_ms = " +
                    std::string(due ? "NULL" : "strftime('%s', 'now') * 1000 + 86400000") + KeyWhere(sha));
}

void Repair(const std::string& db_path, const std::string& sha) {
  Exec(db_path, "UPDATE commit_statuses SET state = 'success', next_attempt_ms = NULL" + KeyWhere(sha));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(Supervision)

BOOST_AUTO_TEST_CASE(the_scheduler_carries_on_after_its_reads_failed_for_a_while) {
  FakeGitHost host;
  InProcess svc(host, {{"gh", HostKind::kGitHub}});
  svc.StartDispatcher();
  const std::string broken = Sha(70), later = Sha(71);
  svc.Submit("gh", Succeeded(broken, 0));
  BOOST_TEST_REQUIRE(WaitAllSynced(svc.db_path(), 1));
  Corrupt(svc.db_path(), broken, /*due=*/true);  // every scheduling pass throws now
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  Repair(svc.db_path(), broken);
  svc.Submit("gh", Succeeded(later, 0));
  BOOST_TEST_REQUIRE(WaitAllSynced(svc.db_path(), 2));
  BOOST_TEST(HostStates(host, HostKind::kGitHub, "acme/app", later, kApps) == std::vector<std::string>{"success"});
}

BOOST_AUTO_TEST_CASE(a_worker_whose_read_failed_releases_the_key_and_carries_on) {
  FakeGitHost host;
  InProcessOptions options;
  options.workers = 1;
  InProcess svc(host, {{"gh", HostKind::kGitHub}}, options);
  svc.StartDispatcher();
  const std::string busy = Sha(72), broken = Sha(73);
  host.SetDelay(std::chrono::milliseconds(1000));
  svc.Submit("gh", Succeeded(busy, 0));
  BOOST_TEST_REQUIRE(WaitUntil([&] { return CountRequests(host, "POST") == 1; }));
  // The one worker is busy: `broken` waits in the queue, then its row turns unreadable.
  svc.Submit("gh", Succeeded(broken, 0));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  Corrupt(svc.db_path(), broken, /*due=*/false);
  host.SetDelay(std::chrono::milliseconds(0));
  BOOST_TEST_REQUIRE(WaitUntil([&] { return SyncState(svc.db_path(), busy, kApps) == "synced"; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the worker has read `broken` by now
  Repair(svc.db_path(), broken);
  BOOST_TEST_REQUIRE(WaitAllSynced(svc.db_path(), 2));
  BOOST_TEST(HostStates(host, HostKind::kGitHub, "acme/app", broken, kApps) == std::vector<std::string>{"success"});
}

BOOST_AUTO_TEST_CASE(problem_names_a_thread_failing_on_every_try_and_clears_once_it_recovers) {
  FakeGitHost host;
  InProcess svc(host, {{"gh", HostKind::kGitHub}});
  const auto stall_after = std::chrono::milliseconds(400);
  BOOST_TEST(!svc.dispatcher().Problem(stall_after).has_value());  // not started: nothing to say
  svc.StartDispatcher();
  const std::string sha = Sha(74);
  svc.Submit("gh", Succeeded(sha, 0));
  BOOST_TEST_REQUIRE(WaitAllSynced(svc.db_path(), 1));
  BOOST_TEST(svc.dispatcher().WorkersAlive() == 2);
  BOOST_TEST(svc.dispatcher().WorkersConfigured() == 2);
  BOOST_TEST(!svc.dispatcher().Problem(stall_after).has_value());

  Corrupt(svc.db_path(), sha, /*due=*/true);
  std::optional<std::string> problem;
  BOOST_TEST_REQUIRE(WaitUntil([&] { return (problem = svc.dispatcher().Problem(stall_after)).has_value(); }));
  BOOST_TEST(problem->find("dispatch scheduler has failed on every try for") != std::string::npos, *problem);
  BOOST_TEST(problem->find("unknown state") != std::string::npos, *problem);
  BOOST_TEST(svc.dispatcher().WorkersAlive() == 2);  // failing, not gone

  Repair(svc.db_path(), sha);
  BOOST_TEST(WaitUntil([&] { return !svc.dispatcher().Problem(stall_after).has_value(); }));
}

BOOST_AUTO_TEST_CASE(problem_names_due_work_that_gets_no_delivery_attempt) {
  FakeGitHost host;
  InProcessOptions options;
  options.record_wait = std::chrono::milliseconds(200);
  InProcess svc(host, {{"gh", HostKind::kGitHub}}, options);
  svc.Submit("gh", Succeeded(Sha(75), 0));
  svc.StopWriter();  // no send can be recorded before it is made: no call, no attempt
  svc.StartDispatcher();
  const auto stall_after = std::chrono::milliseconds(500);
  std::optional<std::string> problem;
  BOOST_TEST_REQUIRE(WaitUntil([&] { return (problem = svc.dispatcher().Problem(stall_after)).has_value(); }));
  BOOST_TEST(problem->find("statuses have been due for") != std::string::npos, *problem);
  BOOST_TEST(problem->find("without a delivery attempt") != std::string::npos, *problem);
  BOOST_TEST(host.Requests().empty());
  BOOST_TEST(!svc.dispatcher().Problem(std::chrono::seconds(60)).has_value());  // a longer stall_after: not yet
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fluxstatus::dispatch_e2e
