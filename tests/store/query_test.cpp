// Read-side queries: prefix lookups by commit use the indexes (EXPLAIN QUERY PLAN), and
// QueryStatus filters like `fluxstatus status` promises.
#include <boost/test/unit_test.hpp>

#include <string>

#include "store/commit_statuses.h"
#include "tests/store/store_fixture.h"

using namespace fluxstatus::store;
using namespace fluxstatus::store::testing;
using fluxstatus::core::RouteCatalog;

namespace {

// The plan's "detail" lines, joined.
std::string PlanOf(SQLite::Database& db, const std::string& sql) {
  std::string plan;
  for (const auto& row : QueryRows(db, "EXPLAIN QUERY PLAN " + sql)) plan += row.back() + "\n";
  return plan;
}

void Seed(SQLite::Database& db) {
  EventStore store(db, RouteCatalog());
  for (const auto& sha : {kShaA, kShaB, kShaC}) {
    EventSpec spec;
    spec.revision = "main@sha1:" + sha;
    store.Append(Incoming("contoso2", spec));
    spec.name = "infra";
    store.Append(Incoming("other", spec));
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(StatusQuery)

BOOST_FIXTURE_TEST_CASE(current_status_prefix_lookup_uses_commit_index_when_filtering_with_like, StoreFixture) {
  Seed(*db);
  const std::string plan = PlanOf(*db, "SELECT * FROM current_status WHERE commit_sha LIKE 'abc%'");
  BOOST_TEST_INFO("plan:\n" << plan);
  BOOST_TEST(plan.find("commit_statuses_commit") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(events_prefix_lookup_uses_commit_index_when_filtering_with_like, StoreFixture) {
  Seed(*db);
  const std::string plan = PlanOf(*db, "SELECT * FROM events WHERE commit_sha LIKE 'abc%'");
  BOOST_TEST_INFO("plan:\n" << plan);
  BOOST_TEST(plan.find("event_log_commit") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(status_history_prefix_lookup_uses_an_index_when_filtering_with_like, StoreFixture) {
  Seed(*db);
  const std::string plan = PlanOf(*db, "SELECT * FROM status_history WHERE commit_sha LIKE '69fd%'");
  BOOST_TEST_INFO("plan:\n" << plan);
  BOOST_TEST(plan.find("USING INDEX") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(prefix_lookup_is_case_insensitive_when_prefix_is_upper_case, StoreFixture) {
  Seed(*db);
  BOOST_TEST(Count("current_status WHERE commit_sha LIKE '69FDD6%'") == 2);
  BOOST_TEST(Count("events WHERE commit_sha LIKE '69FDD6%'") == 2);
}

BOOST_FIXTURE_TEST_CASE(query_status_filters_by_commit_prefix_and_route, StoreFixture) {
  Seed(*db);
  StatusFilter by_commit;
  by_commit.commit_prefix = kShaB.substr(0, 7);
  const auto rows = QueryStatus(*db, by_commit);
  BOOST_TEST_REQUIRE(rows.size() == 2u);
  for (const auto& r : rows) BOOST_TEST(r.key.commit_sha == kShaB);

  StatusFilter both = by_commit;
  both.route = "other";
  const auto one = QueryStatus(*db, both);
  BOOST_TEST_REQUIRE(one.size() == 1u);
  BOOST_TEST(one[0].key.route == "other");
  BOOST_TEST(one[0].key.context == "kustomization/infra");

  BOOST_TEST(QueryStatus(*db, StatusFilter{}).size() == 6u);
  StatusFilter none;
  none.commit_prefix = "ffff";
  BOOST_TEST(QueryStatus(*db, none).empty());
}

BOOST_AUTO_TEST_SUITE_END()
