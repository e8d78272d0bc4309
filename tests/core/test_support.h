// Shared helpers for the core tests: printers for the values BOOST_TEST compares, and small
// builders for events. Header-only; every test input stays a literal in the test itself.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <variant>

#include <boost/test/unit_test.hpp>

#include "core/commit_status.h"
#include "core/flux_event.h"
#include "core/flux_json.h"
#include "core/fold.h"

// Boost.Test prints both sides of a failed BOOST_TEST; std::optional has no operator<<.
namespace boost::test_tools::tt_detail {
template <>
struct print_log_value<std::optional<std::string>> {
  void operator()(std::ostream& os, const std::optional<std::string>& v) {
    if (v) {
      os << '"' << *v << '"';
    } else {
      os << "nullopt";
    }
  }
};
template <>
struct print_log_value<std::optional<std::int64_t>> {
  void operator()(std::ostream& os, const std::optional<std::int64_t>& v) {
    if (v) {
      os << *v;
    } else {
      os << "nullopt";
    }
  }
};
}  // namespace boost::test_tools::tt_detail

namespace fluxstatus::core {

// Boost.Test's printing customisation point (found by ADL), so core needs no operator<<.
inline std::ostream& boost_test_print_type(std::ostream& os, StatusState s) { return os << ToString(s); }

inline std::ostream& boost_test_print_type(std::ostream& os, FoldOutcome o) {
  switch (o) {
    case FoldOutcome::kCreated: return os << "created";
    case FoldOutcome::kChanged: return os << "changed";
    case FoldOutcome::kRefreshed: return os << "refreshed";
    case FoldOutcome::kStale: return os << "stale";
  }
  return os << "FoldOutcome(" << static_cast<int>(o) << ")";
}

inline std::ostream& boost_test_print_type(std::ostream& os, const KeyState& k) {
  return os << "{" << ToString(k.state) << ", \"" << k.description << "\", \"" << k.target_url << "\", id "
            << k.event_id << ", t " << k.event_time_ms << "}";
}

}  // namespace fluxstatus::core

namespace fluxstatus::core::testing {

// Sets `route`'s status for (acme/app, sha, context) in `keys`, as set by event `event_id`
// (event time and received_at derived from it): the fleet and deployment folds' input.
inline void Put(KeyStates& keys, const std::string& route, const std::string& sha, const std::string& context,
                StatusState state, const std::string& description, std::int64_t event_id) {
  KeyState s;
  s.state = state;
  s.description = description;
  s.event_id = event_id;
  s.event_time_ms = 1000 * event_id;
  s.updated_at = "2026-12-07T00:00:0" + std::to_string(event_id % 10) + ".000Z";
  keys[{route, "acme/app", sha, context}] = s;
}

inline const std::string kSha1 = "69fdd6276a37f5e42af7f0405a21703b605543d0";
inline const std::string kSha1Upper = "69FDD6276A37F5E42AF7F0405A21703B605543D0";
inline const std::string kOtherSha1 = "c7918bd9173053b2d28e0b96d9492f9e3aec130d";
inline const std::string kThirdSha1 = "6fd36d2c41f98d7bc11f6bee657b371926675be3";
inline const std::string kSha256 = "79b5e44af55c0ce009ebd62e9048c650edc13e6515cf7fa71221cf0dbbd3bef9";

// An event built in code, for the tests that do not exercise the parser.
inline FluxEvent MakeEvent(std::string kind, std::string api_version,
                           std::map<std::string, std::string> metadata = {}) {
  FluxEvent ev;
  ev.object.kind = std::move(kind);
  ev.object.namespace_ = "flux-system";
  ev.object.name = "contoso2";
  ev.object.api_version = std::move(api_version);
  ev.severity = "info";
  ev.timestamp = "2026-11-24T09:17:31Z";
  ev.time_ms = 1795511851000;
  ev.reason = "ReconciliationSucceeded";
  ev.metadata = std::move(metadata);
  return ev;
}

// Parses a body that must be valid; a failure is reported with the parser's message.
inline FluxEvent ParseOrFail(std::string_view body) {
  auto result = ParseFluxEvent(body);
  if (const auto* err = std::get_if<ParseError>(&result)) {
    BOOST_FAIL("expected a valid event, got: " << err->message);
  }
  return std::get<FluxEvent>(std::move(result));
}

// The parser's message for a body that must be rejected ("" and a test failure if accepted).
inline std::string ParseErrorOf(std::string_view body, std::size_t max_bytes = kDefaultMaxBodyBytes) {
  auto result = ParseFluxEvent(body, max_bytes);
  if (const auto* err = std::get_if<ParseError>(&result)) return err->message;
  BOOST_ERROR("expected a parse error, but the body was accepted");
  return "";
}

}  // namespace fluxstatus::core::testing
