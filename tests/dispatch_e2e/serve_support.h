// Shared by the tests that run the real `fluxstatus serve`: its configuration and the answer
// every accepted event gets.
#pragma once

#include <boost/test/unit_test.hpp>

#include <string>

#include "tests/dispatch_e2e/e2e_support.h"

namespace fluxstatus::dispatch_e2e {

inline std::string ServeConfig(const std::string& routes_yaml, const std::string& dispatch_yaml = DispatchYaml()) {
  return "routes:\n" + routes_yaml + dispatch_yaml;
}

inline void Accepted(const Reply& r) {
  BOOST_TEST_REQUIRE(r.answered, r.error);
  BOOST_TEST_REQUIRE(r.status == 202, "answer " << r.status << " " << r.body);
}

}  // namespace fluxstatus::dispatch_e2e
