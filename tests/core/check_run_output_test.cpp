// The check run's phase, Flux's failing resources and the Markdown output (issue 16 §3).
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

#include "core/check_run_output.h"
#include "core/text_cap.h"
#include "tests/core/test_support.h"
#include "tests/support/files.h"

namespace bdata = boost::unit_test::data;
namespace core = fluxstatus::core;
using core::CheckRunFacts;
using core::FailingResource;
using namespace std::string_literals;

namespace fluxstatus::core {
inline std::ostream& boost_test_print_type(std::ostream& os, const CheckRunPhase& p) {
  return os << "{" << (p.completed ? "completed" : "in progress") << ", \"" << p.conclusion << "\"}";
}
inline std::ostream& boost_test_print_type(std::ostream& os, const FailingResource& r) {
  return os << r.kind << "/" << r.namespace_ << "/" << r.name << " '" << r.status << "'";
}
}  // namespace fluxstatus::core

namespace {

const std::string kNote = "\n\n*…cut to fit GitHub's 65,535-character limit.*";

// The end-to-end test's failure (issue 16 §5): two lines, three resources, one cluster-scoped.
const std::string kTwoLineFailure =
    "health check failed after 5m0.031s: timeout waiting for: [Deployment/apps/podinfo status: 'InProgress', "
    "StatefulSet/db/pg status: 'Failed', ClusterRole/podinfo-reader status: 'NotFound']\n"
    "Deployment/apps/podinfo: failed to pull image \"ghcr.io/stefanprodan/podinfo:6.9.9\": not found";

CheckRunFacts FailureFacts() {
  CheckRunFacts f;
  f.context = "fluxstatus/apps";
  f.state = "failure";
  f.reason = "HealthCheckFailed";
  f.message = kTwoLineFailure;
  f.kind = "Kustomization";
  f.namespace_ = "flux-system";
  f.name = "apps";
  f.cluster = "prod-eu";
  f.revision = "main@sha1:566a44a3b3bcd2b692af3477a4bd1d05ae1872ac";
  f.event_time = "2026-11-24T09:32:44Z";
  f.history = {{"2026-11-24T09:27:43Z", "pending", "progressing"},
               {"2026-11-24T09:32:44Z", "failure", "health check failed: health check failed after 5m0.031s"}};
  return f;
}

bool IsValidUtf8(const std::string& s) { return core::CapText(s, 0) == s; }

bool EndsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// How many lines of `text` are exactly `fence`: an opened fence that is closed makes two.
std::size_t FenceLines(const std::string& text, const std::string& fence) {
  std::size_t n = 0;
  for (std::size_t from = 0; from <= text.size();) {
    auto end = text.find('\n', from);
    if (end == std::string::npos) end = text.size();
    if (text.compare(from, end - from, fence) == 0) ++n;
    from = end + 1;
  }
  return n;
}

struct PhaseCase {
  std::string state;
  core::CheckRunPhase phase;
};
std::ostream& operator<<(std::ostream& os, const PhaseCase& c) { return os << '"' << c.state << '"'; }

const std::vector<PhaseCase> kPhaseCases = {
    {"pending", {false, ""}},
    {"success", {true, "success"}},
    {"failure", {true, "failure"}},
    {"error", {true, "failure"}},
    {"", {false, ""}},
    {"SUCCESS", {false, ""}},
    {"neutral", {false, ""}},
};

struct ParseCase {
  const char* name;
  std::string message;
  std::vector<FailingResource> resources;
};
std::ostream& operator<<(std::ostream& os, const ParseCase& c) { return os << c.name; }

const std::vector<ParseCase> kParseCases = {
    {"two lines, three resources",
     kTwoLineFailure,
     {{"Deployment", "apps", "podinfo", "InProgress"},
      {"StatefulSet", "db", "pg", "Failed"},
      {"ClusterRole", "", "podinfo-reader", "NotFound"}}},
    {"the wire sample",
     "health check failed after 5m0.031s: timeout waiting for: [Deployment/apps/podinfo status: 'InProgress']",
     {{"Deployment", "apps", "podinfo", "InProgress"}}},
    {"the event sample, no prefix",
     "timeout waiting for: [Deployment/default/web status: 'InProgress']\nfailed to pull image \"x\"",
     {{"Deployment", "default", "web", "InProgress"}}},
    {"fail-fast form",
     "health check failed after 16.6ms: failed early due to stalled resources: [Job/obs/seed status: 'Failed']",
     {{"Job", "obs", "seed", "Failed"}}},
    {"helm's wording",
     "Helm install failed for release a/b with chart c@1.0: timeout waiting for: [Service/a/b status: 'InProgress']",
     {{"Service", "a", "b", "InProgress"}}},
    {"error text with commas and brackets",
     "timeout waiting for: [Deployment/a/web status: 'Failed': progress deadline exceeded, see [events], "
     "Namespace/team-a status: 'Terminating']",
     {{"Deployment", "a", "web", "Failed"}, {"Namespace", "", "team-a", "Terminating"}}},
    {"statuses kstatus could not read",
     "timeout waiting for: [can't determine status for Deployment/a/x, Deployment/a/y (unknown status)]",
     {{"Deployment", "a", "x", "Unknown"}, {"Deployment", "a", "y", "Unknown"}}},
    {"a ']' on the next line",
     "timeout waiting for: [Deployment/a/b status: 'Failed']\nsee [docs]",
     {{"Deployment", "a", "b", "Failed"}}},
    {"cut short: what parsed",
     "timeout waiting for: [Deployment/a/b status: 'InProgress', StatefulSet/a/c sta",
     {{"Deployment", "a", "b", "InProgress"}}},
    {"bad entries are skipped",
     "timeout waiting for: [/a/b status: 'X', a/b/c/d status: 'X', Deployment//b status: 'X', D/a/b status: '', "
     "Deployment/a b/c status: 'X', D/a/e status: 'Ready']",
     {{"D", "a", "e", "Ready"}}},
    {"success", "Applied revision: main@sha1:566a44a3b3bcd2b692af3477a4bd1d05ae1872ac", {}},
    {"empty", "", {}},
    {"marker only", "timeout waiting for: [", {}},
    {"empty list", "timeout waiting for: []", {}},
    {"no marker", "[Deployment/a/b status: 'Failed']", {}},
    {"unterminated status", "timeout waiting for: [Deployment/a/b status: 'Failed", {}},
    {"garbage inside", "timeout waiting for: [, , ,,]]] status: ' ''']", {}},
    // Bytes pass through as they are: the renderer makes them valid UTF-8.
    {"invalid UTF-8 and NUL",
     "timeout waiting for: [\xff\xfe/\x00/x status: '\xc3']"s,
     {{"\xff\xfe", "\x00"s, "x", "\xc3"}}},
};

}  // namespace

