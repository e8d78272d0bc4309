// FoldAggregates (core/aggregate_fold.h): which rows the members' current statuses yield, what
// each says, and that the row's event is the newest counted member status, whatever order the
// statuses were folded in.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "core/aggregate_fold.h"
#include "tests/core/test_support.h"

namespace core = fluxstatus::core;
using core::StatusState;
using core::testing::Put;

namespace {

constexpr const char* kSha = "0123456789abcdef0123456789abcdef01234567";
constexpr const char* kOtherSha = "fedcba9876543210fedcba9876543210fedcba98";

core::FleetAggregate Production() {
  core::FleetAggregate a;
  a.name = "production";
  a.route = "prod-eu";
  a.repo = "acme/app";
  a.members = {"prod-eu", "prod-us", "prod-ap"};
  a.contexts = {"kustomization/*"};
  a.rule = {core::AggregateRule::Kind::kAll, 0};
  return a;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(aggregate_fold)

BOOST_AUTO_TEST_CASE(no_member_status_for_a_commit_yields_no_row) {
  core::KeyStates keys;
  Put(keys, "staging", kSha, "kustomization/apps", StatusState::kSuccess, "applied", 1);  // not a member
  Put(keys, "prod-eu", kSha, "helmrelease/db", StatusState::kSuccess, "installed", 2);    // not counted
  BOOST_TEST(core::FoldAggregates({Production()}, keys).empty());
}

BOOST_AUTO_TEST_CASE(two_of_three_ready_is_pending_and_names_the_route_commit_and_fleet_context) {
  core::KeyStates keys;
  Put(keys, "prod-eu", kSha, "kustomization/apps", StatusState::kSuccess, "applied", 1);
  Put(keys, "prod-us", kSha, "kustomization/apps", StatusState::kSuccess, "applied", 3);
  const auto rows = core::FoldAggregates({Production()}, keys);
  BOOST_TEST_REQUIRE(rows.size() == 1u);
  BOOST_TEST(rows[0].key.route == "prod-eu");
  BOOST_TEST(rows[0].key.repo == "acme/app");
  BOOST_TEST(rows[0].key.commit_sha == kSha);
  BOOST_TEST(rows[0].key.context == "fleet/production");
  BOOST_TEST(rows[0].fold.state == StatusState::kPending);
  BOOST_TEST(rows[0].fold.description == "2/3 clusters ready");
  BOOST_TEST(rows[0].members_ready == 2u);
  BOOST_TEST(rows[0].members_total == 3u);
  BOOST_TEST(rows[0].fold.event_id == 3);  // the newest counted member status
  BOOST_TEST(rows[0].fold.event_time_ms == 3000);
  BOOST_TEST(rows[0].fold.updated_at == "2026-12-07T00:00:03.000Z");
}

BOOST_AUTO_TEST_CASE(one_failing_member_fails_all_and_is_named_with_its_reason) {
  core::KeyStates keys;
  Put(keys, "prod-eu", kSha, "kustomization/apps", StatusState::kSuccess, "applied", 4);
  Put(keys, "prod-us", kSha, "kustomization/apps", StatusState::kSuccess, "applied", 2);
  Put(keys, "prod-ap", kSha, "kustomization/apps", StatusState::kFailure, "health check failed", 3);
  const auto rows = core::FoldAggregates({Production()}, keys);
  BOOST_TEST_REQUIRE(rows.size() == 1u);
  BOOST_TEST(rows[0].fold.state == StatusState::kFailure);
  BOOST_TEST(rows[0].fold.description == "2/3 clusters ready; prod-ap: health check failed");
  BOOST_TEST(rows[0].fold.event_id == 4);
}

BOOST_AUTO_TEST_CASE(each_commit_gets_its_own_row_and_each_aggregate_its_own_context) {
  core::FleetAggregate any_two = Production();
  any_two.name = "any-two";
  any_two.rule = {core::AggregateRule::Kind::kQuorum, 2};
  core::KeyStates keys;
  for (const char* route : {"prod-eu", "prod-us", "prod-ap"}) {
    Put(keys, route, kSha, "kustomization/apps", StatusState::kSuccess, "applied", 1);
  }
  Put(keys, "prod-eu", kOtherSha, "kustomization/apps", StatusState::kSuccess, "applied", 5);
  Put(keys, "prod-us", kOtherSha, "kustomization/apps", StatusState::kSuccess, "applied", 6);
  const auto rows = core::FoldAggregates({Production(), any_two}, keys);
  BOOST_TEST_REQUIRE(rows.size() == 4u);
  auto find = [&](const std::string& sha, const std::string& context) {
    for (const auto& r : rows) {
      if (r.key.commit_sha == sha && r.key.context == context) return r.fold.state;
    }
    BOOST_FAIL("no row for " + sha + " " + context);
    return StatusState::kError;
  };
  BOOST_TEST(find(kSha, "fleet/production") == StatusState::kSuccess);
  BOOST_TEST(find(kSha, "fleet/any-two") == StatusState::kSuccess);
  BOOST_TEST(find(kOtherSha, "fleet/production") == StatusState::kPending);  // prod-ap not heard from
  BOOST_TEST(find(kOtherSha, "fleet/any-two") == StatusState::kSuccess);
}

BOOST_AUTO_TEST_SUITE_END()
