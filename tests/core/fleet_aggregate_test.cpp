// Fleet aggregates (core/fleet_aggregate.h): the rule's text, the verdict over members under
// `all` and `quorum N` at its edges, and the description fitted to a host's limit.
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <map>
#include <ostream>
#include <string>
#include <variant>
#include <vector>

#include "core/fleet_aggregate.h"
#include "tests/core/test_support.h"

namespace bdata = boost::unit_test::data;
namespace core = fluxstatus::core;
using core::AggregateRule;
using core::AggregateVerdict;
using core::ContextStatus;
using core::StatusState;
using Statuses = std::map<std::string, std::vector<ContextStatus>>;

namespace {

constexpr auto kPending = StatusState::kPending;
constexpr auto kSuccess = StatusState::kSuccess;
constexpr auto kFailure = StatusState::kFailure;
constexpr auto kError = StatusState::kError;

const std::vector<std::string> kMembers = {"prod-eu", "prod-us", "prod-ap"};
const std::vector<std::string> kKustomizations = {"kustomization/*"};
const AggregateRule kAll{AggregateRule::Kind::kAll, 0};
AggregateRule Quorum(std::size_t n) { return {AggregateRule::Kind::kQuorum, n}; }

// One member's statuses: its apps are ready, still progressing, or failed for `why`.
std::vector<ContextStatus> Ready() { return {{"kustomization/apps", kSuccess, "applied"}}; }
std::vector<ContextStatus> Progressing() {
  return {{"kustomization/apps", kSuccess, "applied"}, {"kustomization/infra", kPending, "progressing"}};
}
std::vector<ContextStatus> Failed(std::string why) { return {{"kustomization/apps", kFailure, std::move(why)}}; }

// ---- ParseAggregateRule ----

struct RuleCase {
  std::string text;
  std::string parsed;  // "all", "quorum N", or "error: <message>"
};

std::ostream& operator<<(std::ostream& os, const RuleCase& c) { return os << '"' << c.text << '"'; }

std::string Show(const std::variant<AggregateRule, core::AggregateRuleError>& result) {
  if (const auto* error = std::get_if<core::AggregateRuleError>(&result)) return "error: " + error->message;
  const auto& rule = std::get<AggregateRule>(result);
  return rule.kind == AggregateRule::Kind::kAll ? "all" : "quorum " + std::to_string(rule.quorum);
}

// Against three members.
const std::vector<RuleCase> kRuleCases = {
    {"all", "all"},
    {"  all ", "all"},
    {"quorum 2", "quorum 2"},
    {"quorum   3", "quorum 3"},  // N = members
    {"quorum 1", "quorum 1"},
    {"quorum 0", "error: rule \"quorum 0\": N must be at least 1"},
    {"quorum 4", "error: rule \"quorum 4\" needs 4 members ready, but the aggregate has only 3"},
    {"quorum two", "error: rule \"quorum two\": N must be a whole number of members, from 1 to 3"},
    {"quorum -1", "error: rule \"quorum -1\": N must be a whole number of members, from 1 to 3"},
    {"quorum 2x", "error: rule \"quorum 2x\": N must be a whole number of members, from 1 to 3"},
    {"quorum 99999999999999999999999",
     "error: rule \"quorum 99999999999999999999999\": N must be a whole number "
     "of members, from 1 to 3"},
    {"quorum", "error: rule \"quorum\" is neither `all` nor `quorum N`"},
    {"quorum 2 3", "error: rule \"quorum 2 3\" is neither `all` nor `quorum N`"},
    {"ALL", "error: rule \"ALL\" is neither `all` nor `quorum N`"},
    {"majority", "error: rule \"majority\" is neither `all` nor `quorum N`"},
    {"", "error: rule \"\" is neither `all` nor `quorum N`"},
};

// ---- DecideAggregate ----

struct VerdictCase {
  const char* name;
  AggregateRule rule;
  std::vector<std::string> members;
  Statuses statuses;
  StatusState state;
  std::size_t ready;
  std::vector<std::string> failing;  // member names, in order
};

std::ostream& operator<<(std::ostream& os, const VerdictCase& c) { return os << c.name; }

const std::vector<VerdictCase> kVerdictCases = {
    {"all: no members is pending, not success", kAll, {}, {}, kPending, 0, {}},
    {"all: none heard from", kAll, kMembers, {}, kPending, 0, {}},
    {"all: every member ready",
     kAll,
     kMembers,
     {{"prod-eu", Ready()}, {"prod-us", Ready()}, {"prod-ap", Ready()}},
     kSuccess,
     3,
     {}},
    {"all: one member not heard from", kAll, kMembers, {{"prod-eu", Ready()}, {"prod-us", Ready()}}, kPending, 2, {}},
    {"all: one member progressing",
     kAll,
     kMembers,
     {{"prod-eu", Ready()}, {"prod-us", Progressing()}, {"prod-ap", Ready()}},
     kPending,
     2,
     {}},
    {"all: one failure is enough",
     kAll,
     kMembers,
     {{"prod-eu", Ready()}, {"prod-ap", Failed("health check failed")}},
     kFailure,
     1,
     {"prod-ap"}},
    {"all: a member with only uncounted contexts is pending",
     kAll,
     kMembers,
     {{"prod-eu", Ready()}, {"prod-us", Ready()}, {"prod-ap", {{"helmrelease/podinfo", kSuccess, "installed"}}}},
     kPending,
     2,
     {}},
    {"all: a route that is not a member is ignored",
     kAll,
     kMembers,
     {{"prod-eu", Ready()}, {"prod-us", Ready()}, {"prod-ap", Ready()}, {"staging", Failed("broken")}},
     kSuccess,
     3,
     {}},
    {"all: failing members in configured order",
     kAll,
     kMembers,
     {{"prod-ap", Failed("health check failed")}, {"prod-eu", Failed("build failed")}, {"prod-us", Ready()}},
     kFailure,
     1,
     {"prod-eu", "prod-ap"}},
    {"quorum 2: two ready, one failed (failures = members - N)",
     Quorum(2),
     kMembers,
     {{"prod-eu", Ready()}, {"prod-us", Ready()}, {"prod-ap", Failed("health check failed")}},
     kSuccess,
     2,
     {"prod-ap"}},
    {"quorum 2: one ready, one failed, one silent",
     Quorum(2),
     kMembers,
     {{"prod-eu", Ready()}, {"prod-ap", Failed("health check failed")}},
     kPending,
     1,
     {"prod-ap"}},
    {"quorum 2: two failed (> members - N)",
     Quorum(2),
     kMembers,
     {{"prod-eu", Ready()}, {"prod-us", Failed("a")}, {"prod-ap", Failed("b")}},
     kFailure,
     1,
     {"prod-us", "prod-ap"}},
    {"quorum 3 = members: two ready, one progressing",
     Quorum(3),
     kMembers,
     {{"prod-eu", Ready()}, {"prod-us", Ready()}, {"prod-ap", Progressing()}},
     kPending,
     2,
     {}},
    {"quorum 3 = members: one failure fails, as under all",
     Quorum(3),
     kMembers,
     {{"prod-eu", Ready()}, {"prod-us", Ready()}, {"prod-ap", Failed("x")}},
     kFailure,
     2,
     {"prod-ap"}},
    {"quorum 3 = members: all ready",
     Quorum(3),
     kMembers,
     {{"prod-eu", Ready()}, {"prod-us", Ready()}, {"prod-ap", Ready()}},
     kSuccess,
     3,
     {}},
    {"quorum 1: one ready outweighs two failed",
     Quorum(1),
     kMembers,
     {{"prod-eu", Failed("a")}, {"prod-us", Ready()}, {"prod-ap", Failed("b")}},
     kSuccess,
     1,
     {"prod-eu", "prod-ap"}},
    {"quorum 1: two failed (= members - N), one silent",
     Quorum(1),
     kMembers,
     {{"prod-eu", Failed("a")}, {"prod-ap", Failed("b")}},
     kPending,
     0,
     {"prod-eu", "prod-ap"}},
    {"quorum 1: all failed",
     Quorum(1),
     kMembers,
     {{"prod-eu", Failed("a")}, {"prod-us", Failed("c")}, {"prod-ap", Failed("b")}},
     kFailure,
     0,
     {"prod-eu", "prod-us", "prod-ap"}},
    {"quorum 1: none heard from", Quorum(1), kMembers, {}, kPending, 0, {}},
};

// ---- DescribeAggregate ----

AggregateVerdict Verdict(std::size_t ready, std::size_t total, std::vector<core::FailingMember> failing) {
  return {failing.empty() ? kPending : kFailure, ready, total, std::move(failing)};
}
core::FailingMember Failing(std::string member, StatusState state, std::string why) {
  return {std::move(member), {"kustomization/apps", state, std::move(why)}};
}

// One ready of three; two fail. The full text is 79 code points: head 18, the clauses 31
// and 30; "; +1 more failing" is 17.
const AggregateVerdict kTwoFailing = Verdict(
    1, 3, {Failing("prod-us", kFailure, "dependency not ready"), Failing("prod-ap", kFailure, "health check failed")});
const AggregateVerdict kGerman = Verdict(0, 1,
                                         {Failing("prod-ap", kFailure,
                                                  "Zeit\xC3\xBC"
                                                  "berschreitung")});

struct DescribeCase {
  const char* name;
  AggregateVerdict verdict;
  std::size_t max_chars;
  std::string text;
};

std::ostream& operator<<(std::ostream& os, const DescribeCase& c) { return os << c.name; }

const std::vector<DescribeCase> kDescribeCases = {
    {"all ready", Verdict(3, 3, {}), 140, "3/3 clusters ready"},
    {"waiting, none failing", Verdict(2, 3, {}), 140, "2/3 clusters ready"},
    {"no members", Verdict(0, 0, {}), 140, "0/0 clusters ready"},
    {"one failing", Verdict(2, 3, {Failing("prod-ap", kFailure, "health check failed")}), 140,
     "2/3 clusters ready; prod-ap: health check failed"},
    {"several failing, in order", kTwoFailing, 140,
     "1/3 clusters ready; prod-us: dependency not ready; prod-ap: health check failed"},
    {"no limit", kTwoFailing, 0, "1/3 clusters ready; prod-us: dependency not ready; prod-ap: health check failed"},
    {"exactly at the limit", kTwoFailing, 79,
     "1/3 clusters ready; prod-us: dependency not ready; prod-ap: health check failed"},
    {"failure without text shows its state", Verdict(2, 3, {Failing("prod-ap", kFailure, "")}), 140,
     "2/3 clusters ready; prod-ap: failure"},
    {"error without text shows its state", Verdict(2, 3, {Failing("prod-ap", kError, "")}), 140,
     "2/3 clusters ready; prod-ap: error"},
    {"one over: the second member is counted", kTwoFailing, 78,
     "1/3 clusters ready; prod-us: dependency not ready; +1 more failing"},
    {"counted form exactly at the limit", kTwoFailing, 66,
     "1/3 clusters ready; prod-us: dependency not ready; +1 more failing"},
    {"first member cut, the other still counted", kTwoFailing, 65,
     "1/3 clusters ready; prod-us: dependency not rea\xE2\x80\xA6; +1 more failing"},
    {"shortest cut clause", kTwoFailing, 39, "1/3 clusters ready; p\xE2\x80\xA6; +1 more failing"},
    {"too short for a clause: the whole text cut", kTwoFailing, 38,
     "1/3 clusters ready; prod-us: dependen\xE2\x80\xA6"},
    {"single failing member cut", Verdict(2, 3, {Failing("prod-ap", kFailure, "health check failed")}), 40,
     "2/3 clusters ready; prod-ap: health che\xE2\x80\xA6"},
    {"no failing member, tiny limit", Verdict(3, 3, {}), 10, "3/3 clust\xE2\x80\xA6"},
    {"code points, not bytes: 47 fit in 48 bytes", kGerman, 47,
     "0/1 clusters ready; prod-ap: Zeit\xC3\xBC"
     "berschreitung"},
    {"a cut keeps a two-byte character whole", kGerman, 35, "0/1 clusters ready; prod-ap: Zeit\xC3\xBC\xE2\x80\xA6"},
    {"a cut before a two-byte character", kGerman, 34, "0/1 clusters ready; prod-ap: Zeit\xE2\x80\xA6"},
};

}  // namespace

