// AppendBatch: the group commit. Every item of a batch lands in one transaction; an item that
// fails rolls back alone (no log row without its fold), the others still commit.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "tests/store/store_fixture.h"

using namespace fluxstatus::store;
using namespace fluxstatus::store::testing;
using fluxstatus::core::RouteCatalog;

namespace {

std::vector<IncomingEvent> NamedEvents(const std::vector<std::string>& names) {
  std::vector<IncomingEvent> batch;
  for (std::size_t i = 0; i < names.size(); ++i) {
    EventSpec spec;
    spec.name = names[i];
    spec.time_ms = kBaseMs + static_cast<std::int64_t>(i) * 1000;
    batch.push_back(Incoming("contoso2", spec, kBaseMs + static_cast<std::int64_t>(i)));
  }
  return batch;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(AppendBatch)

BOOST_FIXTURE_TEST_CASE(all_items_commit_when_batch_has_500_events, StoreFixture) {
  std::vector<IncomingEvent> batch;
  for (int i = 0; i < 500; ++i) {
    EventSpec spec;
    spec.name = "app-" + std::to_string(i);
    spec.time_ms = kBaseMs + i;
    batch.push_back(Incoming("contoso2", spec, kBaseMs + i));
  }
  std::vector<AppendOutcome> out;
  {
    EventStore store(*db, RouteCatalog());
    out = store.AppendBatch(batch);
  }
  BOOST_TEST_REQUIRE(out.size() == 500u);
  int appended = 0;
  for (const auto& o : out) {
    const auto* r = std::get_if<AppendResult>(&o);
    if (r && !r->duplicate && r->id > 0) ++appended;
  }
  BOOST_TEST(appended == 500);
  db.reset();  // committed means visible to a new connection
  auto reader = OpenForReading(db_path);
  BOOST_TEST(QueryInt(*reader, "SELECT count(*) FROM events") == 500);
  BOOST_TEST(QueryInt(*reader, "SELECT count(DISTINCT id) FROM events") == 500);
  BOOST_TEST(QueryInt(*reader, "SELECT count(*) FROM current_status") == 500);
  BOOST_TEST(QueryInt(*reader, "SELECT count(*) FROM status_history") == 500);
}

// The failure is provoked from outside the store, the way a full disk or a constraint would
// surface: a TEMP trigger that aborts the fold's write (commit_statuses) for one context.
// The item's log row must go with it, and the next items must still commit.
BOOST_FIXTURE_TEST_CASE(failing_fold_rolls_back_its_item_alone_when_others_succeed, StoreFixture) {
  db->exec(
      "CREATE TEMP TRIGGER poison_fold BEFORE INSERT ON main.commit_statuses"
      " WHEN NEW.context = 'kustomization/poison'"
      " BEGIN SELECT RAISE(ABORT, 'poisoned fold'); END");
  EventStore store(*db, RouteCatalog());
  const auto out = store.AppendBatch(NamedEvents({"before", "poison", "after1", "after2"}));
  BOOST_TEST_REQUIRE(out.size() == 4u);
  BOOST_TEST(std::holds_alternative<AppendResult>(out[0]));
  BOOST_TEST_REQUIRE(std::holds_alternative<AppendFailure>(out[1]));
  BOOST_TEST(std::get<AppendFailure>(out[1]).error.find("poisoned fold") != std::string::npos);
  for (std::size_t i : {std::size_t{2}, std::size_t{3}}) {
    BOOST_TEST_CONTEXT("item " << i) {
      BOOST_TEST(std::holds_alternative<AppendResult>(out[i]));
      if (const auto* f = std::get_if<AppendFailure>(&out[i])) BOOST_TEST_MESSAGE("failed: " << f->error);
    }
  }
  const auto names = QueryRows(*db, "SELECT name FROM events ORDER BY id");
  BOOST_TEST_REQUIRE(names.size() == 3u);
  BOOST_TEST(names[0][0] == "before");
  BOOST_TEST(names[1][0] == "after1");
  BOOST_TEST(names[2][0] == "after2");
  BOOST_TEST(Count("current_status") == 3);
  BOOST_TEST(Count("status_history") == 3);
  BOOST_TEST(Count("current_status WHERE context = 'kustomization/poison'") == 0);
}

BOOST_FIXTURE_TEST_CASE(failing_log_insert_rolls_back_its_item_alone_when_others_succeed, StoreFixture) {
  db->exec(
      "CREATE TEMP TRIGGER poison_log BEFORE INSERT ON main.event_log"
      " WHEN NEW.name = 'poison'"
      " BEGIN SELECT RAISE(ABORT, 'poisoned log'); END");
  EventStore store(*db, RouteCatalog());
  const auto out = store.AppendBatch(NamedEvents({"before", "poison", "after1", "after2"}));
  BOOST_TEST_REQUIRE(out.size() == 4u);
  BOOST_TEST(std::holds_alternative<AppendResult>(out[0]));
  BOOST_TEST_REQUIRE(std::holds_alternative<AppendFailure>(out[1]));
  BOOST_TEST(std::get<AppendFailure>(out[1]).error.find("poisoned log") != std::string::npos);
  for (std::size_t i : {std::size_t{2}, std::size_t{3}}) {
    BOOST_TEST_CONTEXT("item " << i) {
      BOOST_TEST(std::holds_alternative<AppendResult>(out[i]));
      if (const auto* f = std::get_if<AppendFailure>(&out[i])) BOOST_TEST_MESSAGE("failed: " << f->error);
    }
  }
  BOOST_TEST(Count("events") == 3);
  BOOST_TEST(Count("current_status") == 3);
}

BOOST_FIXTURE_TEST_CASE(single_append_still_works_when_previous_append_failed, StoreFixture) {
  db->exec(
      "CREATE TEMP TRIGGER poison_log BEFORE INSERT ON main.event_log"
      " WHEN NEW.name = 'poison'"
      " BEGIN SELECT RAISE(ABORT, 'poisoned log'); END");
  EventStore store(*db, RouteCatalog());
  EventSpec poison;
  poison.name = "poison";
  BOOST_CHECK_THROW(store.Append(Incoming("contoso2", poison)), std::exception);
  EventSpec fine;
  fine.name = "fine";
  BOOST_CHECK_NO_THROW(store.Append(Incoming("contoso2", fine)));
  BOOST_TEST(Count("events") == 1);
  BOOST_TEST(Count("current_status") == 1);
}

BOOST_AUTO_TEST_SUITE_END()
