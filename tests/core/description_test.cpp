// HumaniseReason and DescribeStatus: the status text (flux-notification-controller.md §3.0).
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <ostream>
#include <string>
#include <vector>

#include "core/description.h"
#include "tests/core/test_support.h"

namespace bdata = boost::unit_test::data;
namespace core = fluxstatus::core;
using core::StatusState;

namespace {

struct HumaniseCase {
  std::string reason;
  std::string text;
};

std::ostream& operator<<(std::ostream& os, const HumaniseCase& c) { return os << '"' << c.reason << '"'; }

// Flux's TestUtil_NameAndDescription table, plus the reasons the controllers emit (§1.5).
const std::vector<HumaniseCase> kHumaniseCases = {
    {"ReconciliationSucceeded", "reconciliation succeeded"},
    {"HealthCheckFailed", "health check failed"},
    {"OCIArtifactPullFailed", "oci artifact pull failed"},
    {"event-happened", "event - happened"},
    {"V2Migration", "v 2 migration"},
    {"", ""},
    {"info", "info"},
    {"error", "error"},
    {"ApplySucceeded", "apply succeeded"},
    {"NewArtifact", "new artifact"},
    {"Progressing", "progressing"},
    {"ProgressingWithRetry", "progressing with retry"},
    {"DependencyNotReady", "dependency not ready"},
    {"GitOperationFailed", "git operation failed"},
    {"URLInvalid", "url invalid"},
    {"InvalidCELExpression", "invalid cel expression"},
    {"OCI", "oci"},
    {"A", "a"},
};

struct DescribeCase {
  const char* name;
  StatusState state;
  std::string reason;
  std::string message;
  std::string description;
};

std::ostream& operator<<(std::ostream& os, const DescribeCase& c) { return os << c.name; }

const std::vector<DescribeCase> kDescribeCases = {
    {"success shows the reason only", StatusState::kSuccess, "ReconciliationSucceeded",
     "Reconciliation finished in 1.842s, next run in 10m0s", "reconciliation succeeded"},
    {"pending shows the reason only", StatusState::kPending, "Progressing",
     "Deployment/apps/podinfo configured\nService/apps/podinfo unchanged", "progressing"},
    {"failure adds the message", StatusState::kFailure, "HealthCheckFailed",
     "health check failed after 5m0.031s: timeout waiting for: [Deployment/apps/podinfo status: 'InProgress']",
     "health check failed: health check failed after 5m0.031s: timeout waiting for: "
     "[Deployment/apps/podinfo status: 'InProgress']"},
    {"failure adds only the first line", StatusState::kFailure, "HealthCheckFailed",
     "timeout waiting for: [Deployment/default/web status: 'InProgress']\nfailed to pull image",
     "health check failed: timeout waiting for: [Deployment/default/web status: 'InProgress']"},
    {"error state adds the first line without CR", StatusState::kError, "ReconciliationFailed",
     "apply failed\r\nsecond line", "reconciliation failed: apply failed"},
    {"trailing spaces and CR are trimmed", StatusState::kFailure, "BuildFailed", "boom  \r", "build failed: boom"},
    {"leading spaces are kept", StatusState::kFailure, "BuildFailed", "  indented", "build failed:   indented"},
    {"empty message leaves the reason", StatusState::kFailure, "BuildFailed", "", "build failed"},
    {"blank first line leaves the reason", StatusState::kFailure, "BuildFailed", "\r\nsecond line", "build failed"},
    {"empty reason shows the message alone", StatusState::kFailure, "", "boom\nmore", "boom"},
    {"Unicode first line kept whole", StatusState::kFailure, "InstallFailed",
     "Helm install failed: ключ «x» ✗ 👋\n\nLast Helm logs:\n\n…", "install failed: Helm install failed: ключ «x» ✗ 👋"},
};

}  // namespace

BOOST_AUTO_TEST_SUITE(HumaniseReason)

BOOST_DATA_TEST_CASE(splits_at_class_changes_and_lower_cases_when_reason_is_camel_case, bdata::make(kHumaniseCases),
                     c) {
  BOOST_TEST(core::HumaniseReason(c.reason) == c.text);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(DescribeStatus)

BOOST_DATA_TEST_CASE(adds_first_message_line_only_when_failure_or_error, bdata::make(kDescribeCases), c) {
  BOOST_TEST(core::DescribeStatus(c.state, c.reason, c.message) == c.description);
}

BOOST_AUTO_TEST_SUITE_END()
