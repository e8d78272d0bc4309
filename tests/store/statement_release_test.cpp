// Every store call leaves no statement stepped on a row, on every path including exceptions.
// A statement left on a row keeps a read transaction open on its connection: on the writer's
// connection, the next write transaction then fails with "database is locked" as soon as any
// other connection has written (issue 12: a resend, 5 s of quiet, and the service was locked).
#include <sqlite3.h>

#include <boost/test/unit_test.hpp>

#include "store/delivery_attempts.h"
#include "store/dispatch_lease.h"
#include "store/fold_snapshot.h"
#include "store/outbox.h"
#include "tests/store/store_fixture.h"

using namespace fluxstatus::store;
using namespace fluxstatus::store::testing;
using fluxstatus::core::RouteCatalog;

namespace {

// Statements of the connection that are stepped but not yet reset (each holds a read open).
int BusyStatements(SQLite::Database& db) {
  int busy = 0;
  for (sqlite3_stmt* s = sqlite3_next_stmt(db.getHandle(), nullptr); s; s = sqlite3_next_stmt(db.getHandle(), s)) {
    if (sqlite3_stmt_busy(s)) ++busy;
  }
  return busy;
}

// Another connection writes, as the dispatch lease does every 5 s beside a running serve.
void AnotherConnectionWrites(const std::string& db_path) {
  DispatchLease lease(db_path);
  BOOST_REQUIRE(lease.TryAcquire("someone-else", kBaseMs, 15000).held);
}

fluxstatus::core::StatusKey KeyOf(const AppendResult& r, const std::string& route) {
  return {route, "", r.commit_sha, r.context};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(statement_release)

BOOST_FIXTURE_TEST_CASE(writer_still_commits_after_a_duplicate_and_another_connections_write, StoreFixture) {
  EventStore store(*db, RouteCatalog());
  const auto event = Incoming("app", EventSpec{});
  store.AppendBatch(std::vector{event});
  const auto again = store.AppendBatch(std::vector{event});
  BOOST_TEST(std::get<AppendResult>(again.at(0)).duplicate);
  BOOST_TEST(BusyStatements(*db) == 0);

  AnotherConnectionWrites(db_path);
  EventSpec newer;
  newer.time_ms = kBaseMs + 1000;
  newer.reason = "Progressing";
  newer.severity = "info";
  BOOST_CHECK_NO_THROW(store.AppendBatch(std::vector{Incoming("app", newer)}));
  BOOST_TEST(Count("events") == 2);
}

BOOST_FIXTURE_TEST_CASE(status_load_releases_its_row, StoreFixture) {
  EventStore store(*db, RouteCatalog());
  const auto out = store.AppendBatch(std::vector{Incoming("app", EventSpec{})});
  CommitStatuses statuses(*db);
  BOOST_REQUIRE(statuses.Load(KeyOf(std::get<AppendResult>(out.at(0)), "app")));
  BOOST_TEST(BusyStatements(*db) == 0);
}

BOOST_FIXTURE_TEST_CASE(outbox_due_and_load_release_their_rows, StoreFixture) {
  EventStore store(*db, RouteCatalog({Profile("app", true)}));
  const auto out = store.AppendBatch(std::vector{Incoming("app", EventSpec{})});
  auto reader = OpenForReading(db_path);
  Outbox outbox(*reader);
  BOOST_TEST(outbox.Due(kBaseMs, 10).size() == 1u);
  BOOST_TEST(outbox.Load(KeyOf(std::get<AppendResult>(out.at(0)), "app")).has_value());
  BOOST_TEST(BusyStatements(*reader) == 0);
}

BOOST_FIXTURE_TEST_CASE(a_row_that_fails_to_parse_still_releases_the_statement, StoreFixture) {
  EventStore store(*db, RouteCatalog());
  const auto out = store.AppendBatch(std::vector{Incoming("app", EventSpec{})});
  db->exec("PRAGMA ignore_check_constraints = ON");
  db->exec("UPDATE commit_statuses SET sync_state = 'bogus'");
  db->exec("PRAGMA ignore_check_constraints = OFF");
  CommitStatuses statuses(*db);
  BOOST_CHECK_THROW(statuses.Load(KeyOf(std::get<AppendResult>(out.at(0)), "app")), std::exception);
  BOOST_TEST(BusyStatements(*db) == 0);
}

BOOST_FIXTURE_TEST_CASE(a_failed_delivery_insert_does_not_fail_the_next_one, StoreFixture) {
  DeliveryLog log(*db);
  DeliveryAttempt good{{"app", "o/r", kShaA, "kustomization/apps"}, "success", kBaseMs, 201, "delivered", "", 5};
  db->exec(
      "CREATE TEMP TRIGGER refuse_once BEFORE INSERT ON delivery_attempts WHEN NEW.error = 'refuse'"
      " BEGIN SELECT RAISE(ABORT, 'refused by test'); END");
  DeliveryAttempt refused = good;
  refused.error = "refuse";
  BOOST_CHECK_THROW(log.Record(refused), SQLite::Exception);
  // reset() would rethrow "refused by test" here, failing an unrelated record.
  BOOST_CHECK_NO_THROW(log.Record(good));
  BOOST_TEST(Count("delivery_attempts") == 1);
  BOOST_TEST(BusyStatements(*db) == 0);
}

BOOST_FIXTURE_TEST_CASE(snapshot_find_releases_its_row, StoreFixture) {
  FoldSnapshot snapshot(*db);
  fluxstatus::core::KeyState folded;
  folded.state = fluxstatus::core::StatusState::kSuccess;
  folded.description = "ok";
  folded.event_id = 1;
  const fluxstatus::core::StatusKey key{"app", "o/r", kShaA, "kustomization/apps"};
  snapshot.Save(key, folded);
  BOOST_REQUIRE(snapshot.Find(key).has_value());
  BOOST_TEST(BusyStatements(*db) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
