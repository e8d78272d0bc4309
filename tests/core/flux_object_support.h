// Shared by the resync tests: the Kubernetes samples (tests/fixtures/kubernetes, copies of
// ../shared/samples/kubernetes), and Observe, which also checks the ResyncEvent contract
// (resync_event.h) for every status it returns, so each derivation test proves it too.
#pragma once

#include <algorithm>
#include <cctype>
#include <string>
#include <variant>

#include <boost/test/unit_test.hpp>

#include "core/flux_object_json.h"
#include "core/fold.h"
#include "core/object_status.h"
#include "core/resync_event.h"
#include "core/revision.h"
#include "tests/core/test_support.h"
#include "tests/support/files.h"

namespace fluxstatus::core::testing {

// The whole page of a sample, e.g. "02-kustomization-failed-new-revision.json".
inline ObjectListPage SamplePage(const std::string& file) {
  const std::string body = fluxstatus::testing::ReadFile(fluxstatus::testing::FixturesDir() / "kubernetes" / file);
  auto result = ParseObjectList(body);
  if (const auto* err = std::get_if<ParseError>(&result)) BOOST_FAIL(file << " does not parse: " << err->message);
  return std::get<ObjectListPage>(std::move(result));
}

// The one object of a sample.
inline FluxObject Sample(const std::string& file) {
  ObjectListPage page = SamplePage(file);
  BOOST_REQUIRE_EQUAL(page.items.size(), 1u);
  return std::move(page.items.front());
}

// The status the event path derives from the resync event: what a user sees on the commit.
inline StatusCandidate DerivedFrom(const FluxEvent& e) {
  RouteProfile route;
  route.name = "prod";
  route.repo = "acme/app";
  auto derived = DeriveStatus(e, ResolveCommit(e), route);
  if (!std::holds_alternative<StatusCandidate>(derived)) BOOST_FAIL("the resync event derives no status");
  return std::get<StatusCandidate>(derived);
}

// The contract of resync_event.h, checked field by field.
inline void CheckResyncContract(const ObservedStatus& s) {
  BOOST_TEST_CONTEXT(s.object.kind << "/" << s.object.name << " " << s.rule << " " << s.commit_sha) {
    const FluxEvent e = ResyncEvent(s);
    const std::string body = FluxEventBody(e);
    BOOST_TEST(FluxEventBody(ResyncEvent(s)) == body);  // the log dedups by body hash
    const FluxEvent parsed = ParseOrFail(body);
    BOOST_TEST(parsed.object.kind == e.object.kind);
    BOOST_TEST(parsed.object.namespace_ == e.object.namespace_);
    BOOST_TEST(parsed.object.name == e.object.name);
    BOOST_TEST(parsed.object.uid == e.object.uid);
    BOOST_TEST(parsed.object.api_version == e.object.api_version);
    BOOST_TEST(parsed.severity == e.severity);
    BOOST_TEST(parsed.timestamp == e.timestamp);
    BOOST_TEST(parsed.time_ms == e.time_ms);
    BOOST_TEST(parsed.message == e.message);
    BOOST_TEST(parsed.reason == e.reason);
    BOOST_TEST((parsed.metadata == e.metadata));
    BOOST_TEST(parsed.reporting_controller == e.reporting_controller);
    BOOST_TEST(parsed.reporting_instance == e.reporting_instance);

    BOOST_TEST(ResolveCommit(parsed).sha == std::optional<std::string>(s.commit_sha));
    BOOST_TEST(e.time_ms == s.time_ms);
    BOOST_TEST(e.timestamp == s.time);
    BOOST_TEST(e.reporting_controller == "fluxstatus-resync");
    const StatusCandidate c = DerivedFrom(parsed);
    BOOST_TEST(c.state == s.state);
    BOOST_TEST(c.key.commit_sha == s.commit_sha);
    std::string kind = s.object.kind;
    std::transform(kind.begin(), kind.end(), kind.begin(), [](unsigned char ch) { return std::tolower(ch); });
    BOOST_TEST(c.key.context == kind + "/" + s.object.name);
  }
}

// ObserveObject, with the resync contract checked for every status.
inline Observation Observe(const FluxObject& object, const SourceIndex& sources = {}) {
  Observation o = ObserveObject(object, sources);
  for (const auto& s : o.statuses) CheckResyncContract(s);
  if (o.statuses.empty()) BOOST_TEST(!o.skipped.empty());
  return o;
}

// The description a commit gets from this status, through the event path.
inline std::string DescriptionOf(const ObservedStatus& s) { return DerivedFrom(ResyncEvent(s)).description; }

// Test-only access to a condition, for the variations built from the samples.
inline ObjectCondition& ConditionOf(FluxObject& object, const std::string& type) {
  for (auto& c : object.conditions) {
    if (c.type == type) return c;
  }
  BOOST_FAIL("no condition " << type);
  throw std::logic_error("unreachable");
}

inline const std::string kApplied = "a1afe267b54f38b46b487f6e938a6fd508278c07";    // sample 02 lastAppliedRevision
inline const std::string kAttempted = "7c500d302e38e7e4a3f327343a8a5c21acaaeb87";  // sample 02 lastAttemptedRevision

}  // namespace fluxstatus::core::testing