BOOST_AUTO_TEST_SUITE(fleet_aggregate)

BOOST_DATA_TEST_CASE(parse_rule_against_three_members, bdata::make(kRuleCases), c) {
  BOOST_TEST(Show(core::ParseAggregateRule(c.text, kMembers.size())) == c.parsed);
}

BOOST_AUTO_TEST_CASE(parse_rule_with_no_members) {
  BOOST_TEST(Show(core::ParseAggregateRule("quorum 1", 0)) ==
             "error: rule \"quorum 1\" needs 1 members ready, but the aggregate has only 0");
}

BOOST_DATA_TEST_CASE(decide, bdata::make(kVerdictCases), c) {
  const AggregateVerdict got = core::DecideAggregate(c.rule, c.members, kKustomizations, c.statuses);
  BOOST_TEST(got.state == c.state);
  BOOST_TEST(got.members_ready == c.ready);
  BOOST_TEST(got.members_total == c.members.size());
  std::vector<std::string> failing;
  for (const auto& f : got.failing) failing.push_back(f.member);
  BOOST_TEST(failing == c.failing, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(failing_member_carries_its_failing_context) {
  const auto got = core::DecideAggregate(
      kAll, kMembers, kKustomizations,
      {{"prod-ap", {{"kustomization/infra", kSuccess, "applied"}, {"kustomization/apps", kError, "build failed"}}}});
  BOOST_REQUIRE(got.failing.size() == 1u);
  BOOST_TEST(got.failing[0].failure.context == "kustomization/apps");
  BOOST_TEST(got.failing[0].failure.description == "build failed");
}

BOOST_DATA_TEST_CASE(describe, bdata::make(kDescribeCases), c) {
  BOOST_TEST(core::DescribeAggregate(c.verdict, c.max_chars) == c.text);
}

BOOST_AUTO_TEST_SUITE_END()