BOOST_AUTO_TEST_SUITE(CheckRunOutput)

BOOST_DATA_TEST_CASE(phase_follows_the_state, bdata::make(kPhaseCases), c) {
  BOOST_TEST(core::CheckRunPhaseOf(c.state) == c.phase);
}

BOOST_DATA_TEST_CASE(failing_resources_are_parsed_in_order, bdata::make(kParseCases), c) {
  const auto got = core::ParseFailingResources(c.message);
  BOOST_TEST(got == c.resources, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(failure_shows_all_three_resources_and_the_second_line) {
  const auto out = core::RenderCheckRunOutput(FailureFacts());
  BOOST_TEST(out.title == "health check failed");
  BOOST_TEST(out.summary.find("| Deployment | apps | podinfo | InProgress |") != std::string::npos);
  BOOST_TEST(out.summary.find("| StatefulSet | db | pg | Failed |") != std::string::npos);
  BOOST_TEST(out.summary.find("| ClusterRole | *cluster-scoped* | podinfo-reader | NotFound |") != std::string::npos);
  BOOST_TEST(out.summary.find("`prod-eu`") != std::string::npos);
  BOOST_TEST(out.text.find("\nDeployment/apps/podinfo: failed to pull image") != std::string::npos);
  BOOST_TEST(out.text.find("| 2026-11-24T09:27:43Z | pending | progressing |") != std::string::npos);
}

// The exact Markdown the docs show (tests/fixtures/check_run_output_golden.md): any change to the
// output shows here first, and the docs are updated with it.
BOOST_AUTO_TEST_CASE(failure_renders_the_golden_markdown) {
  const auto out = core::RenderCheckRunOutput(FailureFacts());
  const std::string rendered = "<!-- output.title -->\n" + out.title + "\n\n<!-- output.summary -->\n" + out.summary +
                               "\n\n<!-- output.text -->\n" + out.text + "\n";
  const std::string golden =
      fluxstatus::testing::ReadFile(fluxstatus::testing::FixturesDir() / "check_run_output_golden.md");
  BOOST_TEST(rendered == golden);
}

BOOST_AUTO_TEST_CASE(success_has_no_resource_table) {
  CheckRunFacts f = FailureFacts();
  f.state = "success";
  f.reason = "ReconciliationSucceeded";
  f.message = "Applied revision: main@sha1:566a44a3b3bcd2b692af3477a4bd1d05ae1872ac";
  f.cluster.clear();
  const auto out = core::RenderCheckRunOutput(f);
  BOOST_TEST(out.title == "reconciliation succeeded");
  BOOST_TEST(out.summary.find("Failing resources") == std::string::npos);
  BOOST_TEST(out.summary.find("Cluster") == std::string::npos);  // not set, not shown
  BOOST_TEST(out.summary.find("- **Revision:** `main@sha1:566a44a3b3bcd2b692af3477a4bd1d05ae1872ac`") !=
             std::string::npos);
  BOOST_TEST(out.text.find("```\nApplied revision: main@sha1:") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(pending_names_the_object_and_time) {
  CheckRunFacts f;
  f.state = "pending";
  f.reason = "Progressing";
  f.message = "CronJob/default/backup configured";
  f.kind = "Kustomization";
  f.namespace_ = "flux-system";
  f.name = "backup";
  f.event_time = "2026-11-24T09:27:43Z";
  const auto out = core::RenderCheckRunOutput(f);
  BOOST_TEST(out.title == "progressing");
  BOOST_TEST(out.summary ==
             "- **Object:** `Kustomization/backup`\n- **Namespace:** `flux-system`\n"
             "- **Time:** `2026-11-24T09:27:43Z`");
  BOOST_TEST(out.text ==
             "### Message\n\n```\nCronJob/default/backup configured\n```\n\n### Recent history\n\n"
             "*No changes recorded.*");
}

BOOST_AUTO_TEST_CASE(pipes_and_backticks_cannot_break_the_markdown) {
  CheckRunFacts f = FailureFacts();
  f.message = "timeout waiting for: [Deployment/apps/we|b status: 'In`Progress']\n```\nrm -rf `x` ````` |";
  f.revision = "`main`";
  f.history = {{"2026-11-24T09:32:44Z", "failure", "a | b\nc `d` *e*"}};
  const auto out = core::RenderCheckRunOutput(f);
  BOOST_TEST(out.summary.find("| Deployment | apps | we\\|b | In\\`Progress |") != std::string::npos);
  BOOST_TEST(out.summary.find("- **Revision:** `` `main` ``") != std::string::npos);
  BOOST_TEST(out.text.find("\n``````\n" + f.message + "\n``````\n") != std::string::npos);
  BOOST_TEST(out.text.find("| failure | a \\| b c \\`d\\` \\*e\\* |") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_1_mb_message_is_cut_and_the_fence_still_closes) {
  CheckRunFacts f = FailureFacts();
  f.message = kTwoLineFailure + "\n" + std::string(1 << 20, 'x') + "````";
  const auto out = core::RenderCheckRunOutput(f);
  BOOST_TEST(out.text.size() <= core::kCheckRunTextLimit);
  BOOST_TEST(out.text.size() > core::kCheckRunTextLimit - 100);
  BOOST_TEST(IsValidUtf8(out.text));
  BOOST_TEST(EndsWith(out.text, kNote));
  BOOST_TEST(FenceLines(out.text, "`````") == 2u);
  BOOST_TEST(out.text.find("| 2026-11-24T09:27:43Z | pending | progressing |") != std::string::npos);
  BOOST_TEST(out.summary.find("| ClusterRole |") != std::string::npos);  // the list is on line one
  BOOST_TEST(out.summary.size() < 1000u);
}

BOOST_AUTO_TEST_CASE(a_cut_never_splits_a_character) {
  // Characters of 2, 3 and 4 bytes, shifted by 0-3 bytes, so every kind of boundary meets the cut.
  for (const std::string ch : {"é", "€", "😀"}) {
    for (std::size_t shift = 0; shift < 4; ++shift) {
      CheckRunFacts f = FailureFacts();
      f.message = std::string(shift, 'a');
      while (f.message.size() < 100000) f.message += ch;
      const auto out = core::RenderCheckRunOutput(f);
      BOOST_TEST_CONTEXT(ch << " shifted by " << shift) {
        BOOST_TEST(out.text.size() <= core::kCheckRunTextLimit);
        BOOST_TEST(IsValidUtf8(out.text));
        BOOST_TEST(EndsWith(out.text, kNote));
        BOOST_TEST(FenceLines(out.text, "```") == 2u);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(a_long_history_is_cut_at_a_row_and_the_message_kept) {
  CheckRunFacts f = FailureFacts();
  f.history.assign(5000, {"2026-11-24T09:32:44Z", "failure", "health check failed: timeout waiting for resources"});
  const auto out = core::RenderCheckRunOutput(f);
  BOOST_TEST(out.text.size() <= core::kCheckRunTextLimit);
  BOOST_TEST(out.text.find(kTwoLineFailure) != std::string::npos);
  BOOST_TEST(EndsWith(out.text, "resources |" + kNote));
}

BOOST_AUTO_TEST_CASE(a_huge_resource_list_is_cut_at_a_row) {
  CheckRunFacts f = FailureFacts();
  f.message = "timeout waiting for: [";
  for (int i = 0; i < 5000; ++i) f.message += "Deployment/apps/web-" + std::to_string(i) + " status: 'InProgress', ";
  f.message += "Deployment/apps/last status: 'InProgress']";
  const auto out = core::RenderCheckRunOutput(f);
  BOOST_TEST(out.summary.size() <= core::kCheckRunTextLimit);
  BOOST_TEST(EndsWith(out.summary, "InProgress |" + kNote));
  BOOST_TEST(out.text.size() <= core::kCheckRunTextLimit);
}

BOOST_AUTO_TEST_CASE(title_is_capped_and_never_empty) {
  CheckRunFacts f = FailureFacts();
  f.reason = std::string(1000, 'A') + "\xff";
  BOOST_TEST(core::RenderCheckRunOutput(f).title == core::CapText(std::string(1000, 'a'), core::kCheckRunTitleLimit));
  f.reason.clear();
  BOOST_TEST(core::RenderCheckRunOutput(f).title == "failure");
}

BOOST_AUTO_TEST_CASE(output_is_deterministic_and_valid_for_garbage) {
  CheckRunFacts f = FailureFacts();
  f.message = "\xff\xfe\x00 timeout waiting for: [\xc3"s;
  f.name = "a\nb\xe2\x82";
  const auto first = core::RenderCheckRunOutput(f);
  BOOST_TEST((first == core::RenderCheckRunOutput(f)));
  BOOST_TEST(IsValidUtf8(first.summary));
  BOOST_TEST(IsValidUtf8(first.text));
  BOOST_TEST(first.summary.find("`Kustomization/a b\xEF\xBF\xBD") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
