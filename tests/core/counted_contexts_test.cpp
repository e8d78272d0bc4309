// A route's statuses over its counted contexts (core/counted_contexts.h), and the deployment
// state derived from them (core/deployment_state.h): each as a table of statuses and outcome.
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <ostream>
#include <string>
#include <vector>

#include "core/counted_contexts.h"
#include "core/deployment_state.h"
#include "tests/core/test_support.h"

namespace bdata = boost::unit_test::data;
namespace core = fluxstatus::core;
using core::ContextStatus;
using core::StatusState;

namespace {

constexpr auto kPending = StatusState::kPending;
constexpr auto kSuccess = StatusState::kSuccess;
constexpr auto kFailure = StatusState::kFailure;
constexpr auto kError = StatusState::kError;

const std::vector<std::string> kKustomizations = {"kustomization/*"};

struct CountedCase {
  const char* name;
  std::vector<std::string> patterns;
  std::vector<ContextStatus> statuses;
  StatusState state;
  std::size_t counted;
  std::string first_failure;  // its context; "" = none
  std::string deployment;     // DeploymentStateOverContexts, as GitHub names it
};

std::ostream& operator<<(std::ostream& os, const CountedCase& c) { return os << c.name; }

const std::vector<CountedCase> kCountedCases = {
    {"no statuses: not heard from", kKustomizations, {}, kPending, 0, "", "in_progress"},
    {"no pattern counts nothing", {}, {{"kustomization/apps", kSuccess, "applied"}}, kPending, 0, "", "in_progress"},
    {"only uncounted contexts",
     kKustomizations,
     {{"helmrelease/podinfo", kFailure, "install failed"}},
     kPending,
     0,
     "",
     "in_progress"},
    {"all counted success",
     kKustomizations,
     {{"kustomization/apps", kSuccess, ""}, {"kustomization/infra", kSuccess, ""}},
     kSuccess,
     2,
     "",
     "success"},
    {"one counted still pending",
     kKustomizations,
     {{"kustomization/apps", kSuccess, ""}, {"kustomization/infra", kPending, "progressing"}},
     kPending,
     2,
     "",
     "in_progress"},
    {"a failure wins over pending",
     kKustomizations,
     {{"kustomization/apps", kPending, ""}, {"kustomization/infra", kFailure, "health check failed"}},
     kFailure,
     2,
     "kustomization/infra",
     "failure"},
    {"an error counts as a failure",
     kKustomizations,
     {{"kustomization/apps", kSuccess, ""}, {"kustomization/infra", kError, "build failed"}},
     kFailure,
     2,
     "kustomization/infra",
     "failure"},
    {"an uncounted failure is ignored",
     kKustomizations,
     {{"kustomization/apps", kSuccess, ""}, {"helmrelease/podinfo", kFailure, "install failed"}},
     kSuccess,
     1,
     "",
     "success"},
    {"star crosses the cluster segment",
     kKustomizations,
     {{"kustomization/apps/prod-eu", kSuccess, ""}},
     kSuccess,
     1,
     "",
     "success"},
    {"question mark is one character",
     {"kustomization/app?"},
     {{"kustomization/apps", kSuccess, ""}, {"kustomization/apps2", kFailure, ""}},
     kSuccess,
     1,
     "",
     "success"},
    {"any of several patterns",
     {"kustomization/*", "helmrelease/*"},
     {{"kustomization/apps", kSuccess, ""}, {"helmrelease/podinfo", kPending, ""}, {"gitrepository/x", kFailure, ""}},
     kPending,
     2,
     "",
     "in_progress"},
    {"first failure by context order, not input order",
     kKustomizations,
     {{"kustomization/zeta", kFailure, "z"}, {"kustomization/alpha", kError, "a"}},
     kFailure,
     2,
     "kustomization/alpha",
     "failure"},
};

}  // namespace

BOOST_AUTO_TEST_SUITE(counted_contexts)

BOOST_DATA_TEST_CASE(state_over_counted_contexts, bdata::make(kCountedCases), c) {
  const auto got = core::StateOverCountedContexts(c.statuses, c.patterns);
  BOOST_TEST(got.state == c.state);
  BOOST_TEST(got.counted == c.counted);
  BOOST_TEST((got.first_failure ? got.first_failure->context : std::string()) == c.first_failure);
  BOOST_TEST(core::ToString(core::DeploymentStateOverContexts(c.statuses, c.patterns)) == c.deployment);
}

BOOST_AUTO_TEST_CASE(first_failure_keeps_its_text) {
  const auto got = core::StateOverCountedContexts(
      {{"kustomization/apps", kSuccess, "applied"}, {"kustomization/infra", kFailure, "health check failed"}},
      kKustomizations);
  BOOST_REQUIRE(got.first_failure.has_value());
  BOOST_TEST(got.first_failure->state == kFailure);
  BOOST_TEST(got.first_failure->description == "health check failed");
}

BOOST_AUTO_TEST_CASE(is_counted_context) {
  BOOST_TEST(core::IsCountedContext(kKustomizations, "kustomization/apps"));
  BOOST_TEST(!core::IsCountedContext(kKustomizations, "kustomization"));
  BOOST_TEST(!core::IsCountedContext(kKustomizations, "Kustomization/apps"));  // case matters
  BOOST_TEST(core::IsCountedContext({"*"}, "anything/at/all"));
  BOOST_TEST(!core::IsCountedContext({}, "kustomization/apps"));
}

BOOST_AUTO_TEST_SUITE_END()
