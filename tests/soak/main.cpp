// soak_tests: the real `fluxstatus serve` under a long, realistic Flux stream (issue 12, item 4).
// libcurl's process-wide set-up happens once, before any thread (the fake host's included).
#define BOOST_TEST_MODULE soak_tests
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
