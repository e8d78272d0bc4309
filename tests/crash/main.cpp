// crash_tests: the real `fluxstatus serve` killed with SIGKILL at random moments (issue 5, item 3)
// and its database file removed, made read-only or corrupted while it runs (issue 8, item 6).
// libcurl's process-wide set-up happens once, before any thread (the fake host's included).
#define BOOST_TEST_MODULE crash_tests
#include <boost/test/unit_test.hpp>

#include <curl/curl.h>
#include <spdlog/spdlog.h>

namespace {

struct CurlGlobal {
  CurlGlobal() {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    spdlog::set_level(spdlog::level::warn);
  }
  ~CurlGlobal() { curl_global_cleanup(); }
};

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(CurlGlobal);
