// Where the npm-installed test tools live (tests/dispatch/conformance/node_modules, installed
// by `make test-deps`) and the skip policy: missing tools fail under CI=true, else skip.
#pragma once

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

namespace fluxstatus::dispatch::testing {

inline std::filesystem::path ConformanceDir() { return FLUXSTATUS_DISPATCH_CONFORMANCE_DIR; }

inline bool InCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && (std::string_view(ci) == "true" || std::string_view(ci) == "1");
}

// True when `path` exists. Otherwise fails the current test under CI (the tools are part of
// the test contract there) or logs why it is skipped and returns false.
inline bool RequireTool(const std::filesystem::path& path, std::string_view what) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return true;
  const std::string message = std::string(what) + " not found at " + path.string() +
                              " (run `make test-deps`, which runs npm ci in tests/dispatch/conformance)";
  if (InCi()) {
    BOOST_ERROR("CI=true and " + message);
  } else {
    BOOST_TEST_MESSAGE("SKIPPED: " + message);
  }
  return false;
}

// A suite precondition: the suite is reported as skipped (with the reason) when `path` is
// missing outside CI; under CI=true it runs, and RequireTool then fails it.
struct ToolPresentOrCi {
  std::filesystem::path path;
  std::string what;

  boost::test_tools::assertion_result operator()(boost::unit_test::test_unit_id) const {
    std::error_code ec;
    if (std::filesystem::exists(path, ec) || InCi()) return true;
    boost::test_tools::assertion_result skip(false);
    skip.message() << what << " not found at " << path.string() << " (run `make test-deps`)";
    return skip;
  }
};

}  // namespace fluxstatus::dispatch::testing
