// Boost.Test's main for every test suite, compiled once in fluxstatus_test_support and linked
// into each suite by fluxstatus_add_test (tests/CMakeLists.txt). The test module is named after
// the executable, which fluxstatus_add_test names after the suite (core_tests, service_tests…),
// so the logs and reports of each suite still say which one ran.
#include <spdlog/spdlog.h>

#include <boost/test/unit_test.hpp>

#include <filesystem>

#include "tests/support/curl_global.h"

namespace {

bool InitModule() {
  auto& module = boost::unit_test::framework::master_test_suite();
  if (module.argc > 0) module.p_name.value = std::filesystem::path(module.argv[0]).filename().string();
  return true;
}

// Set up once per process, before any test case and so before any thread: libcurl, and quiet
// logs (the in-process writer, dispatcher and server log every step at info; tests that read
// logs install their own logger, tests/service/log_capture.h).
struct TestProcess {
  TestProcess() { spdlog::set_level(spdlog::level::warn); }
  fluxstatus::testing::CurlGlobal curl;
};

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(TestProcess);

int main(int argc, char* argv[]) { return boost::unit_test::unit_test_main(&InitModule, argc, argv); }
