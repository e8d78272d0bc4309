// rejected_events: what an authenticated but invalid request leaves behind.
#include <boost/test/unit_test.hpp>

#include <string>

#include "store/rejected_events.h"
#include "tests/store/store_fixture.h"

using namespace fluxstatus::store;
using namespace fluxstatus::store::testing;

BOOST_AUTO_TEST_SUITE(RejectedLog)

BOOST_FIXTURE_TEST_CASE(record_keeps_at_most_max_bytes_when_body_is_larger, StoreFixture) {
  fluxstatus::store::RejectedLog rejected(*db);
  std::string body(5000, 'x');
  body[0] = '{';
  body[1023] = 'L';  // the last byte kept
  body[1024] = 'N';  // the first byte dropped
  rejected.Record("contoso2", fluxstatus::core::FormatRfc3339Millis(kBaseMs), "body too large", body, 1024);
  const auto rows = QueryRows(*db, "SELECT route, reason, received_at, length(body), body FROM rejected_events");
  BOOST_TEST_REQUIRE(rows.size() == 1u);
  BOOST_TEST(rows[0][0] == "contoso2");
  BOOST_TEST(rows[0][1] == "body too large");
  BOOST_TEST(rows[0][2] == "2026-11-24T09:00:00.000Z");
  BOOST_TEST(rows[0][3] == "1024");
  BOOST_TEST(rows[0][4] == body.substr(0, 1024));
}

BOOST_FIXTURE_TEST_CASE(record_keeps_whole_body_when_it_fits, StoreFixture) {
  fluxstatus::store::RejectedLog rejected(*db);
  const std::string body = "{\"severity\":\"info\"}";
  rejected.Record("contoso2", fluxstatus::core::FormatRfc3339Millis(kBaseMs), "involvedObject is missing", body, 1024);
  BOOST_TEST(QueryText(*db, "SELECT body FROM rejected_events") == body);
  BOOST_TEST(rejected.Count() == 1);
}

BOOST_FIXTURE_TEST_CASE(record_keeps_invalid_utf8_as_is_when_body_is_not_utf8, StoreFixture) {
  EventStore store(*db, fluxstatus::core::RouteCatalog());
  const std::string body("{\"message\":\"\xff\xfe bad \xc3\x28 \x00 end\"}", 29);
  BOOST_TEST_REQUIRE(body.size() == 29u);
  store.Reject(Rejection{"contoso2", fluxstatus::core::FormatRfc3339Millis(kBaseMs), "invalid UTF-8", body, 1 << 20});
  const auto rows = QueryRows(*db, "SELECT typeof(body), length(body), body, reason FROM rejected_events");
  BOOST_TEST_REQUIRE(rows.size() == 1u);
  BOOST_TEST(rows[0][0] == "blob");
  BOOST_TEST(rows[0][1] == "29");
  BOOST_TEST(rows[0][2] == body);  // byte for byte, NUL included
  BOOST_TEST(rows[0][3] == "invalid UTF-8");
  BOOST_TEST(Count("events") == 0);  // a rejection never enters the log
}

BOOST_AUTO_TEST_SUITE_END()
