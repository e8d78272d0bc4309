// The append-only event log as users see it through the `events` view: immutable rows, raw
// bodies kept byte for byte, exact duplicates stored once per route.
#include <boost/test/unit_test.hpp>

#include <string>

#include <SQLiteCpp/Exception.h>

#include "store/event_log.h"
#include "tests/store/store_fixture.h"
#include "tests/support/files.h"

using namespace fluxstatus::store;
using namespace fluxstatus::store::testing;
using fluxstatus::testing::ReadFile;
using fluxstatus::testing::SampleFile;

BOOST_AUTO_TEST_SUITE(EventLog)

BOOST_FIXTURE_TEST_CASE(update_and_delete_are_refused_when_rows_are_logged, StoreFixture) {
  EventStore store(*db, fluxstatus::core::RouteCatalog());
  store.Append(Incoming("contoso2", EventSpec{}));
  const auto before = QueryRows(*db, "SELECT * FROM events");

  bool update_refused = false;
  try {
    db->exec("UPDATE event_log SET message = 'rewritten history'");
  } catch (const SQLite::Exception& e) {
    update_refused = std::string(e.what()).find("append-only") != std::string::npos;
  }
  bool delete_refused = false;
  try {
    db->exec("DELETE FROM event_log");
  } catch (const SQLite::Exception& e) {
    delete_refused = std::string(e.what()).find("append-only") != std::string::npos;
  }
  BOOST_TEST(update_refused);
  BOOST_TEST(delete_refused);
  BOOST_CHECK_THROW(db->exec("UPDATE events SET message = 'x'"), SQLite::Exception);  // views too
  BOOST_TEST((QueryRows(*db, "SELECT * FROM events") == before));
}

BOOST_FIXTURE_TEST_CASE(event_revision_is_the_revision_an_event_named_its_commit_by, StoreFixture) {
  EventStore store(*db, fluxstatus::core::RouteCatalog());
  const auto with = store.Append(Incoming("contoso2", EventSpec{}));
  EventSpec bare;
  bare.revision.clear();
  const auto without = store.Append(Incoming("contoso2", bare));
  BOOST_TEST(EventRevision(*db, with.id).value_or("") == "main@sha1:" + kShaA);
  BOOST_TEST(!EventRevision(*db, without.id).has_value());
  BOOST_TEST(!EventRevision(*db, with.id + without.id + 100).has_value());  // none (pruned)
}

BOOST_FIXTURE_TEST_CASE(body_is_kept_byte_for_byte_when_it_has_escapes_and_non_ascii, StoreFixture) {
  const std::string wire = ReadFile(SampleFile("wire", "10-direct-helmrelease-install-failed-unicode.json"));
  // The sample is what makes this test meaningful: Go's escapes and raw UTF-8, no newline.
  BOOST_TEST_REQUIRE(wire.find("\\u003c.Values.greeting\\u003e") != std::string::npos);
  BOOST_TEST_REQUIRE(wire.find("приветствие") != std::string::npos);

  EventStore store(*db, fluxstatus::core::RouteCatalog());
  const auto r = store.Append(Incoming("contoso2", wire));
  BOOST_TEST(!r.duplicate);

  SQLite::Statement q(*db, "SELECT body, length(CAST(body AS BLOB)) FROM events WHERE id = ?");
  q.bind(1, static_cast<int64_t>(r.id));
  BOOST_TEST_REQUIRE(q.executeStep());
  const std::string body = fluxstatus::testing::Bytes(q.getColumn(0));
  BOOST_TEST(body.size() == wire.size());
  BOOST_TEST(body == wire);
  BOOST_TEST(q.getColumn(1).getInt64() == static_cast<int64_t>(wire.size()));
}

BOOST_FIXTURE_TEST_CASE(exact_duplicate_is_stored_once_when_route_and_bytes_match, StoreFixture) {
  EventStore store(*db, fluxstatus::core::RouteCatalog());
  const std::string body = EventJson(EventSpec{});
  const auto first = store.Append(Incoming("contoso2", body, kBaseMs));
  const auto again = store.Append(Incoming("contoso2", body, kBaseMs + 5000));
  BOOST_TEST(!first.duplicate);
  BOOST_TEST(again.duplicate);
  BOOST_TEST(again.id == first.id);
  BOOST_TEST(Count("events") == 1);
  BOOST_TEST(Count("status_history") == 1);
  // The row is the first delivery's (received_at of the first).
  BOOST_TEST(QueryText(*db, "SELECT received_at FROM events") == "2026-11-24T09:00:00.000Z");
}

BOOST_FIXTURE_TEST_CASE(duplicate_is_reported_in_a_batch_when_it_repeats_an_earlier_item, StoreFixture) {
  EventStore store(*db, fluxstatus::core::RouteCatalog());
  const std::string body = EventJson(EventSpec{});
  std::vector<IncomingEvent> batch{Incoming("contoso2", body), Incoming("contoso2", body)};
  const auto out = store.AppendBatch(batch);
  BOOST_TEST_REQUIRE(out.size() == 2u);
  const auto* a = std::get_if<AppendResult>(&out[0]);
  const auto* b = std::get_if<AppendResult>(&out[1]);
  BOOST_TEST_REQUIRE((a && b));
  BOOST_TEST(!a->duplicate);
  BOOST_TEST(b->duplicate);
  BOOST_TEST(b->id == a->id);
  BOOST_TEST(Count("events") == 1);
}

BOOST_FIXTURE_TEST_CASE(same_bytes_are_two_events_when_routes_differ, StoreFixture) {
  EventStore store(*db, fluxstatus::core::RouteCatalog());
  const std::string body = EventJson(EventSpec{});
  const auto a = store.Append(Incoming("contoso2", body));
  const auto b = store.Append(Incoming("fabrikam", body));
  BOOST_TEST(!a.duplicate);
  BOOST_TEST(!b.duplicate);
  BOOST_TEST(a.id != b.id);
  BOOST_TEST(Count("events") == 2);
  BOOST_TEST(Count("events WHERE route = 'fabrikam'") == 1);
  BOOST_TEST(Count("current_status") == 2);  // one key per route
}

BOOST_FIXTURE_TEST_CASE(body_differing_by_one_byte_is_a_new_event_when_route_matches, StoreFixture) {
  EventStore store(*db, fluxstatus::core::RouteCatalog());
  const std::string body = EventJson(EventSpec{});
  std::string other = body;
  const auto at = other.find("1.8s");
  BOOST_TEST_REQUIRE(at != std::string::npos);
  other[at + 2] = '9';  // "1.9s"
  BOOST_TEST_REQUIRE(other.size() == body.size());

  const auto a = store.Append(Incoming("contoso2", body));
  const auto b = store.Append(Incoming("contoso2", other));
  BOOST_TEST(!b.duplicate);
  BOOST_TEST(b.id != a.id);
  BOOST_TEST(Count("events") == 2);
}

BOOST_AUTO_TEST_SUITE_END()
